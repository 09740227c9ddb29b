"""The ``offerwright`` command."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from app.kit.errors import OfferwrightError
from catalog import default_catalog_path, export_catalog, render, summarise, validate_catalog

app = typer.Typer(
    help="Offerwright: service component catalog and proposal configurator.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # never print keys or settings in a traceback
)
catalog_app = typer.Typer(
    help="Catalog-as-code: validate, import and export catalog directories.", no_args_is_help=True
)
db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys: create and revoke.", no_args_is_help=True)
users_app = typer.Typer(
    help="People's accounts for the web app: create, disable, reset a password.",
    no_args_is_help=True,
)
app.add_typer(catalog_app, name="catalog")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(users_app, name="users")


def _shell() -> Any:
    """The command line's shell: built by the composition root, solving and rendering in
    this process."""
    from app.bootstrap import build

    return build(in_process=True)


def _database() -> Any:
    return _shell().database


def _migrated_database() -> Any:
    return _migrated_shell().database


def _migrated_shell() -> Any:
    from app.kit.migrate import is_current

    shell = _shell()
    if not is_current(shell.database.engine):
        typer.echo("error: the database is not up to date; run `offerwright db upgrade`", err=True)
        raise typer.Exit(code=1)
    return shell


def _fail(error: OfferwrightError) -> NoReturn:
    typer.echo(f"error: {error.detail}", err=True)
    for problem in getattr(error, "problems", ()):
        typer.echo(f"  {problem.field}: {problem.message}", err=True)
    raise typer.Exit(code=1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (SQLite file in the working directory unless
    OFFERWRIGHT_DATABASE_URL says otherwise)."""
    from app.kit.migrate import upgrade

    database = _database()
    upgrade(database.engine)
    typer.echo(f"database {database.engine.url.render_as_string(hide_password=True)} is up to date")


@catalog_app.command("import")
def catalog_import(
    path: Annotated[
        Path | None,
        typer.Argument(help="Catalog directory; the packaged default catalog when omitted."),
    ] = None,
) -> None:
    """Validate a catalog directory and load it into the database in one transaction."""
    from app.auth.principal import SYSTEM
    from app.portfolio.catalog.service import import_snapshot

    path = path or default_catalog_path()
    result = validate_catalog(path)
    if result.snapshot is None:
        for problem in result.errors:
            typer.echo(str(problem), err=True)
        typer.echo(f"{path}: {len(result.errors)} error(s); nothing imported", err=True)
        raise typer.Exit(code=1)
    shell = _migrated_shell()
    try:
        with shell.database.transaction(write=True) as session:
            report = import_snapshot(session, SYSTEM, result.snapshot, trusted=True)
        # The assured combinations on the catalog it made, stored; never a refusal (CI runs
        # `offerwright catalog assure` on the files before they get here).
        assured = shell.assurance.after_import(SYSTEM)
    except OfferwrightError as error:
        _fail(error)
    counts = report.as_dict()
    typer.echo(
        f"imported {path}: {counts['components_created']} component(s) created, "
        f"{counts['components_versioned']} new version(s), "
        f"{counts['components_unchanged']} unchanged; registry records "
        f"+{counts['records_created']} ~{counts['records_updated']} -{counts['records_deleted']}"
    )
    if assured is not None:
        typer.echo(
            f"assured combinations: {assured['held']} held, {assured['broken']} broken "
            f"(run {assured['run']})"
        )
        for broken in assured["broken_combinations"]:
            typer.echo(f"  broken: {broken['id']} ({broken['name']}): "
                       + "; ".join(broken["reasons"]))  # fmt: skip


@catalog_app.command("export")
def catalog_export(
    path: Annotated[Path, typer.Argument(help="Directory to write (replaced as a whole).")],
) -> None:
    """Write the database's catalog (latest version of each component) as catalog-as-code."""
    from app.portfolio.catalog.store import working_snapshot

    database = _migrated_database()
    with database.transaction(write=False) as session:
        snapshot = working_snapshot(session)
    written = export_catalog(snapshot, path)
    typer.echo(f"wrote {len(written)} file(s) to {path}")


