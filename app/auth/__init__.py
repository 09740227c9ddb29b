"""Auth: API keys (machines), people's accounts and web sessions, principals and their
permissions, who sees which fields, and the request dependencies that check them once per request.

Other domains use the names below, and only these; each is imported when first read
(app.kit.faces says why).
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.auth.auth import (
        JSON,
        MERGE_PATCH,
        AuditReader,
        Caller,
        CatalogReader,
        CatalogWriter,
        Cursor,
        DbSession,
        JsonBody,
        Limit,
        MergePatchBody,
        QuoteMaker,
        Writing,
        json_body,
        merge_patch_body,
        requires,
    )
    from app.auth.bodies import json_document, json_model
    from app.auth.principal import SYSTEM, Permission, Principal, Role
    from app.auth.service import RESERVED_PREFIX
    from app.auth.sessions import (
        SESSION_COOKIE,
        Lifetimes,
        SignedIn,
        end_session,
        resolve_session,
        start_session,
        touch_session,
    )
    from app.auth.throttle import SignInThrottle
    from app.auth.users import (
        MIN_PASSWORD,
        all_users,
        check_sign_in,
        create_user,
        disable_user,
        enable_user,
        find_user,
        normal_email,
        reset_password,
        signed_in_user,
    )
    from app.auth.visibility import (
        COST_FIELDS,
        DELIVERY_DESCRIPTION,
        KIND_OF_COLLECTION,
        Audience,
        audience,
        cost_fields_in,
        sees_cost,
        visible,
    )
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "COST_FIELDS",
    "DELIVERY_DESCRIPTION",
    "JSON",
    "KIND_OF_COLLECTION",
    "MERGE_PATCH",
    "MIN_PASSWORD",
    "RESERVED_PREFIX",
    "SESSION_COOKIE",
    "SYSTEM",
    "Audience",
    "AuditReader",
    "Caller",
    "CatalogReader",
    "CatalogWriter",
    "Cursor",
    "DbSession",
    "JsonBody",
    "Lifetimes",
    "Limit",
    "MergePatchBody",
    "Permission",
    "Principal",
    "QuoteMaker",
    "Role",
    "SignInThrottle",
    "SignedIn",
    "Writing",
    "all_users",
    "audience",
    "check_sign_in",
    "cost_fields_in",
    "create_user",
    "disable_user",
    "enable_user",
    "end_session",
    "find_user",
    "json_body",
    "json_document",
    "json_model",
    "merge_patch_body",
    "normal_email",
    "requires",
    "reset_password",
    "resolve_session",
    "sees_cost",
    "signed_in_user",
    "start_session",
    "touch_session",
    "visible",
]
