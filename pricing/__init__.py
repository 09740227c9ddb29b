"""Pure pricing: Decimal money, cost build-up, price books, tiers, factors, margin, guardrails.
Knows nothing of HTTP or SQL and never imports ``app``.

Below, the names the shell uses: it imports them from here (``from pricing import Quote``),
never from the modules; the core's own modules import each other by path.
"""

from pricing.errors import PricingError
from pricing.explain import cost_steps, price_steps
from pricing.guardrails import Breach, check_guardrails
from pricing.money import (
    CENT,
    Money,
    amount_text,
    cents_text,
    factor_text,
    from_cents,
    percent_of,
    to_cents,
)
from pricing.quote import (
    MAX_TERM_MONTHS,
    Amounts,
    LineRequest,
    Margin,
    PricedLine,
    Quote,
    QuoteRequest,
    price_quote,
)

__all__ = [
    "CENT",
    "MAX_TERM_MONTHS",
    "Amounts",
    "Breach",
    "LineRequest",
    "Margin",
    "Money",
    "PricedLine",
    "PricingError",
    "Quote",
    "QuoteRequest",
    "amount_text",
    "cents_text",
    "check_guardrails",
    "cost_steps",
    "factor_text",
    "from_cents",
    "percent_of",
    "price_quote",
    "price_steps",
    "to_cents",
]
