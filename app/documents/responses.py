"""PDF answers: the bytes, shown inline under their file name, with the content hash as an
ETag (a rendered document never changes, so it never needs invalidating)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from app.documents.rendered import Pdf


def pdf_responses(description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": description,
            "headers": {
                "ETag": {"description": "the document's content hash", "schema": {"type": "string"}}
            },
        }
    }


def pdf_response(document: Pdf) -> Response:
    return Response(
        document.content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{document.filename}"',
            "ETag": f'"{document.key}"',
        },
    )
