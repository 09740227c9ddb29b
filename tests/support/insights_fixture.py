"""A hand-computed insights fixture: six proposals in known states with known lines and
events at known times, and three configuration misses; with every figure they give for
the period 2026-01-01 .. 2026-03-31 worked out by hand (``EXPECTED_*``), for the insights'
tests and the insights pages' tests alike.

The read model is written through the domain's own writes (``record_revision``,
``record_miss``); proposals and their events are rows as the proposals domain stores them
(their creation would solve and price; here the lines and their times are set by hand).

    P1 2026-01-10 EUR  accepted  issued +2 d, accepted +10 d after; compute (CMP-VM-LNX
                       x1000 at CZ-BRN, 12000.00, cost 8000.00) + a custom line
                       (3000.00, cost 1000.00); discount 5 %; target 99.9, reached 99.95;
                       offering "hosting"; term 12
    P2 2026-01-20 GBP  accepted  issued +1 d, accepted +15 d; backup (BKP-MANAGED x400 at
                       GB-LON, 6000.00, cost 4500.00); discount 12 % (over the 10 % of
                       sales): approval; no target, reached 99.5; term 12
    P3 2026-02-03 EUR  rejected  issued +4 d; compute x40, 4800.00 cost 3000.00;
                       discount 15 %: approval
    P4 2026-02-15 EUR  sent, valid until 2026-03-01: expired; issued +0.75 d; backup x20
                       at DE-FRA 2400.00 cost 1200.00
    P5 2026-03-01 EUR  draft; compute x1 1200.00 cost 900.00
    P6 2025-12-31 EUR  accepted 2026-01-05 (outside the period by creation), term 2:
                       compute x200 at CZ-BRN: loads CZ-BRN in January and February
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app import insights
from app.insights import Conflict, LineFacts, MissFacts, RevisionFacts
from app.kit.database import Database
from app.models import Proposal, ProposalEvent

SINCE, UNTIL = date(2026, 1, 1), date(2026, 3, 31)
QUERY = {"since": SINCE.isoformat(), "until": UNTIL.isoformat()}
D = Decimal


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Made:
    number: str
    created: str
    status: str
    book: str
    currency: str
    lines: tuple[LineFacts, ...]
    events: tuple[tuple[str, str], ...]  # (to_status, at)
    discount: str = "0"
    approval: bool = False
    target: str | None = None
    reached: str | None = None
    offering: str | None = None
    term: int = 12
    valid_until: date = date(2099, 12, 31)


def _std(component: str, centre: str, level: str, quantity: int, value: str, cost: str,
         family: str, availability: str = "99.9") -> LineFacts:  # fmt: skip
    v = D(value)
    return LineFacts(
        line=1, standard=True, quantity=quantity, monthly=v / 12, one_time=D(0),
        contract_value=v, cost=D(cost), component=component, version=1, family=family,
        centre=centre, service_level=level, availability=D(availability),
    )  # fmt: skip


LNX, BKP = "CMP-VM-LNX", "BKP-MANAGED"
PROPOSALS = (
    Made("P-2026-900001", "2026-01-10T09:00", "accepted", "EUR", "EUR",
         (_std(LNX, "CZ-BRN", "standard", 1000, "12000.00", "8000.00", "compute"),
          LineFacts(line=2, standard=False, quantity=1, monthly=D("250.00"), one_time=D(0),
                    contract_value=D("3000.00"), cost=D("1000.00"))),
         (("approved", "2026-01-12T09:00"), ("sent", "2026-01-12T10:00"),
          ("accepted", "2026-01-22T09:00")),
         discount="5", target="99.9", reached="99.95", offering="hosting"),
    Made("P-2026-900002", "2026-01-20T10:00", "accepted", "GBP", "GBP",
         (_std(BKP, "GB-LON", "premium", 400, "6000.00", "4500.00", "backup"),),
         (("pending_approval", "2026-01-20T11:00"), ("approved", "2026-01-21T10:00"),
          ("sent", "2026-01-21T11:00"), ("accepted", "2026-02-05T10:00")),
         discount="12", approval=True, reached="99.5"),
    Made("P-2026-900003", "2026-02-03T08:00", "rejected", "EUR", "EUR",
         (_std(LNX, "CZ-BRN", "standard", 40, "4800.00", "3000.00", "compute"),),
         (("pending_approval", "2026-02-03T09:00"), ("approved", "2026-02-07T08:00"),
          ("sent", "2026-02-08T08:00"), ("rejected", "2026-02-20T08:00")),
         discount="15", approval=True),
    Made("P-2026-900004", "2026-02-15T12:00", "sent", "EUR", "EUR",
         (_std(BKP, "DE-FRA", "standard", 20, "2400.00", "1200.00", "backup"),),
         (("approved", "2026-02-16T06:00"), ("sent", "2026-02-16T07:00")),
         valid_until=date(2026, 3, 1)),
    Made("P-2026-900005", "2026-03-01T00:00", "draft", "EUR", "EUR",
         (_std(LNX, "CZ-BRN", "standard", 1, "1200.00", "900.00", "compute"),), ()),
    Made("P-2025-900006", "2025-12-31T23:00", "accepted", "EUR", "EUR",
         (_std(LNX, "CZ-BRN", "standard", 200, "2000.00", "1500.00", "compute"),),
         (("approved", "2026-01-02T09:00"), ("sent", "2026-01-02T10:00"),
          ("accepted", "2026-01-05T09:00")),
         term=2),
)  # fmt: skip

MISSES = (
    MissFacts(at("2026-01-15T10:00"), "sales", "EUR", None,
              (Conflict("need", "compute.linux"), Conflict("residency", "EU")),
              ("drop residency EU",)),
    MissFacts(at("2026-02-15T10:00"), "sales", "EUR", "hosting",
              (Conflict("need", "compute.linux"),), ("drop residency EU", "lower quantity")),
    MissFacts(at("2025-12-01T10:00"), "sales", "EUR", None,
              (Conflict("budget", "budget"),), ("raise budget",)),
)  # fmt: skip


def _add(session: Session, made: Made) -> int:
    created = at(made.created)
    proposal = Proposal(
        number=made.number, author="sales", author_role="sales",
        customer={"name": f"Customer {made.number}", "country": "DE"},
        customer_name=f"customer {made.number}".lower(), status=made.status, revision=1,
        valid_until=made.valid_until, created_at=created, updated_at=created,
    )  # fmt: skip
    session.add(proposal)
    session.flush()
    events = [(None, "draft", created), *((None, s, at(when)) for s, when in made.events)]
    before = None
    for _, status, when in events:
        session.add(ProposalEvent(proposal_id=proposal.id, revision=1, at=when, actor="sales",
                                  role="sales", from_status=before, to_status=status))  # fmt: skip
        before = status
    total = sum((line.contract_value for line in made.lines), D(0))
    insights.record_revision(
        session,
        RevisionFacts(
            proposal_id=proposal.id, revision=1, created_at=created, author_role="sales",
            price_book=made.book, offering=made.offering, currency=made.currency,
            term_months=made.term, discount_percent=D(made.discount),
            approval_required=made.approval,
            availability_target=None if made.target is None else D(made.target),
            availability_reached=None if made.reached is None else D(made.reached),
            monthly=sum((line.monthly for line in made.lines), D(0)),
            one_time=D(0), contract_value=total,
            cost=sum((line.cost for line in made.lines), D(0)),
            lines=made.lines,
        ),
    )  # fmt: skip
    return proposal.id


def make_insights_fixture(database: Database) -> dict[str, int]:
    """Writes the fixture (in one write transaction); the proposals' ids by number."""
    with database.transaction(write=True) as session:
        ids = {made.number: _add(session, made) for made in PROPOSALS}
        for miss in MISSES:
            insights.record_miss(session, miss)
    return ids


