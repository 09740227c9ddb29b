"""Proposals: their lifecycle, frozen revisions, idempotent creation, and their PDFs.

No other domain uses a name of this one.
"""

__all__: list[str] = []
