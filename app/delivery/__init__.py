"""Delivery: the work packages of accepted proposals, per delivery centre, their delivery
packs, and each centre's load against its capacity.

Other domains use the names below, and only these (the web app's delivery pages); each is
imported when first read (app.kit.faces says why).
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.delivery.load import (
        DEFAULT_MONTHS,
        MAX_MONTHS,
        CentreLoad,
        CompetencyLoad,
        MonthLoad,
        OverbookedMonth,
        Overbooking,
        hours_text,
    )
    from app.delivery.service import RENDER_PACK, PackPending, pack_pdf, render_pack, requested_pack
    from app.delivery.service import centres as delivery_centres
    from app.delivery.service import listing as work_packages
    from app.delivery.service import load as centre_load
    from app.delivery.service import read as work_package
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "DEFAULT_MONTHS",
    "MAX_MONTHS",
    "RENDER_PACK",
    "CentreLoad",
    "CompetencyLoad",
    "MonthLoad",
    "OverbookedMonth",
    "Overbooking",
    "PackPending",
    "centre_load",
    "delivery_centres",
    "hours_text",
    "pack_pdf",
    "render_pack",
    "requested_pack",
    "work_package",
    "work_packages",
]
