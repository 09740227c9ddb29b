"""Assured combinations as catalog files (``assurance/``): a valid folder loads, and a bad one
gives every problem at once, each with its file, line and field, like the rest of the
catalog; a record that fails its own validation does not cascade into others' problems."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from catalog.assurance import AssuredCombination
from catalog.checks import check, records_of
from catalog.loader import load_catalog, validate_catalog, validate_mapping

MakeCatalog = Callable[..., Path]

# The base test catalog (tests/fixtures/catalogs/base) with attributes on its servers, so
# that needs can name a variant: CMP-VM is virtual, CMP-PHY physical, both x86.
VARIANTS = {
    "CMP-VM": "attributes: {platform: virtual, arch: x86, memory: 64gb}\n",
    "CMP-PHY": "attributes: {platform: physical, arch: x86, memory: 1536gb}\n",
}

LINUX_PAIR = """\
id: linux-pair
name: Two managed Linux VMs
owner: Compute portfolio
description: The smallest managed Linux estate we sell.
request:
  price_book: EUR
  term_months: 36
  needs:
    - capability: compute.linux
      quantity: 2
      attributes: {platform: virtual, memory: 64gb}
  residency: [EU]
  exclude: [CMP-PHY]
  discount_percent: 2.5
expect:
  includes: [CMP-VM, OS-LNX]
  excludes: [CMP-PHY]
  service_levels: {CMP-VM: bronze}
  monthly: {min: 400, max: 480.50}
  min_availability: 99
  centres: [CZ-BRN]
"""

MORE = """\
- id: linux-offering
  name: The Linux offering as sold
  owner: Compute portfolio
  request: {price_book: EUR, term_months: 12, offering: OFF-LNX, min_availability: 99.9}
  expect: {outcome: invalid, conflict: [availability]}
- id: physical-on-request
  name: A physical server when asked for
  owner: Compute portfolio
  request:
    price_book: EUR
    term_months: 12
    include: [CMP-PHY]
    budget_monthly: 1000
    objective: max_margin
