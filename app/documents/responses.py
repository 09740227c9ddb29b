"""PDF answers: the bytes, shown inline under their file name, with the content hash as an
ETag (a rendered document never changes, so it never needs invalidating)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse, Response

from app.documents.rendered import Pdf
from app.documents.schemas import RenderPending


def pdf_responses(description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "headers": {
                "ETag": {"description": "the content hash", "schema": {"type": "string"}},
                "Content-Disposition": {"schema": {"type": "string"}},
            },
        }
    }


def pending_responses() -> dict[int | str, dict[str, Any]]:
    return {
        202: {
            "description": "not rendered yet: a background job renders it; GET `Location` "
            "again after `Retry-After` seconds",
            "model": RenderPending,
            "headers": {
                "Location": {"description": "where the PDF will be", "schema": {"type": "string"}},
                "Retry-After": {"description": "seconds", "schema": {"type": "integer"}},
            },
        }
    }


def pending_response(location: str, retry_after: int) -> Response:
    body = RenderPending(
        status="rendering",
        detail="the PDF is being rendered; ask again shortly",
        location=location,
        retry_after=retry_after,
    )
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=202,
        headers={"Location": location, "Retry-After": str(retry_after)},
    )


def pdf_response(document: Pdf) -> Response:
    return Response(
        document.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{document.filename}"',
            "ETag": f'"{document.key}"',
        },
    )
