"""A work package as a delivery pack PDF: what the centre delivers, to whom, at which
service level, and the delivery description of the exact version sold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.documents.environment import ENVIRONMENT
from app.documents.proposal_pdf import content_key, duration


@dataclass(frozen=True, slots=True)
class DeliveryPackDocument:
    provider: str
    package: dict[str, Any]  # the work package's frozen content
    archival: bool = False  # an internal working document, not a contract

    def key(self) -> str:
        return content_key(self, "delivery_pack.html")

    def html(self) -> str:
        package = self.package
        level = package["service_level_details"]
        return ENVIRONMENT.get_template("delivery_pack.html").render(
            provider=self.provider,
            **package,
            quantity_text=f"{package['quantity']:,} {package['unit']}",
            accepted=f"{date.fromisoformat(package['accepted_on']):%d %B %Y}",
            level={
                "availability": None
                if level["availability"] is None
                else f"{Decimal(level['availability']).normalize():f}",
                "response_text": duration(level["response_minutes"]),
                "restore_text": duration(level["restore_hours"] * 60),
            },
        )
