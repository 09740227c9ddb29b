"""The largest numbers the catalog accepts."""

from __future__ import annotations

# Quantities stay far inside exact decimal arithmetic (28 digits) whatever the price.
MAX_QUANTITY = 1_000_000_000