"""


@pytest.fixture
def catalog(make_catalog: MakeCatalog) -> Callable[[dict[str, str]], Path]:
    """The base catalog, its servers with attributes, and ``files`` written over it."""

    def make(files: dict[str, str]) -> Path:
        root = make_catalog()
        for code, attributes in VARIANTS.items():
            path = root / "components" / "compute" / f"{code}.yaml"
            path.write_text(path.read_text() + attributes)
        for relative, content in files.items():
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(content)
        return root

    return make


def found(root: Path) -> list[tuple[str, int | None, str, str]]:
    result = validate_catalog(root)
    assert result.snapshot is None or not result.errors  # never half-loaded
    return [(p.file, p.line, p.field, p.message) for p in result.errors]


def test_a_valid_folder_loads(catalog: Callable[[dict[str, str]], Path]) -> None:
    root = catalog({"assurance/linux-pair.yaml": LINUX_PAIR, "assurance/more.yaml": MORE})
    result = validate_catalog(root)
    assert result.problems == ()
    assert result.snapshot is not None
    by_id = {item.id: item for item in result.snapshot.assurances}
    assert list(by_id) == ["linux-offering", "linux-pair", "physical-on-request"]
    pair = by_id["linux-pair"]
    assert pair.owner == "Compute portfolio"
    assert dict(pair.request.needs[0].attributes) == {"platform": "virtual", "memory": "64gb"}
    assert pair.request.discount_percent == Decimal("2.5")
    assert pair.expect.monthly is not None
    assert (pair.expect.monthly.min, pair.expect.monthly.max) == (Decimal(400), Decimal("480.5"))
    assert dict(pair.expect.service_levels) == {"CMP-VM": "bronze"}
    assert pair.components() == ("CMP-PHY", "CMP-VM", "OS-LNX")
    offering = by_id["linux-offering"]
    assert (offering.expect.outcome, offering.expect.conflict) == ("invalid", ("availability",))
    assert by_id["physical-on-request"].expect.outcome == "valid"  # the default


def test_a_single_assurance_file_at_the_top_is_read_too(
    catalog: Callable[[dict[str, str]], Path],
) -> None:
    snapshot = load_catalog(catalog({"assurance.yaml": MORE}))
    assert [item.id for item in snapshot.assurances] == ["linux-offering", "physical-on-request"]


def test_attribute_values_are_read_as_components_write_them(
    catalog: Callable[[dict[str, str]], Path],
) -> None:
    """A value YAML reads as a number or a boolean is its text, as on a component."""
    root = catalog({})
    vm = root / "components" / "compute" / "CMP-VM.yaml"
    vm.write_text(vm.read_text().replace("memory: 64gb}", "memory: 64gb, ha: true, cores: 16}"))
    (root / "assurance").mkdir()
    (root / "assurance" / "vm.yaml").write_text(
        "id: vm\nname: VM\nowner: me\nrequest:\n  price_book: EUR\n  term_months: 1\n"
        "  needs: [{capability: compute.linux, quantity: 1, attributes: {ha: true, cores: 16}}]\n"
    )
    (vm_need,) = load_catalog(root).assurances[0].request.needs
    assert dict(vm_need.attributes) == {"ha": "true", "cores": "16"}


def test_lists_written_out_as_null_are_none(catalog: Callable[[dict[str, str]], Path]) -> None:
    """As the service stores a record (every field, null where unset) and a person may."""
    root = catalog(
        {
            "assurance/nulls.yaml": "id: nulls\nname: N\nowner: me\nrequest:\n"
            "  price_book: EUR\n  term_months: 1\n  offering: OFF-LNX\n  residency: null\n"
            "expect: {centres: null, monthly: null}\n"
        }
    )
    (nulls,) = load_catalog(root).assurances
    assert (nulls.request.residency, nulls.expect.centres) == (None, None)


# case -> the files written over the catalog, and every (file, line, field, words of the
# message) it must report, in order, and nothing else.
CASES: dict[str, tuple[dict[str, str], list[tuple[str, int, str, str]]]] = {
    "yaml-syntax": (
        {"assurance/broken.yaml": "id: broken\nname: [unclosed\nowner: me\n"},
        [("assurance/broken.yaml", 3, "(document)", "YAML syntax error")],
    ),
    "unknown-field": (
        {"assurance/pair.yaml": LINUX_PAIR.replace("  centres:", "  colour: blue\n  centres:")},
        [("assurance/pair.yaml", 21, "expect.colour", "unknown field")],
    ),
    "missing-fields": (
        {"assurance/bare.yaml": "id: bare\nrequest: {term_months: 12, offering: OFF-LNX}\n"},
        [
            ("assurance/bare.yaml", 1, "name", "required field is missing"),
            ("assurance/bare.yaml", 1, "owner", "required field is missing"),
            ("assurance/bare.yaml", 2, "request.price_book", "required field is missing"),
        ],
    ),
    "invalid-expectations": (
        {
            "assurance/expect.yaml": """\
- id: invalid-with-a-bundle
  name: An invalid request with components to check
  owner: me
  request: {price_book: EUR, term_months: 12, offering: OFF-LNX}
  expect: {outcome: invalid, includes: [CMP-VM], monthly: {max: 10}}
- id: valid-with-a-conflict
  name: A valid request with a conflict
  owner: me
  request: {price_book: EUR, term_months: 12, offering: OFF-LNX}
  expect: {conflict: [budget]}
- id: in-and-out
  name: Expected in and out
  owner: me
  request: {price_book: EUR, term_months: 12, offering: OFF-LNX}
  expect: {includes: [CMP-VM], excludes: [CMP-VM]}
- id: upside-down-band
  name: A band whose floor is above its ceiling
  owner: me
  request: {price_book: EUR, term_months: 12, offering: OFF-LNX}
  expect:
    monthly: {min: 900, max: 100}
- id: asks-nothing
  name: A request for nothing
  owner: me
  request: {price_book: EUR, term_months: 12, needs: []}
- id: twice
  name: One capability needed twice
  owner: me
  request:
    price_book: EUR
    term_months: 12
    needs:
      - {capability: compute.linux, quantity: 1}
      - {capability: compute.linux, quantity: 2}
"""
        },
        [
            ("assurance/expect.yaml", 5, "[0].expect", "no bundle to check includes, monthly"),
            ("assurance/expect.yaml", 10, "[1].expect", "expect outcome invalid"),
            ("assurance/expect.yaml", 15, "[2].expect", "both includes and excludes list CMP-VM"),
            ("assurance/expect.yaml", 21, "[3].expect.monthly", "min 900 is above max 100"),
            ("assurance/expect.yaml", 25, "[4].request", "at least one need"),
            ("assurance/expect.yaml", 32, "[5].request.needs", "'compute.linux' is needed twice"),
        ],
    ),
    "unknown-references": (
        {
            "assurance/ghosts.yaml": """\