def _create_key(session: Any, *, name: str, role: str, centre: str | None) -> str:
    """A new key, recorded in the audit log in the same transaction. Here, not in auth: the
    audit log depends on auth (principals, who sees what), so auth never calls it."""
    from app.audit.service import record
    from app.auth.principal import SYSTEM
    from app.auth.service import create_key

    key = create_key(session, name=name, role=role, centre=centre)
    record(session, SYSTEM, "key.create", "api_key", name, None, {"role": role, "centre": centre})
    return key


def _revoke_key(session: Any, name: str) -> None:
    """Revoke a key; recorded in the audit log when it was revoked now."""
    from app.audit.service import record
    from app.auth.principal import SYSTEM
    from app.auth.service import revoke_key

    if revoke_key(session, name):
        record(session, SYSTEM, "key.revoke", "api_key", name, None, None)


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="A unique name for the key's holder.")],
    role: Annotated[str, typer.Option(help="sales, portfolio, approver, delivery or admin.")],
    centre: Annotated[
        str | None, typer.Option(help="The delivery centre code (delivery keys only).")
    ] = None,
) -> None:
    """Create an API key; the key is printed once, alone on the last line."""
    database = _migrated_database()
    try:
        with database.transaction(write=True) as session:
            key = _create_key(session, name=name, role=role, centre=centre)
    except OfferwrightError as error:
        _fail(error)
    typer.echo(f"created {role} key {name!r}; store it now, it is not shown again:")
    typer.echo(key)


@keys_app.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke an API key: it stops working at once."""
    database = _migrated_database()
    try:
        with database.transaction(write=True) as session:
            _revoke_key(session, name)
    except OfferwrightError as error:
        _fail(error)
    typer.echo(f"revoked key {name!r}")


NewPassword = Annotated[
    str | None,
    typer.Option(
        help="The password (asked for twice without echo when left out).",
        envvar="OFFERWRIGHT_NEW_PASSWORD",
    ),
]


def _new_password(given: str | None) -> str:
    """The password given, or one asked for twice without echo; a generated one is shown."""
    if given is not None:
        return given
    asked: str = typer.prompt("password (12 characters or more)", hide_input=True,
                              confirmation_prompt=True)  # fmt: skip
    return asked


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="The person's e-mail address (their sign-in).")],
    name: Annotated[str, typer.Option(help="Their name as pages show it.")],
    role: Annotated[str, typer.Option(help="sales, portfolio, approver, delivery or admin.")],
    centre: Annotated[
        str | None, typer.Option(help="The delivery centre code (delivery users only).")
    ] = None,
    password: NewPassword = None,
) -> None:
    """Create an account for a person to sign in to the web app."""
    from app.accounts import create_account
    from app.auth.principal import SYSTEM

    database = _migrated_database()
    secret = _new_password(password)
    try:
        with database.transaction(write=True) as session:
            account = create_account(session, SYSTEM, email=email, name=name, role=role,
                                     password=secret, centre=centre)  # fmt: skip
    except OfferwrightError as error:
        _fail(error)
    typer.echo(f"created {account.role} account {account.email} ({account.name})")


@users_app.command("disable")
def users_disable(email: Annotated[str, typer.Argument(help="The account's e-mail.")]) -> None:
    """Disable an account: its sessions end at once, it can no longer sign in."""
    from app.accounts import disable_account
    from app.auth.principal import SYSTEM

    database = _migrated_database()
    try:
        with database.transaction(write=True) as session:
            changed = disable_account(session, SYSTEM, email)
    except OfferwrightError as error:
        _fail(error)
    typer.echo(f"disabled {email.strip().lower()}" + ("" if changed else " (it already was)"))


@users_app.command("reset-password")
def users_reset_password(
    email: Annotated[str, typer.Argument(help="The account's e-mail.")],
    password: NewPassword = None,
) -> None:
    """Set a new password; every session of the account ends."""
    from app.accounts import reset_account_password
    from app.auth.principal import SYSTEM

    database = _migrated_database()
    secret = _new_password(password)
    try:
        with database.transaction(write=True) as session:
            reset_account_password(session, SYSTEM, email, secret)
    except OfferwrightError as error:
        _fail(error)
    typer.echo(f"new password set for {email.strip().lower()}; its sessions have ended")


KEEP_ALIVE_SECONDS = 20
MOST_DEFAULT_WORKERS = 4


def default_workers() -> int:
    """One API process per core, at most four: a process serves about 1,200 cached catalog
    reads a second on one core (the framework's own work per request), two on two cores
    3,300; more than four by default would multiply the database connections (see the
    README's "Under load") before it multiplies anything else."""
    return max(1, min(os.cpu_count() or 1, MOST_DEFAULT_WORKERS))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(help="API processes [default: one per core, at most 4]."),
    ] = None,
) -> None:
    """Run the REST API with Uvicorn (docs at /docs). X-Forwarded-For is believed only from
    the proxies in OFFERWRIGHT_TRUSTED_PROXIES."""
    import uvicorn

    workers = workers or default_workers()

    from app.auth.throttle import server_options
    from app.kit.settings import get_settings

    # Idle connections stay open longer than any Retry-After we send, so a client retrying
    # as told never races the server closing its connection.
    options = server_options(get_settings())
    uvicorn.run(
        "app.main:app", host=host, port=port, workers=workers,
        timeout_keep_alive=KEEP_ALIVE_SECONDS, **options,
    )  # fmt: skip


