"""The ``offerwright`` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from catalog.loader import default_catalog_path, validate_catalog
from catalog.summary import render, summarise

app = typer.Typer(
    help="Offerwright: service component catalog and proposal configurator.", no_args_is_help=True
)
catalog_app = typer.Typer(
    help="Catalog-as-code: validate a catalog directory.", no_args_is_help=True
)
app.add_typer(catalog_app, name="catalog")


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


@app.command()
def demo() -> None:
    """Show what Offerwright does, end to end, on the default catalog."""
    typer.echo("Offerwright demo: the default catalog\n")
    _validate_and_report(default_catalog_path())


def main() -> None:
    app()


if __name__ == "__main__":
    main()
