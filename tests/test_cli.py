"""The ``offerwright`` command against a database of its own: migrations, catalog import and
export, and API keys."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from app.auth.principal import ROLES, Principal
from app.auth.service import authenticate
from app.cli import app
from app.kit.database import Database, make_engine
from app.kit.settings import get_settings
from app.models import ApiKey, AuditEntry, CatalogRecord, ComponentHead, ComponentVersion
from catalog.loader import default_catalog_path

Invoke = Callable[..., Result]


def _invoker(url: str, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    runner = CliRunner()
    monkeypatch.setenv("OFFERWRIGHT_DATABASE_URL", url)

    def invoke(*args: str) -> Result:
        get_settings.cache_clear()  # the settings are read once per process
        return runner.invoke(app, list(args), env={"OFFERWRIGHT_DATABASE_URL": url})

    return invoke


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def cli(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    yield _invoker(url, monkeypatch)
    get_settings.cache_clear()


@pytest.fixture
def cli_db(url: str) -> Iterator[Database]:
    """The CLI's database, opened the way the API would."""
    database = Database(url)
    yield database
    database.dispose()


@pytest.fixture
def loaded(cli: Invoke) -> Invoke:
    """A migrated database holding the default catalog."""
    _ok(cli("db", "upgrade"))
    _ok(cli("catalog", "import"))
    return cli


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result


def _principal(database: Database, key: str) -> Principal | None:
    with database.transaction(write=False) as session:
        return authenticate(session, key)


def _count(database: Database, model: type) -> int:
    with database.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _records(database: Database) -> list[tuple[str, str, str]]:
    with database.transaction(write=False) as session:
        rows = session.scalars(select(CatalogRecord))
        return sorted((row.kind, row.key, repr(row.content)) for row in rows)


def test_upgrade_then_import_the_default_catalog(cli: Invoke, cli_db: Database) -> None:
    upgraded = _ok(cli("db", "upgrade"))
    assert "up to date" in upgraded.stdout
    imported = _ok(cli("catalog", "import"))
    assert "83 component(s) created" in imported.stdout
    assert _count(cli_db, ComponentHead) == 83
    # Upgrading again is harmless, and so is importing the same catalog again.
    _ok(cli("db", "upgrade"))
    again = _ok(cli("catalog", "import"))
    assert "0 component(s) created, 0 new version(s), 83 unchanged" in again.stdout
    assert "+0 ~0 -0" in again.stdout
    assert _count(cli_db, ComponentVersion) == 83


def test_a_key_is_printed_alone_on_the_last_line_and_authenticates(
    loaded: Invoke, cli_db: Database
) -> None:
    result = _ok(loaded("keys", "create", "--name", "n", "--role", "sales"))
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("ow_") and " " not in key and len(key) > 40
    assert key not in result.stderr
    assert _principal(cli_db, key) == Principal("n", "sales", None)


def test_a_delivery_key_needs_a_centre(loaded: Invoke, cli_db: Database) -> None:
    refused = loaded("keys", "create", "--name", "d", "--role", "delivery")
    assert refused.exit_code == 1
    assert "centre" in refused.stderr
    assert _count(cli_db, ApiKey) == 0

    result = _ok(
        loaded("keys", "create", "--name", "d", "--role", "delivery", "--centre", "CZ-BRN")
    )
    key = result.stdout.strip().splitlines()[-1]
    assert _principal(cli_db, key) == Principal("d", "delivery", "CZ-BRN")