@app.command()
def worker(
    concurrency: Annotated[
        int, typer.Option(min=1, help="Jobs run at once (and PDF renderer processes).")
    ] = 2,
) -> None:
    """Run background jobs (proposal PDFs...) from the PostgreSQL queue until stopped
    (Ctrl-C or SIGTERM finish the jobs running). Start as many as you need, on any
    machines. On SQLite there is nothing to start: `offerwright serve` runs its jobs."""
    from app.bootstrap import work
    from app.kit.settings import get_settings

    settings = get_settings()
    if settings.resolved_database_url.startswith("sqlite"):
        typer.echo(
            "error: `offerwright worker` needs PostgreSQL (set OFFERWRIGHT_DATABASE_URL="
            "postgresql+psycopg://...); on SQLite, `offerwright serve` runs the background "
            "jobs in its own threads, so there is no worker to start",
            err=True,
        )
        raise typer.Exit(code=2)
    import logging

    # What the worker did and why a job failed: on standard error, for the service manager.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    work(settings, concurrency=concurrency)


def _validate_and_report(path: Path) -> None:
    result = validate_catalog(path)
    for problem in result.problems:
        typer.echo(str(problem), err=problem.severity == "error")
    if result.snapshot is None:
        typer.echo(
            f"{path}: {len(result.errors)} error(s), {len(result.warnings)} warning(s); "
            "nothing loaded",
            err=True,
        )
        raise typer.Exit(code=1)
    typer.echo(
        f"Catalog {path} is valid"
        + (f" ({len(result.warnings)} warning(s))" if result.warnings else "")
    )
    typer.echo(render(summarise(result.snapshot)))


@catalog_app.command("validate")
def validate(
    path: Annotated[
        Path | None,
        typer.Argument(help="Catalog directory; the packaged default catalog when omitted."),
    ] = None,
) -> None:
    """Validate a catalog and print its summary, or every problem found (exit code 1)."""
    _validate_and_report(path or default_catalog_path())


