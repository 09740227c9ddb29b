"""Why each line is in a proposal, in plain words: the configurator's reasons, with their
capability codes, component codes and rule ids, turned into sentences a CIO reads, for
every line of the demo and the 25-line proposal; and a revision frozen before capability
names were frozen still reads."""

from __future__ import annotations

import re

import pytest

from app.proposals.pdf import context
from app.proposals.revision import Capability
from app.proposals.wording import Names, plain_reasons
from tests.support.proposal_documents import frozen, proposal_document

NAMES = Names(
    components={"CMP-VM-LNX-KVM": "Managed Linux virtual server on KVM",
                "SD-L1-BUS": "Business-hours service desk",
                "CMP-KVM-NODE": "Managed OpenStack/KVM compute host",
                "STO-BLOCK-STD": "Standard block storage",
                "SM-ITSM": "ServiceNow ITSM platform seat"},
    capabilities={"compute.linux": Capability(name="Managed Linux server", unit="server"),
                  "hosting.rack": Capability(name="Data-centre rack space", unit="rack"),
                  "sm.itsm-platform": Capability(name="ITSM platform", unit="user")},
    offerings={"OFF-CORE": "Core infrastructure"},
)  # fmt: skip


def test_each_kind_of_reason_reads_as_a_sentence() -> None:
    reasons = (
        "covers need compute.linux (20 server)",
        "provides hosting.rack for CMP-KVM-NODE (0.3 rack)",
        "provides hosting.rack for STO-BLOCK-STD (0.6 rack)",
        "SD-L1-BUS needs it: rule R-SD-002, The service desk works in our ServiceNow "
        "platform: add ITSM platform seats (SM-ITSM) for the users it supports.",
        "rule R-SD-006: Every service desk user needs an ITSM platform seat: order at least "
        "as many SM-ITSM users as service desk users.",
        "rule R-X-001: Hosts run on the KVM host (CMP-KVM-NODE) only.",
        "included on request",
        "part of offering OFF-CORE",
        "part of the best valid bundle",
    )
    assert plain_reasons(reasons, NAMES) == [
        "Meets your requirement for managed Linux server: 20 servers.",
        "Provides the data-centre rack space that Managed OpenStack/KVM compute host "
        "(0.3 racks) and Standard block storage (0.6 racks) need.",
        "Required by Business-hours service desk: the service desk works in our ServiceNow "
        "platform.",
        "Every service desk user needs an ITSM platform seat.",
        "Hosts run on the KVM host only.",
        "Included at your request.",
        "Part of the Core infrastructure offering you chose.",
        "Part of the best valid solution for your requirements.",
    ]


def test_a_reason_said_twice_is_shown_once() -> None:
    twice = ("rule R-SD-001: The desk works in ServiceNow: add SM-ITSM.",
             "rule R-SD-002: The desk works in ServiceNow: add seats (SM-ITSM).")  # fmt: skip
    assert plain_reasons(twice, NAMES) == ["The desk works in ServiceNow."]


def test_a_need_s_variant_and_a_co_location_read_as_sentences() -> None:
    reasons = (
        "covers need compute.linux with os=linux (20 server)",
        "delivered from DE-FRA with CMP-KVM-NODE, STO-BLOCK-STD: rule R-COLO-001: Servers, "
        "hypervisor hosts and storage sit in the racks that hold them: deliver them from one "
        "centre.",
    )
    assert plain_reasons(reasons, NAMES) == [
        "Meets your requirement for managed Linux server: 20 servers.",
        "Delivered from the same site as Managed OpenStack/KVM compute host and Standard "
        "block storage: servers, hypervisor hosts and storage sit in the racks that hold them.",
    ]


def test_without_frozen_capability_names_the_code_is_made_readable() -> None:
    older = Names(components={}, capabilities={}, offerings={})
    assert plain_reasons(("covers need storage.block (30 TB)",), older) == [
        "Meets your requirement for storage block: 30 TB."
    ]


RULE_ID = re.compile(r"\bR-[A-Z]+-\d+\b")


@pytest.mark.parametrize("which", ["demo", "large"])
def test_no_line_of_a_real_proposal_explains_itself_in_codes(which: str) -> None:
    revision, _ = frozen(which)
    codes = {line.component for line in revision.public.lines} | set(revision.capabilities or {})
    assert ("compute.linux" in codes and "SM-ITSM" in codes) or which == "large"
    shown = context(proposal_document(which))
    for line in shown["lines"]:
        assert line["reasons"], line["component"]
        for reason in line["reasons"]:
            words = set(re.findall(r"[\w.-]+", reason))
            assert not RULE_ID.search(reason) and not words & codes, (line["component"], reason)
            assert reason[0].isupper() and reason.endswith("."), reason
    # Every reason of the revision was recognised (none fell through as it was written).
    raw = {reason for line in revision.public.lines for reason in line.reasons}
    assert all(not reason.startswith(("covers need", "provides ", "rule ")) for reason in
               {r for line in shown["lines"] for r in line["reasons"]})  # fmt: skip
    assert raw  # the revision had reasons to word