id: ghosts
name: Everything it names is missing
owner: me
request:
  price_book: CHF
  term_months: 12
  offering: OFF-GHOST
  needs:
    - {capability: compute.ghost, quantity: 1}
  residency: [EU, MARS]
  include: [CMP-GHOST]
  exclude: [CMP-SHADOW]
expect:
  includes: [CMP-VM, CMP-PHANTOM]
  excludes: [CMP-SPECTRE]
  service_levels: {CMP-WRAITH: gold}
  centres: [CZ-BRN, XX-NOWHERE]
"""
        },
        [
            ("assurance/ghosts.yaml", 5, "request.price_book", "unknown price book 'CHF'"),
            ("assurance/ghosts.yaml", 7, "request.offering", "unknown offering 'OFF-GHOST'"),
            (
                "assurance/ghosts.yaml",
                9,
                "request.needs[0].capability",
                "unknown capability 'compute.ghost'",
            ),
            (
                "assurance/ghosts.yaml",
                10,
                "request.residency[1]",
                "no delivery centre is in region 'MARS'",
            ),
            ("assurance/ghosts.yaml", 11, "request.include[0]", "unknown component 'CMP-GHOST'"),
            ("assurance/ghosts.yaml", 12, "request.exclude[0]", "unknown component 'CMP-SHADOW'"),
            ("assurance/ghosts.yaml", 14, "expect.includes[1]", "unknown component 'CMP-PHANTOM'"),
            ("assurance/ghosts.yaml", 15, "expect.excludes[0]", "unknown component 'CMP-SPECTRE'"),
            (
                "assurance/ghosts.yaml",
                16,
                "expect.service_levels.CMP-WRAITH",
                "unknown component 'CMP-WRAITH'",
            ),
            (
                "assurance/ghosts.yaml",
                17,
                "expect.centres[1]",
                "unknown delivery centre 'XX-NOWHERE'",
            ),
        ],
    ),
    "need-attributes": (
        {
            "assurance/variants.yaml": """\
- id: no-such-attribute
  name: An attribute no server has
  owner: me
  request:
    price_book: EUR
    term_months: 12
    needs: [{capability: compute.linux, quantity: 1, attributes: {colour: blue}}]
- id: no-such-value
  name: A value no server has
  owner: me
  request:
    price_book: EUR
    term_months: 12
    needs: [{capability: compute.linux, quantity: 1, attributes: {platform: mainframe}}]
- id: never-together
  name: Values no one server has together
  owner: me
  request:
    price_book: EUR
    term_months: 12
    needs: [{capability: compute.linux, quantity: 1,
             attributes: {platform: virtual, memory: 1536gb}}]
- id: none-at-all
  name: Attributes of a capability whose providers have none
  owner: me
  request:
    price_book: EUR
    term_months: 12
    needs: [{capability: os.linux.managed, quantity: 1, attributes: {flavour: suse}}]
"""
        },
        [
            (
                "assurance/variants.yaml",
                7,
                "[0].request.needs[0].attributes.colour",
                "no provider of 'compute.linux' has attribute 'colour' "
                "(they have arch, memory, platform)",
            ),
            (
                "assurance/variants.yaml",
                14,
                "[1].request.needs[0].attributes.platform",
                "no provider of 'compute.linux' has platform 'mainframe' (only physical, virtual)",
            ),
            (
                "assurance/variants.yaml",
                22,
                "[2].request.needs[0].attributes",
                "no component provides 'compute.linux' with memory=1536gb, platform=virtual",
            ),
            (
                "assurance/variants.yaml",
                29,
                "[3].request.needs[0].attributes.flavour",
                "no provider of 'os.linux.managed' has attribute 'flavour' (they have none)",
            ),
        ],
    ),
    "service-levels": (
        {
            "assurance/levels.yaml": LINUX_PAIR.replace(
                "{CMP-VM: bronze}", "{CMP-VM: gold, OS-LNX: bronze}"
            )
        },
        [
            (
                "assurance/levels.yaml",
                18,
                "expect.service_levels.CMP-VM",
                "CMP-VM has no service level 'gold' (it has bronze)",
            )
        ],
    ),
    "contradictions": (
        {
            "assurance/never.yaml": """\