def _assure_workers(requested: int | None, combinations: int) -> int:
    """Solves at once: one per core (at most four, like ``serve``), never more than there
    are combinations. Measured on two idle cores (benchmarks/RESULTS.md, "Assured
    combinations"; three runs): two warm solver processes ran the default suite in 0.7 s
    against 1.1 to 1.35 s in one; end to end, a fresh command took 1.6 to 2.1 s on the pool
    and 1.8 to 2.4 s in process (the workers' start eats much of the gain at 27). The
    pool is the default for that, for larger suites, and for what it guarantees: a solve
    past its time limit is killed with its worker and reported, so a CI job never hangs."""
    wanted = requested if requested is not None else default_workers()
    return max(1, min(wanted, combinations))


def _assure(snapshot: Any, workers: int) -> Any:
    """The verdicts of every assured combination of ``snapshot``, solved in this process or,
    with more than one worker, on a solver pool of that many processes."""
    from app.assurance import run_suite
    from app.configurator import ConfigurationRequest, Limits, Solution, SolverTimeout, configure

    limits = Limits()
    if workers == 1:
        return run_suite(snapshot.assurances, lambda request: configure(snapshot, request, limits))
    from app.quoting.solver_pool import SolverPool

    pool = SolverPool(workers=workers, queue_wait=ASSURE_QUEUE_WAIT_SECONDS, grace=1.0)

    def solve(request: ConfigurationRequest) -> Solution:
        try:
            return pool.solve("assure", snapshot, request, limits)
        except OfferwrightError as error:  # killed past its time limit, or no free solver
            raise SolverTimeout(error.detail) from error

    try:
        return run_suite(snapshot.assurances, solve, at_once=workers)
    finally:
        pool.close()


# As many threads as solver processes wait on the pool, so a solve never queues for long;
# a generous wait only guards against a machine too loaded to start its workers.
ASSURE_QUEUE_WAIT_SECONDS = 60.0


def _assure_lines(verdict: Any, width: int) -> list[str]:
    """``held`` or ``BROKEN``, the id, the name and what was found; under a broken one,
    every expectation it fails."""
    mark = "held" if verdict.held else "BROKEN"
    head = f"{mark:<6} {verdict.combination:<{width}}  {verdict.name}: {verdict.finding.detail}"
    return [head, *(f"{'':<{width + 7}}  - {reason}" for reason in verdict.reasons)]


@catalog_app.command("assure")
def catalog_assure(
    path: Annotated[
        Path | None,
        typer.Argument(help="Catalog directory; the packaged default catalog when omitted."),
    ] = None,
    junit: Annotated[
        Path | None,
        typer.Option(
            "--junit", help="Also write the results as JUnit XML (for CI).", dir_okay=False
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Solver processes (default: one per core, at most 4); 1 solves in this process.",
        ),
    ] = None,
) -> None:
    """Run the catalog's assured combinations (assurance/*.yaml): one line each, held or
    BROKEN with every expectation it fails. Exit code 1 when any breaks, 2 when the catalog
    has errors (nothing ran)."""
    import time

    from app.assurance import junit_report, write_junit

    path = path or default_catalog_path()
    started = time.perf_counter()
    result = validate_catalog(path)
    if result.snapshot is None:
        problems = [str(problem) for problem in result.errors]
        for problem in problems:
            typer.echo(problem, err=True)
        typer.echo(f"{path}: {len(problems)} error(s); no combination ran", err=True)
        if junit is not None:
            document = junit_report((), catalog=str(path), seconds=0.0, problems=problems)
            write_junit(junit, document)
        raise typer.Exit(code=2)
    snapshot = result.snapshot
    count = len(snapshot.assurances)
    if not count:
        typer.echo(f"{path}: no assured combinations (add them under assurance/)")
    at_once = _assure_workers(workers, count)
    if count:
        how = "in this process" if at_once == 1 else f"on {at_once} solver processes"
        typer.echo(f"Assuring {count} combination(s) of {path}, {how}")
    verdicts = _assure(snapshot, at_once) if count else ()
    seconds = time.perf_counter() - started
    width = max((len(verdict.combination) for verdict in verdicts), default=0)
    for verdict in verdicts:
        for line in _assure_lines(verdict, width):
            typer.echo(line)
    broken = sum(not verdict.held for verdict in verdicts)
    typer.echo(f"{count - broken} held, {broken} broken ({seconds:.1f} s)")
    if junit is not None:
        write_junit(junit, junit_report(verdicts, catalog=str(path), seconds=seconds))
        typer.echo(f"wrote {junit}")
    if broken:
        raise typer.Exit(code=1)


