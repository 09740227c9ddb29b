"""Delivery: the work packages of accepted proposals, per delivery centre, and their
delivery packs.

No other domain uses a name of this one.
"""

__all__: list[str] = []