id: never
name: Expectations its own request rules out
owner: me
request:
  price_book: EUR
  term_months: 12
  residency: [EU]
  include: [CMP-VM, OS-LNX]
  exclude: [CMP-PHY, OS-LNX]
expect:
  includes: [CMP-PHY]
  excludes: [CMP-VM]
  service_levels: {CMP-PHY: bronze, CMP-VM: bronze}
"""
        },
        [
            ("assurance/never.yaml", 9, "request.exclude[1]", "OS-LNX both included and excluded"),
            (
                "assurance/never.yaml",
                11,
                "expect.includes[0]",
                "the request excludes CMP-PHY: it can never be in the bundle",
            ),
            (
                "assurance/never.yaml",
                12,
                "expect.excludes[0]",
                "the request includes CMP-VM: it is always in the bundle",
            ),
            (
                "assurance/never.yaml",
                13,
                "expect.service_levels.CMP-PHY",
                "the request excludes CMP-PHY: it can never be in the bundle",
            ),
            (
                "assurance/never.yaml",
                13,
                "expect.service_levels.CMP-VM",
                "CMP-VM is in excludes: it has no service level to expect",
            ),
        ],
    ),
    "centres-outside-the-residency": (
        {"assurance/pair.yaml": LINUX_PAIR.replace("residency: [EU]", "residency: [US]")},
        [
            ("assurance/pair.yaml", 12, "request.residency[0]", "no delivery centre is in region"),
            ("assurance/pair.yaml", 21, "expect.centres", "every centre allowed is outside"),
        ],
    ),
    "duplicates": (
        {
            "assurance/linux-pair.yaml": LINUX_PAIR,
            "assurance/pairs.yaml": "- " + LINUX_PAIR.replace("\n", "\n  ").rstrip() + "\n"
            "- " + LINUX_PAIR.replace("\n", "\n  ").rstrip() + "\n",
        },
        [
            (
                "assurance/pairs.yaml",
                1,
                "[0].id",
                "duplicate id 'linux-pair', already defined in assurance/linux-pair.yaml",
            ),
            (
                "assurance/pairs.yaml",
                22,
                "[1].id",
                "duplicate id 'linux-pair', already defined in assurance/linux-pair.yaml",
            ),
        ],
    ),
    "a-list-file-with-several-records": (
        {
            "assurance/several.yaml": """\
- id: first
  name: One unknown field
  owner: me
  request: {price_book: EUR, term_months: 12, offering: OFF-LNX, colour: blue}
- id: second
  name: A term too long and a quantity of none
  owner: me
  request:
    price_book: EUR
    term_months: 121
    needs: [{capability: compute.linux, quantity: 0}]
- just a string
- id: fourth
  name: A reference to a component nobody wrote
  owner: me
  request: {price_book: EUR, term_months: 12, include: [CMP-NOBODY]}
- id: fourth
  name: The same id again
  owner: me
  request: {price_book: EUR, term_months: 12, offering: OFF-LNX}