@app.command()
def demo() -> None:
    """Show what Offerwright does, end to end: validate the default catalog, build the
    database, import the catalog, create demo keys, price a bundle, configure one from
    needs, and write a proposal PDF (offerwright-demo-proposal.pdf)."""
    from app.auth.principal import ROLES, SYSTEM
    from app.kit.migrate import upgrade
    from app.portfolio.catalog.service import import_snapshot

    typer.echo("Offerwright demo: the default catalog\n")
    _validate_and_report(default_catalog_path())
    snapshot = validate_catalog(default_catalog_path()).snapshot
    assert snapshot is not None  # reported and exited above otherwise
    database = _database()
    upgrade(database.engine)
    keys: dict[str, str] = {}
    people: dict[str, str] = {}
    with database.transaction(write=True) as session:
        report = import_snapshot(session, SYSTEM, snapshot, trusted=True).as_dict()
        for role in ROLES:
            centre = DEMO_DELIVERY_CENTRE if role == "delivery" else None
            # A key from an earlier demo run exists (Conflict): keys are only ever shown once.
            with contextlib.suppress(OfferwrightError):
                keys[role] = _create_key(session, name=f"demo-{role}", role=role, centre=centre)
            with contextlib.suppress(OfferwrightError):  # so is a password
                people[role] = _create_demo_user(session, role, centre)
    url = database.engine.url.render_as_string(hide_password=True)
    typer.echo(
        f"\nDatabase {url}: {report['components_created']} component(s) imported, "
        f"{report['components_unchanged']} already there."
    )
    for shown, key in keys.items():
        bound = f" (delivery centre {DEMO_DELIVERY_CENTRE})" if shown == "delivery" else ""
        typer.echo(f"  demo {shown} key: {key}{bound}")
    if not keys:
        typer.echo("  demo keys exist from an earlier run (create more: offerwright keys create)")
    if people:
        typer.echo("\nSign in to the web app (`offerwright serve`, then http://127.0.0.1:8000/):")
    width = max((len(DEMO_EMAIL.format(role=shown)) for shown in people), default=0)
    for shown, password in people.items():
        typer.echo(f"  {shown:<9} {DEMO_EMAIL.format(role=shown):<{width}}  password: {password}")
    if not people:
        typer.echo(
            "\nDemo users exist from an earlier run (offerwright users reset-password "
            + DEMO_EMAIL.format(role="sales")
            + ")"
        )
    with database.transaction(write=False) as session:
        _show_demo_quote(session)
        _show_demo_configuration(session)
    typer.echo("\nA proposal for the same request, as a PDF:")
    proposal = _write_proposal(
        {"customer": DEMO_CUSTOMER, "request": DEMO_REQUEST}, Path(DEMO_PROPOSAL_PDF)
    )
    link = _share(proposal)
    if link is not None:
        typer.echo(f"  the customer's link (once `offerwright serve` runs): {link}")
    typer.echo(
        "\nNext: `offerwright serve`, then open http://127.0.0.1:8000/docs or\n"
        "  curl -H 'Authorization: Bearer <key>' 'http://127.0.0.1:8000/v1/components?limit=5'"
    )


