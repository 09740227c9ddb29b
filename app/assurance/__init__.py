"""Assurance: the catalog's assured combinations configured and judged, and their report
(the command line's ``catalog assure``; the service's checks before a version goes live).

Other domains use the names below, and only these; each is imported when first read
(app.kit.faces says why).
"""

from typing import TYPE_CHECKING

from app.kit.faces import lazy_face

if TYPE_CHECKING:
    from app.assurance.junit import report as junit_report
    from app.assurance.junit import write as write_junit
    from app.assurance.service import Assurance
    from app.assurance.suite import (
        Finding,
        Solve,
        Verdict,
        assess,
        finding_of,
        judge,
        request_of,
        run_suite,
    )
else:
    __getattr__ = lazy_face(__name__)

__all__ = [
    "Assurance",
    "Finding",
    "Solve",
    "Verdict",
    "assess",
    "finding_of",
    "judge",
    "junit_report",
    "request_of",
    "run_suite",
    "write_junit",
]
