"""Auth: API keys (machines), principals and their permissions, who sees which fields, and
the request dependencies that check them once per request.

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
    "RESERVED_PREFIX",
    "SYSTEM",
    "Audience",
    "AuditReader",
    "Caller",
    "CatalogReader",
    "CatalogWriter",
    "Cursor",
    "DbSession",
    "JsonBody",
    "Limit",
    "MergePatchBody",
    "Permission",
    "Principal",
    "QuoteMaker",
    "Role",
    "Writing",
    "audience",
    "cost_fields_in",
    "json_body",
    "json_document",
    "json_model",
    "merge_patch_body",
    "requires",
    "sees_cost",
    "visible",
]