def _request_file(path: Path) -> dict[str, Any]:
    """A configuration request from a YAML or JSON file, numbers as exact decimals."""
    from decimal import Decimal

    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    def exact(value: Any) -> Any:
        if isinstance(value, float):
            return Decimal(str(value))
        if isinstance(value, dict):
            return {str(key): exact(item) for key, item in value.items()}
        if isinstance(value, list):
            return [exact(item) for item in value]
        return value

    try:
        data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as error:
        typer.echo(f"error: {path}: {error}", err=True)
        raise typer.Exit(code=1) from error
    if not isinstance(data, dict):
        typer.echo(f"error: {path}: a configuration request is a mapping", err=True)
        raise typer.Exit(code=1)
    return dict(exact(data))


@app.command()
def propose(
    request: Annotated[Path, typer.Argument(help="The configuration request (YAML or JSON).")],
    customer: Annotated[str, typer.Option(help="The customer's name.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the PDF.")],
    country: Annotated[str, typer.Option(help="The customer's ISO country code.")] = "DE",
    discount: Annotated[str | None, typer.Option(help="Sales discount, percent.")] = None,
) -> None:
    """Solve a request, price it, create and submit the proposal, and write its PDF: the
    whole path on the local database (migrated, with the default catalog if it has none)."""
    body: dict[str, Any] = {
        "customer": {"name": customer, "country": country},
        "request": _request_file(request),
        **({"discount_percent": discount} if discount is not None else {}),
    }
    _write_proposal(body, output)


def _write_proposal(body: dict[str, Any], output: Path) -> dict[str, Any]:
    from app.bootstrap import propose as propose_locally
    from app.kit.errors import Invalid, NoValidBundle

    try:
        proposal, pdf = propose_locally(_shell(), body)
    except Invalid as error:
        typer.echo(f"error: {error.detail}", err=True)
        for problem in error.problems:
            typer.echo(f"  {problem.field}: {problem.message}", err=True)
        raise typer.Exit(code=1) from error
    except NoValidBundle as error:
        typer.echo(f"error: {error.detail}", err=True)
        for repair in error.extra.get("repairs", []):
            typer.echo(f"  or: {repair['detail']}", err=True)
        raise typer.Exit(code=1) from error
    except OfferwrightError as error:
        _fail(error)
    output.write_bytes(pdf.content)
    totals = proposal["totals"]
    typer.echo(
        f"Proposal {proposal['number']} for {proposal['customer']['name']}: "
        f"{len(proposal['lines'])} lines, {totals['monthly']} {totals['currency']} a month, "
        f"{totals['contract_value']} {totals['currency']} over {proposal['term_months']} months; "
        f"{proposal['status'].replace('_', ' ')}."
    )
    if proposal["status"] == "pending_approval":
        typer.echo("  A guardrail is broken: an approver must approve it; the PDF is a draft.")
    typer.echo(f"  wrote {output} ({len(pdf.content) // 1024} KiB)")
    return proposal


def _share(proposal: dict[str, Any]) -> str | None:
    """A customer link to an issued proposal (it is then sent), or None if it is not."""
    from app.bootstrap import COMMAND_LINE
    from app.proposals.links.service import share

    if proposal["status"] not in ("approved", "sent"):
        return None
    shell = _shell()
    base = shell.settings.public_base_url or "http://127.0.0.1:8000"
    with shell.database.transaction(write=True) as session:
        created = share(session, COMMAND_LINE, proposal["id"], shell.settings, base)
    return created.url


# The README's worked example: three lines priced on the database's active catalog.
DEMO_QUOTE: dict[str, Any] = {
    "price_book": "EUR",
    "term_months": 36,
    "discount_percent": "5",
    "lines": [
        {"component": "CMP-VM-LNX", "quantity": 60, "service_level": "gold",
         "delivery_centre": "CZ-BRN"},
        {"component": "SD-L1-247", "quantity": 480, "service_level": "standard",
         "delivery_centre": "PL-WRO"},
        {"component": "NET-MPLS", "quantity": 3, "service_level": "silver",
         "delivery_centre": "DE-FRA"},
    ],
}  # fmt: skip