# -- what the fixture gives for SINCE .. UNTIL (no other filter) ----------------------------

EXPECTED_GO_TO_MARKET: dict[str, Any] = {
    "status_by_month": [
        {"month": "2026-01-01", "status": "accepted", "proposals": 2},
        {"month": "2026-02-01", "status": "expired", "proposals": 1},
        {"month": "2026-02-01", "status": "rejected", "proposals": 1},
        {"month": "2026-03-01", "status": "draft", "proposals": 1},
    ],
    "win_rate": {"accepted": 2, "decided": 3, "percent": "66.67"},
    "won": [
        {"currency": "EUR", "proposals": 1, "contract_value": "15000.00", "margin": "6000.00",
         "margin_percent": "40.00"},
        {"currency": "GBP", "proposals": 1, "contract_value": "6000.00", "margin": "1500.00",
         "margin_percent": "25.00"},
    ],
    # P1 2 d, P2 1 d, P3 4 d, P4 0.75 d: average 7.75 / 4; nearest rank ceil(0.9 x 4) = 4th
    "creation_to_issue": {"proposals": 4, "average_days": "1.94", "p90_days": "4.00"},
    # P1 10 d, P2 15 d
    "issue_to_acceptance": {"proposals": 2, "average_days": "12.50", "p90_days": "15.00"},
    "discounts": [
        {"price_book": "EUR", "role": "sales", "proposals": 4, "average_discount_percent": "5.00",
         "max_discount_percent": "15.00", "limit_percent": "10.00", "over_limit": 1},
        {"price_book": "GBP", "role": "sales", "proposals": 1,
         "average_discount_percent": "12.00", "max_discount_percent": "12.00",
         "limit_percent": "10.00", "over_limit": 1},
    ],
}  # fmt: skip

