"""The largest numbers the catalog accepts, so that every integer the configurator builds
from them fits the solver.

CP-SAT computes in 64-bit integers and refuses a model in which a variable's domain, or the
extreme value of any linear expression (a constraint, the objective), could pass 2**62,
about 4.6e18; the Python API refuses a coefficient past 2**63 outright. The configurator's
integers are quantities (at most MAX_QUANTITY), money in cents, and decimals (capability
amounts, effort hours, quantity-rule coefficients) scaled to integers by one power of ten,
at most 10**6 since the catalog's decimals have at most six places.

So what one line (a component at its largest quantity) can amount to is bounded here, and
each term one line puts into a constraint stays near 1e16 at most: 10**10 capability units
or hours, scaled by 10**6; 10**12 a month in cents, over 120 months. Thousands of lines at
these extremes would still add up past 2**62: the configurator then answers a clear problem
(``app.configurator.errors.OutOfRange``) instead of a wrong one.
"""

from __future__ import annotations

# Quantities stay far inside exact decimal arithmetic (28 digits) whatever the price.
MAX_QUANTITY = 1_000_000_000
# Component versions are stored in the database's integer columns (32 bits on PostgreSQL).
MAX_VERSION = 2**31 - 1
# Of a capability, provided or required by one line at its largest quantity, or counted by a
# quantity rule's term.
MAX_LINE_UNITS = 10**10
# Effort hours a month of one line at its largest quantity, and a centre's monthly capacity.
MAX_HOURS = 10**10
# Price or cost of one line at its largest quantity, a month or once, in whole currency
# units (a hundred times that in cents).
MAX_LINE_AMOUNT = 10**12
# Codes and identifiers (components, capabilities, families, rules...) are stored in columns
# of 100 characters, a delivery centre's code in work packages and API keys in 50.
MAX_CODE_LENGTH = 100
MAX_CENTRE_CODE_LENGTH = 50
# Response minutes and restore hours of a service level (a million minutes is two years).
MAX_DURATION = 1_000_000
# The longest contract term a term discount can start at (a century).
MAX_TERM_MONTHS = 1_200
