"""The catalog that sales price and configure against: the registries and the active version
of every component, as one immutable snapshot, built once per catalog revision.

The revision moves in the same transaction as every catalog change, so a snapshot cached
under a revision is exactly what any transaction reading that revision sees.
"""

from __future__ import annotations

from threading import Lock

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import CatalogRecord
from app.portfolio.catalog.store import (
    REGISTRIES,
    active_versions,
    catalog_revision,
    component_of,
)
from catalog import CatalogSnapshot


def load_active_snapshot(session: Session) -> CatalogSnapshot:
    collections: dict[str, list[object]] = {field: [] for field in REGISTRIES}
    for record in session.scalars(select(CatalogRecord).order_by(CatalogRecord.key)):
        collections[record.kind].append(REGISTRIES[record.kind].validate(record.content))
    collections["components"] = [component_of(row) for row in active_versions(session)]
    return CatalogSnapshot.model_validate(
        {field: tuple(items) for field, items in collections.items()}
    )


class ActiveCatalog:
    """A process-wide cache of the active snapshot, keyed by catalog revision."""

    def __init__(self) -> None:
        self._lock = Lock()
        self._revision: int | None = None
        self._snapshot: CatalogSnapshot | None = None

    def snapshot(self, session: Session) -> CatalogSnapshot:
        return self.current(session)[1]

    def current(self, session: Session) -> tuple[int, CatalogSnapshot]:
        """The active snapshot and the catalog revision it is exactly the content of."""
        revision = catalog_revision(session)
        with self._lock:
            if self._revision == revision and self._snapshot is not None:
                return revision, self._snapshot
        while True:
            snapshot = load_active_snapshot(session)
            # Under READ COMMITTED each query sees the latest commit: if the revision did not
            # move while the snapshot was read, no catalog change landed in between.
            after = catalog_revision(session)
            if after == revision:
                break
            revision = after
        with self._lock:
            # Two requests may build the same revision at once; either result is right.
            if self._revision is None or revision >= self._revision:
                self._revision, self._snapshot = revision, snapshot
        return revision, snapshot