@pytest.mark.parametrize(
    "args",
    [
        ["--name", "x", "--role", "root"],
        ["--name", "x", "--role", "sales", "--centre", "CZ-BRN"],
        ["--name", "x", "--role", "delivery", "--centre", "XX-NOWHERE"],
    ],
    ids=["unknown-role", "centre-on-a-sales-key", "unknown-centre"],
)
def test_invalid_keys_are_refused(loaded: Invoke, cli_db: Database, args: list[str]) -> None:
    result = loaded("keys", "create", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error:")
    assert _count(cli_db, ApiKey) == 0


def test_key_names_are_unique(loaded: Invoke, cli_db: Database) -> None:
    first = _ok(loaded("keys", "create", "--name", "n", "--role", "sales")).stdout
    again = loaded("keys", "create", "--name", "n", "--role", "admin")
    assert again.exit_code == 1
    assert "already exists" in again.stderr
    assert _principal(cli_db, first.strip().splitlines()[-1]) == Principal("n", "sales")


def test_a_revoked_key_no_longer_authenticates(loaded: Invoke, cli_db: Database) -> None:
    revoked = _ok(loaded("keys", "create", "--name", "n", "--role", "sales"))
    kept = _ok(loaded("keys", "create", "--name", "m", "--role", "admin"))
    key = revoked.stdout.strip().splitlines()[-1]
    assert _principal(cli_db, key) is not None
    _ok(loaded("keys", "revoke", "n"))
    assert _principal(cli_db, key) is None
    assert _principal(cli_db, kept.stdout.strip().splitlines()[-1]) == Principal("m", "admin")
    # Revoking twice is harmless; an unknown name is an error.
    _ok(loaded("keys", "revoke", "n"))
    unknown = loaded("keys", "revoke", "nobody")
    assert unknown.exit_code == 1 and "nobody" in unknown.stderr


def test_creating_and_revoking_a_key_are_audited_once_without_the_key(
    loaded: Invoke, cli_db: Database
) -> None:
    created = _ok(loaded("keys", "create", "--name", "n", "--role", "delivery", "--centre",
                         "CZ-BRN"))  # fmt: skip
    key = created.stdout.strip().splitlines()[-1]
    _ok(loaded("keys", "revoke", "n"))
    _ok(loaded("keys", "revoke", "n"))  # already revoked: nothing to record
    with cli_db.transaction(write=False) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_kind == "api_key").order_by(AuditEntry.id)
        ).all()
        seen = [(entry.action, entry.entity_key, entry.after) for entry in entries]
        stored = " ".join(repr((e.before, e.after, e.comment)) for e in entries)
    assert seen == [
        ("key.create", "n", {"role": "delivery", "centre": "CZ-BRN"}),
        ("key.revoke", "n", None),
    ]
    assert key not in stored


