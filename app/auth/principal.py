"""Who is calling and what their role lets them do: one table, deny by default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Role = Literal["sales", "portfolio", "approver", "delivery", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)

Permission = Literal[
    "catalog.read",  # the active catalog (and retired versions, for proposals)
    "catalog.read_unreleased",  # draft, in_review and assured versions
    "catalog.write",  # components, registries, imports
    "catalog.assure",  # in_review -> assured (never one's own version)
    "assurance.override",  # apply a change assured combinations refused (never one's own)
    "cost.read",  # effort, labour rates, non-labour and partner cost, cost factors
    "delivery.read_all",  # delivery descriptions of every centre
    "audit.read",
    "jobs.read",  # the background jobs and their failures
    "quote.price",  # price bundles and configure them
    "proposal.create",  # create proposals and run one's own through their lifecycle
    "proposal.read_all",  # every proposal, not only one's own
    "proposal.approve",  # approve or decline proposals of others (four eyes)
    "webhooks.manage",  # webhook endpoints, their secrets and delivery logs
    "users.manage",  # people's accounts: create, disable, reset a password
    "insights.read",  # the measures of go to market, portfolio and delivery (/v1/insights)
]

_READ: frozenset[Permission] = frozenset({"catalog.read", "delivery.read_all", "quote.price"})
_CURATE: frozenset[Permission] = _READ | {"catalog.read_unreleased", "cost.read"}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    "sales": _READ | {"proposal.create"},
    "delivery": frozenset({"catalog.read"}),  # delivery descriptions of its own centre only
    "portfolio": _CURATE | {"catalog.write", "insights.read"},
    "approver": _CURATE
    | {
        "catalog.assure",
        "assurance.override",
        "proposal.read_all",
        "proposal.approve",
        "insights.read",
    },
    "admin": _CURATE
    | {
        "catalog.write",
        "assurance.override",
        "audit.read",
        "jobs.read",
        "proposal.create",
        "proposal.read_all",
        "webhooks.manage",
        "users.manage",
        "insights.read",
    },
}


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    role: Role
    centre: str | None = None  # the delivery centre of a `delivery` key

    def can(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]


# Used by the CLI and the catalog import command: trusted, as the operator of the system.
SYSTEM = Principal("system", "admin")
