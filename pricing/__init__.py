"""Pure pricing: Decimal money, cost build-up, price books, tiers, factors, margin, guardrails.

Filled in by the pricing issue; knows nothing of HTTP or SQL and never imports ``app``.
"""
