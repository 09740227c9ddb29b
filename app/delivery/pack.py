"""A work package as a delivery pack PDF: what the centre delivers, to whom, at which
service level, and the delivery description of the exact version sold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.documents import ENVIRONMENT, content_key, duration
from app.proposals import PackageContent


@dataclass(frozen=True, slots=True)
class DeliveryPackDocument:
    provider: str
    package: PackageContent  # the work package's frozen content
    archival: bool = False  # an internal working document, not a contract

    def data(self) -> dict[str, Any]:
        """What the pack shows, as its cache key covers it."""
        return {"provider": self.provider, "package": self.package.stored(),
                "archival": self.archival}  # fmt: skip

    def key(self) -> str:
        return content_key(self.data(), "delivery_pack.html")

    def html(self) -> str:
        package = self.package
        level = package.service_level_details
        return ENVIRONMENT.get_template("delivery_pack.html").render(
            provider=self.provider,
            number=package.number,
            revision=package.revision,
            line=package.line,
            customer=package.customer,
            component=package.component,
            version=package.version,
            name=package.name,
            service_level=package.service_level,
            centre=package.centre,
            term_months=package.term_months,
            description=package.description,
            quantity_text=f"{package.quantity:,} {package.unit}",
            accepted=f"{package.accepted_on:%d %B %Y}",
            level={
                "availability": None
                if level.availability is None
                else f"{level.availability.normalize():f}",
                "response_text": duration(level.response_minutes),
                "restore_text": duration(level.restore_hours * 60),
            },
        )