def _show_demo_quote(session: Any) -> None:
    """Price the demo bundle the way ``POST /v1/quotes/price`` does and print it."""
    from app.auth.principal import SYSTEM
    from app.kit.settings import get_settings
    from app.portfolio.catalog.active import ActiveCatalog
    from app.quoting.quotes import service as quotes

    priced = quotes.price(
        session, SYSTEM, ActiveCatalog(), DEMO_QUOTE, max_lines=get_settings().max_quote_lines
    )
    currency = priced["currency"]
    typer.echo(
        f"\nA priced bundle ({priced['price_book']} price book, {priced['term_months']} months, "
        f"{priced['discount_percent']} % discount):"
    )
    for line in priced["lines"]:
        typer.echo(
            f"  {line['quantity']:>5} x {line['component']:<12} {line['service_level']:<9} "
            f"{line['delivery_centre']:<7} {line['monthly']:>12} {currency}/month "
            f"{line['one_time']:>11} {currency} once"
        )
    totals, margin = priced["totals"], priced["margin"]
    typer.echo(
        f"  total {totals['monthly']} {currency} a month and {totals['one_time']} {currency} "
        f"once: {totals['contract_value']} {currency} over the term, margin {margin['percent']} %"
    )


DEMO_REQUEST: dict[str, Any] = {
    "price_book": "EUR",
    "term_months": 36,
    "needs": [{"capability": "compute.linux", "quantity": 20},
              {"capability": "storage.block", "quantity": 30},
              {"capability": "service-desk", "quantity": 250}],
    "residency": ["EU"],
    "min_availability": "99.5",
}  # fmt: skip


# A delivery key sees one centre's work: Brno delivers the worked example's Linux VMs.
DEMO_DELIVERY_CENTRE = "CZ-BRN"
DEMO_EMAIL = "{role}@demo.offerwright.example"
DEMO_NAMES = {
    "sales": "Sam Seller", "portfolio": "Pat Portfolio", "approver": "Alex Approver",
    "delivery": "Dana Delivery", "admin": "Ada Admin",
}  # fmt: skip


def _create_demo_user(session: Any, role: str, centre: str | None) -> str:
    """A demo account of ``role`` with a new random password (returned: shown once)."""
    import secrets

    from app.accounts import create_account
    from app.auth.principal import SYSTEM

    password = secrets.token_urlsafe(12)
    create_account(session, SYSTEM, email=DEMO_EMAIL.format(role=role), name=DEMO_NAMES[role],
                   role=role, password=password, centre=centre)  # fmt: skip
    return password


DEMO_CUSTOMER = {"name": "Acme Logistics GmbH", "country": "DE", "contact": "Jana Novak"}
DEMO_PROPOSAL_PDF = "offerwright-demo-proposal.pdf"


def _show_demo_configuration(session: Any) -> None:
    """Configure the demo request in process, as ``POST /v1/configurations`` would."""
    from app.configurator import configure
    from app.portfolio.catalog.active import ActiveCatalog
    from app.quoting.configurations.service import ConfigurationIn

    request = ConfigurationIn.model_validate(DEMO_REQUEST).as_request()
    solution = configure(ActiveCatalog().snapshot(session), request)
    bundle = solution.bundles[0]
    needs = ", ".join(f"{n['quantity']} {n['capability']}" for n in DEMO_REQUEST["needs"])
    typer.echo(f"\nA configured bundle for {needs} (EU only, 99.5 % availability):")
    for line, reasons in zip(bundle.quote.lines, bundle.reasons, strict=True):
        typer.echo(
            f"  {line.quantity:>5} x {line.component.code:<15} {line.service_level.name:<9} "
            f"{line.delivery_centre:<7} {line.price.monthly!s:>10} EUR/month  {reasons[0]}"
        )
    quote = bundle.quote
    typer.echo(
        f"  total {quote.price.monthly} EUR a month, {quote.price.contract} EUR over "
        f"{quote.term_months} months ({solution.status})"
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