@pytest.mark.parametrize(
    "args",
    [
        ["catalog", "import"],
        ["catalog", "export", "{tmp}/out"],
        ["keys", "create", "--name", "n", "--role", "sales"],
        ["keys", "revoke", "n"],
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_commands_before_db_upgrade_say_to_run_it(
    cli: Invoke, tmp_path: Path, args: list[str]
) -> None:
    result = cli(*(arg.format(tmp=tmp_path) for arg in args))
    assert result.exit_code == 1
    assert "db upgrade" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_export_validate_and_reimport_is_lossless(
    loaded: Invoke, cli_db: Database, tmp_path: Path
) -> None:
    out = tmp_path / "exported"
    exported = _ok(loaded("catalog", "export", str(out)))
    assert "wrote" in exported.stdout
    assert (out / "components" / "compute" / "CMP-VM-LNX.yaml").is_file()
    validated = _ok(loaded("catalog", "validate", str(out)))
    assert f"Catalog {out} is valid" in validated.stdout
    audited = _count(cli_db, AuditEntry)
    imported = _ok(loaded("catalog", "import", str(out)))
    assert "0 component(s) created, 0 new version(s), 83 unchanged" in imported.stdout
    assert "+0 ~0 -0" in imported.stdout
    assert _count(cli_db, ComponentVersion) == 83
    assert _count(cli_db, AuditEntry) == audited


ASSURED = """\
id: cli.linux-vms
name: Two managed Linux VMs
owner: Compute portfolio
request:
  price_book: EUR
  term_months: 12
  needs: [{capability: compute.linux, quantity: 2, attributes: {platform: virtual}}]
expect: {includes: [CMP-VM-LNX], service_levels: {CMP-VM-LNX: gold}, monthly: {max: 5000}}
"""


def test_import_export_import_keeps_the_assurance_files(
    loaded: Invoke, cli_db: Database, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    shutil.copytree(default_catalog_path(), source)
    (source / "assurance").mkdir(exist_ok=True)
    (source / "assurance" / "linux.yaml").write_text(ASSURED)
    imported = _ok(loaded("catalog", "import", str(source)))
    assert "+1 ~0 -0" in imported.stdout
    out = tmp_path / "exported"
    _ok(loaded("catalog", "export", str(out)))
    written = (out / "assurance" / "cli.linux-vms.yaml").read_text()
    assert written.startswith("id: cli.linux-vms\nname: Two managed Linux VMs\n")
    assert "objective" not in written  # defaults left out
    audited = _count(cli_db, AuditEntry)
    again = _ok(loaded("catalog", "import", str(out)))
    assert "+0 ~0 -0" in again.stdout
    assert _count(cli_db, AuditEntry) == audited
    assert ("assurances", "cli.linux-vms") in {(kind, key) for kind, key, _ in _records(cli_db)}


def test_a_broken_catalog_directory_imports_nothing(
    loaded: Invoke, cli_db: Database, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(default_catalog_path(), broken)
    # A valid change to one component and a YAML syntax error in another file.
    vm = broken / "components" / "compute" / "CMP-VM-LNX.yaml"
    vm.write_text(vm.read_text().replace("summary: A standard", "summary: Changed. A standard"))
    centres = broken / "delivery-centres.yaml"
    centres.write_text(centres.read_text().replace("- code: DE-FRA", "- code: [DE-FRA", 1))
    records = _records(cli_db)
    audited = _count(cli_db, AuditEntry)

    result = loaded("catalog", "import", str(broken))
    assert result.exit_code == 1
    assert "delivery-centres.yaml" in result.stderr
    assert "nothing imported" in result.stderr
    assert _count(cli_db, ComponentVersion) == 83
    assert _count(cli_db, AuditEntry) == audited
    assert _records(cli_db) == records


def test_a_broken_catalog_into_an_empty_database_imports_nothing(
    cli: Invoke, cli_db: Database, tmp_path: Path
) -> None:
    _ok(cli("db", "upgrade"))
    broken = tmp_path / "broken"
    shutil.copytree(default_catalog_path(), broken)
    (broken / "rules.yaml").write_text("- id: R-BROKEN\n  kind: requires\n  if: [unclosed\n")
    result = cli("catalog", "import", str(broken))
    assert result.exit_code == 1
    assert "rules.yaml" in result.stderr
    assert _count(cli_db, ComponentHead) == 0
    assert _count(cli_db, CatalogRecord) == 0


@pytest.mark.postgres
def test_upgrade_and_import_on_postgres(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = f"ow_cli_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{postgres_url}?options=-csearch_path%3D{schema}"
    try:
        cli = _invoker(url, monkeypatch)
        _ok(cli("db", "upgrade"))
        imported = _ok(cli("catalog", "import"))
        assert "83 component(s) created" in imported.stdout
        key = _ok(cli("keys", "create", "--name", "pg", "--role", "admin")).stdout
        database = Database(url)
        try:
            assert _count(database, ComponentHead) == 83
            assert _principal(database, key.strip().splitlines()[-1]) == Principal("pg", "admin")
            with database.transaction(write=False) as session:
                assert session.scalar(text("SELECT current_schema()")) == schema
        finally:
            database.dispose()
        # Everything landed in the test's own schema.
        with admin.connect() as connection:
            tables = connection.scalar(
                text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"),
                {"s": schema},
            )
        assert tables >= 6
    finally:
        get_settings.cache_clear()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_demo_builds_imports_prices_and_can_run_again(
    cli: Invoke, cli_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    first = cli("demo")
    _ok(first)
    assert "83 component(s) imported" in first.output
    # One key per role, each working as its role; the delivery key bound to a centre.
    printed = {
        line.split()[1]: line.split()[3]
        for line in first.output.splitlines()
        if line.startswith("  demo ") and " key: ow_" in line
    }
    assert sorted(printed) == sorted(ROLES)
    assert first.output.count(" key: ow_") == len(ROLES)
    for role, key in printed.items():
        centre = "CZ-BRN" if role == "delivery" else None
        assert _principal(cli_db, key) == Principal(f"demo-{role}", role, centre)
    assert "(delivery centre CZ-BRN)" in first.output
    # The README's worked example, priced from the database just built.
    assert "11742.30 EUR/month" in first.output
    assert "total 21840.09 EUR a month and 26250.90 EUR once: 812494.14 EUR" in first.output
    # And a bundle configured from needs, every line with its first reason.
    assert "A configured bundle for 20 compute.linux, 30 storage.block" in first.output
    assert "covers need storage.block (30 TB)" in first.output
    assert "(optimal)" in first.output
    # And it ends with the proposal for that request, as an issued PDF.
    assert "Proposal P-" in first.output and "; approved." in first.output
    text = _pdf_text(tmp_path / "offerwright-demo-proposal.pdf")
    assert "Acme Logistics GmbH" in text and "Service schedules" in text
    # Shared with the customer: the link it prints opens the proposal's page.
    link = re.search(r"customer's link .*: (http://127\.0\.0\.1:8000(/p/[\w-]{43}))", first.output)
    assert link is not None, first.output
    from app.bootstrap import create_app

    with TestClient(create_app(database=cli_db)) as client:
        page = client.get(link[2])
    assert page.status_code == 200 and "Acme Logistics GmbH" in page.text
    again = cli("demo")
    _ok(again)
    assert "0 component(s) imported, 83 already there" in again.output
    assert "demo keys exist from an earlier run" in again.output
    assert "812494.14 EUR" in again.output


def _pdf_text(path: Path) -> str:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


REQUEST_YAML = """\
price_book: EUR
term_months: 24
residency: [EU]
needs:
  - {capability: compute.linux, quantity: 12}
  - {capability: storage.block, quantity: 20}
min_availability: 99.5
"""


def test_propose_runs_the_whole_path_on_a_fresh_database(cli: Invoke, tmp_path: Path) -> None:
    request = tmp_path / "request.yaml"
    request.write_text(REQUEST_YAML)
    output = tmp_path / "proposal.pdf"
    result = cli("propose", str(request), "--customer", "Globex Ltd", "--country", "GB",
                 "-o", str(output))  # fmt: skip
    _ok(result)
    assert "Proposal P-" in result.output and "for Globex Ltd" in result.output
    assert "over 24 months; approved." in result.output
    text = _pdf_text(output)
    assert "Globex Ltd" in text and "Contract value over 24 months" in text
    assert "DRAFT" not in text


def test_propose_prints_a_repair_of_two_changes_as_one(cli: Invoke, tmp_path: Path) -> None:
    # It printed "or: raise the budget…; allow delivery from other regions" for one repair
    # that needs both.
    request = tmp_path / "request.yaml"
    request.write_text(REQUEST_YAML.replace("[EU]", "[UK]") + "budget_monthly: '10.00'\n")
    result = cli("propose", str(request), "--customer", "Globex Ltd",
                 "-o", str(tmp_path / "proposal.pdf"))  # fmt: skip
    assert result.exit_code == 1
    assert "  or: allow delivery from other regions (its bundle delivers from " in result.output
    assert ") and raise the budget to " in result.output
    assert "; allow" not in result.output


def test_propose_explains_what_cannot_be_done(cli: Invoke, tmp_path: Path) -> None:
    request = tmp_path / "request.yaml"
    request.write_text(REQUEST_YAML + "budget_monthly: '10.00'\n")
    output = tmp_path / "proposal.pdf"
    result = cli("propose", str(request), "--customer", "Globex Ltd", "-o", str(output))
    assert result.exit_code == 1
    assert "below the cheapest valid bundle" in result.output
    assert "raise the budget to" in result.output
    assert not output.exists()
    request.write_text("needs: [unclosed")
    result = cli("propose", str(request), "--customer", "Globex Ltd", "-o", str(output))
    assert result.exit_code == 1 and "request.yaml" in result.output


SAP_YAML = """\
price_book: EUR
term_months: 36
residency: [EU]
min_availability: 99.5
needs:
  - {capability: sap.basis, quantity: 4, attributes: {sap_release: %s}}
  - {capability: db.hana, quantity: 4}
"""


def test_propose_takes_the_variant_a_need_names(cli: Invoke, tmp_path: Path) -> None:
    request, output = tmp_path / "sap.yaml", tmp_path / "sap.pdf"
    request.write_text(SAP_YAML % "bw4hana")
    _ok(cli("propose", str(request), "--customer", "Globex Ltd", "-o", str(output)))
    text = _pdf_text(output)
    assert "SAP BW/4HANA Basis operations" in text
    assert "SAP S/4HANA Basis operations" not in text
    request.write_text(SAP_YAML % "r3")
    result = cli("propose", str(request), "--customer", "Globex Ltd", "-o", str(output))
    assert result.exit_code == 1
    assert "needs[0].attributes.sap_release: no provider of 'sap.basis' has sap_release" in (
        result.output
    )


def test_the_systems_own_names_are_not_for_api_keys(loaded: Invoke) -> None:
    result = loaded("keys", "create", "--name", "offerwright:command-line", "--role", "sales")
    assert result.exit_code == 1 and "the system's own" in result.output


@pytest.mark.parametrize(("cores", "workers"), [(1, 1), (2, 2), (4, 4), (64, 4), (None, 1)])
def test_serve_runs_one_api_process_per_core_by_default(
    monkeypatch: pytest.MonkeyPatch, cores: int | None, workers: int
) -> None:
    import os

    import uvicorn

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kwargs: calls.append(kwargs))
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    assert CliRunner().invoke(app, ["serve", "--workers", "3"]).exit_code == 0
    assert [call["workers"] for call in calls] == [workers, 3]


def test_a_worker_on_sqlite_says_there_is_nothing_to_start(cli: Invoke) -> None:
    result = cli("worker")
    assert result.exit_code == 2
    assert "`offerwright worker` needs PostgreSQL" in result.stderr
    assert "`offerwright serve` runs the background jobs in its own threads" in result.stderr


# -- people's accounts: offerwright users ... and the demo's sign-ins ---------------------


def _signs_in(database: Database, email: str, password: str) -> bool:
    from app.auth.users import check_sign_in

    with database.transaction(write=True) as session:
        return check_sign_in(session, email, password) is not None


def test_users_create_disable_and_reset_password(
    loaded: Invoke, cli_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _ok(loaded("users", "create", "--email", "Ann@Example.com", "--name", "Ann A",
                      "--role", "delivery", "--centre", "CZ-BRN", "--password",
                      "a long enough password"))  # fmt: skip
    assert "created delivery account ann@example.com (Ann A)" in made.stdout
    assert "a long enough password" not in made.output
    assert _signs_in(cli_db, "ann@example.com", "a long enough password")
    # The password from the environment, as a script would give it.
    monkeypatch.setenv("OFFERWRIGHT_NEW_PASSWORD", "another long password")
    _ok(loaded("users", "reset-password", "ann@example.com"))
    assert _signs_in(cli_db, "ann@example.com", "another long password")
    assert not _signs_in(cli_db, "ann@example.com", "a long enough password")
    disabled = _ok(loaded("users", "disable", "ann@example.com"))
    assert "disabled ann@example.com" in disabled.stdout
    assert not _signs_in(cli_db, "ann@example.com", "another long password")
    assert "(it already was)" in _ok(loaded("users", "disable", "ann@example.com")).stdout
    with cli_db.transaction(write=False) as session:
        actions = list(session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity_key == "ann@example.com").order_by(AuditEntry.id)))  # fmt: skip
    assert actions == ["user.create", "user.reset_password", "user.disable"]


def test_users_commands_print_each_field_problem(loaded: Invoke) -> None:
    refused = loaded("users", "create", "--email", "nope", "--name", "N", "--role", "delivery",
                     "--password", "short")  # fmt: skip
    assert refused.exit_code == 1
    assert "  email: Enter an e-mail address like name@example.com" in refused.stderr
    assert "  centre: A delivery user belongs to one centre." in refused.stderr
    assert "  password: Use at least 12 characters." in refused.stderr
    unknown = loaded("users", "disable", "nobody@example.com")
    assert unknown.exit_code == 1 and "no account for nobody@example.com" in unknown.stderr
    short = loaded("users", "reset-password", "nobody@example.com", "--password", "x")
    assert short.exit_code == 1 and "password: Use at least 12 characters." in short.stderr


def test_the_demo_prints_a_working_sign_in_for_each_role(
    cli: Invoke, cli_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    output = _ok(cli("demo")).output
    printed = re.findall(r"^  (\w+)\s+(\S+@demo\.offerwright\.example)\s+password: (\S+)$",
                         output, re.M)  # fmt: skip
    assert sorted(role for role, _, _ in printed) == sorted(ROLES)
    columns = {line.index("password: ") for line in output.splitlines() if "password: " in line}
    assert len(columns) == 1  # the passwords line up under each other
    for role, email, password in printed:
        assert email == f"{role}@demo.offerwright.example"
        assert _signs_in(cli_db, email, password), role
    assert "Demo users exist from an earlier run" in _ok(cli("demo")).output
