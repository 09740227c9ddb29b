"""People's accounts as use cases: created, disabled, enabled, a password reset, each
recorded in the audit log (app.auth holds the accounts and passwords themselves; it cannot
write the log, whose reader depends on it). Used by the command line and the admin page.

Other domains use the names below, and only these; each is imported when first read
(app.kit.faces says why).
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.accounts.service import (
        Account,
        accounts,
        create_account,
        delivery_centres,
        disable_account,
        enable_account,
        reset_account_password,
    )
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "Account",
    "accounts",
    "create_account",
    "delivery_centres",
    "disable_account",
    "enable_account",
    "reset_account_password",
]