EXPECTED_PORTFOLIO: dict[str, Any] = {
    "standard_share": [
        {"currency": "EUR", "standard": "12000.00", "custom": "3000.00",
         "standard_percent": "80.00"},
        {"currency": "GBP", "standard": "6000.00", "custom": "0.00",
         "standard_percent": "100.00"},
    ],
    "margin_by_family": [
        {"key": "backup", "currency": "GBP", "contract_value": "6000.00", "margin": "1500.00",
         "margin_percent": "25.00"},
        {"key": "compute", "currency": "EUR", "contract_value": "12000.00", "margin": "4000.00",
         "margin_percent": "33.33"},
    ],
    "margin_by_offering": [
        {"key": None, "currency": "GBP", "contract_value": "6000.00", "margin": "1500.00",
         "margin_percent": "25.00"},
        {"key": "hosting", "currency": "EUR", "contract_value": "15000.00",
         "margin": "6000.00", "margin_percent": "40.00"},
    ],
    "approval_components": [
        {"code": "BKP-MANAGED", "name": "Managed backup", "proposals": 1},
        {"code": "CMP-VM-LNX", "name": "Managed Linux virtual server", "proposals": 1},
    ],
    "conflicts": [
        {"kind": "need", "subject": "compute.linux", "misses": 2},
        {"kind": "residency", "subject": "EU", "misses": 1},
    ],
    "repairs": [
        {"repair": "drop residency EU", "misses": 2},
        {"repair": "lower quantity", "misses": 1},
    ],
}  # fmt: skip
# Sold in the period (accepted, created in it): CMP-VM-LNX and BKP-MANAGED only.
SOLD = {"CMP-VM-LNX", "BKP-MANAGED"}

EXPECTED_DELIVERY: dict[str, Any] = {
    # CMP-VM-LNX: virtualisation, 0.6 h a unit a month; BKP-MANAGED: storage-backup, 0.35 h.
    # CZ-BRN (36000 h): P1 x1000 from January for 12 months, P6 x200 January and February;
    # GB-LON (20000 h): P2 x400 from February.
    "utilisation": [
        {"month": "2026-01-01", "centre": "CZ-BRN", "competency": "virtualisation",
         "effort_hours": "720.00", "capacity_hours": "36000", "percent": "2.00"},
        {"month": "2026-02-01", "centre": "CZ-BRN", "competency": "virtualisation",
         "effort_hours": "720.00", "capacity_hours": "36000", "percent": "2.00"},
        {"month": "2026-02-01", "centre": "GB-LON", "competency": "storage-backup",
         "effort_hours": "140.00", "capacity_hours": "20000", "percent": "0.70"},
        {"month": "2026-03-01", "centre": "CZ-BRN", "competency": "virtualisation",
         "effort_hours": "600.00", "capacity_hours": "36000", "percent": "1.67"},
        {"month": "2026-03-01", "centre": "GB-LON", "competency": "storage-backup",
         "effort_hours": "140.00", "capacity_hours": "20000", "percent": "0.70"},
    ],
    "service_levels": [
        {"service_level": "standard", "currency": "EUR", "lines": 1,
         "contract_value": "12000.00", "percent": "100.00"},
        {"service_level": "premium", "currency": "GBP", "lines": 1,
         "contract_value": "6000.00", "percent": "100.00"},
    ],
    "availability": [
        {"target": None, "proposals": 1, "reached_min": "99.5", "reached_average": "99.500",
         "met": 1},
        {"target": "99.9", "proposals": 1, "reached_min": "99.95", "reached_average": "99.950",
         "met": 1},
    ],
}  # fmt: skip


def shifted(day: date, days: int) -> date:
    return day + timedelta(days=days)