"""
        },
        [
            ("assurance/several.yaml", 4, "[0].request.colour", "unknown field"),
            ("assurance/several.yaml", 10, "[1].request.term_months", "less than or equal to 120"),
            (
                "assurance/several.yaml",
                11,
                "[1].request.needs[0].quantity",
                "greater than or equal to 1",
            ),
            ("assurance/several.yaml", 12, "[2]", "expected a mapping of fields"),
            (
                "assurance/several.yaml",
                16,
                "[3].request.include[0]",
                "unknown component 'CMP-NOBODY'",
            ),
            (
                "assurance/several.yaml",
                17,
                "[4].id",
                "duplicate id 'fourth', already defined in assurance/several.yaml at [3]",
            ),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_problem_is_reported_with_file_line_and_field(
    catalog: Callable[[dict[str, str]], Path], case: str
) -> None:
    files, expected = CASES[case]
    problems = found(catalog(files))
    assert len(problems) == len(expected), problems
    for (file, line, field, words), problem in zip(expected, problems, strict=True):
        assert problem[:3] == (file, line, field), problem
        assert words in problem[3], problem


def test_the_cli_prints_each_problem_and_fails(
    catalog: Callable[[dict[str, str]], Path],
) -> None:
    files, expected = CASES["unknown-references"]
    outcome = CliRunner().invoke(app, ["catalog", "validate", str(catalog(files))])
    assert outcome.exit_code == 1
    lines = outcome.output.splitlines()
    for file, line, field, words in expected:
        assert any(
            text.startswith(f"{file}:{line}: {field}: ") and words in text for text in lines
        ), outcome.output
    assert f"{len(expected)} error(s)" in outcome.output


def test_records_that_failed_their_own_validation_do_not_cascade(
    catalog: Callable[[dict[str, str]], Path],
) -> None:
    """The component (the need's provider with its attributes, the service level's),
    price book, offering and centre (with the region of the residency) a combination names
    are each broken: their own problems are said, and the combination adds none."""
    root = catalog({"assurance/linux-pair.yaml": LINUX_PAIR})
    for relative, old, new in (
        ("components/compute/CMP-VM.yaml", "unit: server", "unit: server\ncolour: blue"),
        ("price-books.yaml", "currency: EUR", "currency: EUR\n  colour: blue"),
        ("offerings.yaml", "name: Managed Linux", "name: Managed Linux\n  colour: blue"),
    ):
        path = root / relative
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new))
    with (root / "delivery-centres.yaml").open("a") as centres:
        centres.write(
            "- {code: US-DAL, name: Dallas, country: USA, region: US, cost_currency: CZK,\n"
            "   competencies: [unix-linux-ops], labour_rates: {linux-admin: 1},\n"
            "   monthly_capacity_hours: 1}\n"
        )
    pair = root / "assurance" / "linux-pair.yaml"
    pair.write_text(
        pair.read_text()
        .replace("  exclude: [CMP-PHY]", "  offering: OFF-LNX")
        .replace("residency: [EU]", "residency: [EU, US]")
        .replace("centres: [CZ-BRN]", "centres: [CZ-BRN, US-DAL]")
    )
    problems = found(root)
    assert [(file, field) for file, _, field, _ in problems] == [
        ("components/compute/CMP-VM.yaml", "colour"),
        ("delivery-centres.yaml", "[1].country"),
        ("offerings.yaml", "[0].colour"),
        ("price-books.yaml", "[0].colour"),
    ], problems


def test_a_catalog_as_one_mapping_names_the_record(
    catalog: Callable[[dict[str, str]], Path],
) -> None:
    """The API's JSON import: the same checks, each problem naming ``assurances[i]``."""
    snapshot = load_catalog(catalog({"assurance/linux-pair.yaml": LINUX_PAIR}))
    data = snapshot.model_dump(mode="json", by_alias=True)
    data["assurances"][0]["request"]["price_book"] = "CHF"
    data["assurances"].append({**data["assurances"][0], "id": "other", "owner": ""})
    result = validate_mapping(data)
    assert [(p.file, p.field, p.message) for p in result.errors] == [
        ("assurances[0]", "request.price_book", "unknown price book 'CHF'"),
        ("assurances[1]", "owner", "string should have at least 1 character (got '')"),
    ]


def test_records_of_a_database_name_the_combination(
    catalog: Callable[[dict[str, str]], Path],
) -> None:
    """The service's checks: a price book an assured combination names, deleted."""
    snapshot = load_catalog(catalog({"assurance/linux-pair.yaml": LINUX_PAIR}))
    collections = {
        name: getattr(snapshot, name)
        for name in ("capabilities", "competencies", "delivery_centres", "components",
                     "rules", "offerings", "assurances")
    }  # fmt: skip
    problems = sorted(check(records_of(collections)))
    assert [(p.file, p.field, p.message) for p in problems if p.severity == "error"] == [
        ("assurances/linux-pair", "request.price_book", "unknown price book 'EUR'"),
        # (and the components' prices in it, said of each component)
        ("components/CMP-PHY", "prices.EUR", "unknown price book 'EUR'"),
        ("components/CMP-VM", "prices.EUR", "unknown price book 'EUR'"),
        ("components/OS-LNX", "prices.EUR", "unknown price book 'EUR'"),
    ]


def test_the_model_refuses_an_attribute_list_longer_than_the_apis() -> None:
    need: dict[str, object] = {"capability": "compute.linux", "quantity": 1}
    body = {
        "id": "x",
        "name": "x",
        "owner": "x",
        "request": {"price_book": "EUR", "term_months": 1, "needs": [need]},
    }
    AssuredCombination.model_validate(body)
    need["attributes"] = {f"a{index}": "v" for index in range(11)}
    with pytest.raises(ValueError, match="at most 10"):
        AssuredCombination.model_validate(body)
