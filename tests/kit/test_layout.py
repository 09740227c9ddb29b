"""The layout check (app/kit/layout.py): the real tree passes, and each rule, broken in a tiny
tree of its own, is reported with the path and line of the import that breaks it. Then the
domains' lazy faces (app/kit/faces.py): every public name resolves, and a worker's module
loads none of the web or database layers."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.kit.layout import Layout, check, main

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = ["auth", "audit", "delivery", "documents", "portfolio", "proposals", "quoting"]


def tree(root: Path, files: dict[str, str]) -> Layout:
    """The check of a tree holding ``files`` (and an empty ``__init__.py`` in each of their
    packages that has none)."""
    for name, text in files.items():
        path = root / name
        for package in path.relative_to(root).parents:
            if package != Path("."):
                (root / package).mkdir(parents=True, exist_ok=True)
                (root / package / "__init__.py").touch()
        path.write_text(textwrap.dedent(text))
    return check(root)


def findings(layout: Layout) -> list[str]:
    return [str(finding) for finding in layout.findings]


FACES = {
    "app/auth/__init__.py": """\
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from app.auth.principal import Principal

        __all__ = ["Principal"]
        """,
    "app/auth/principal.py": "class Principal: ...\n",
    "app/audit/__init__.py": """\
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from app.audit.service import record

        __all__ = ["record"]
        """,
    "app/audit/service.py": "def record() -> None: ...\n",
    "catalog/__init__.py": 'from catalog.components import Component\n\n__all__ = ["Component"]\n',
    "catalog/components.py": "class Component: ...\n",
}


def test_the_tree_keeps_its_layout() -> None:
    layout = check(ROOT)
    assert findings(layout) == []
    packages = {package.name: package for package in layout.packages}
    assert {f"app.{domain}" for domain in DOMAINS} <= set(packages)
    assert packages["catalog"].kind == "core" and packages["catalog"].depends_on == ()
    assert "app" not in {name.split(".")[0] for name in packages["pricing"].depends_on}
    assert all(package.lines > 0 for package in packages.values())


def test_the_command_prints_the_packages_and_exits_0_on_the_real_tree() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.kit.layout"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "app.auth" in rows["app.quoting"]  # quoting depends on auth
    assert rows["app.auth"].split()[1] == "domain"
    assert result.stdout.rstrip().endswith("layout ok")


def test_the_command_exits_1_and_prints_each_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree(tmp_path, {"catalog/loader.py": "import os\nimport fastapi\n"})
    assert main([str(tmp_path)]) == 1
    assert "catalog/loader.py:2: the core imports no framework: fastapi" in capsys.readouterr().out


# -- a: the core imports no shell, no framework; catalog and pricing never import app ------


def test_the_core_never_imports_the_shell(tmp_path: Path) -> None:
    layout = tree(tmp_path, {
        "app/kit/errors.py": "class Oops(Exception): ...\n",
        "app/configurator/solve.py": "from app.kit.errors import Oops\n",
    })  # fmt: skip
    assert findings(layout) == [
        "app/configurator/solve.py:1: the core never imports the shell: app.kit.errors"
    ]


def test_the_core_imports_no_framework_even_inside_a_function(tmp_path: Path) -> None:
    layout = tree(tmp_path, {
        "pricing/money.py": "def f() -> None:\n    from sqlalchemy import select\n",
    })  # fmt: skip
    assert findings(layout) == ["pricing/money.py:2: the core imports no framework: sqlalchemy"]


def test_catalog_and_pricing_never_import_app_not_even_the_configurator(tmp_path: Path) -> None:
    layout = tree(tmp_path, {
        "app/configurator/request.py": "class Limits: ...\n",
        "pricing/quote.py": "\nfrom app.configurator.request import Limits\n",
    })  # fmt: skip
    assert findings(layout) == [
        "pricing/quote.py:2: pricing never imports app: app.configurator.request"
    ]


# -- b: the shared plumbing imports no domain ---------------------------------------------


def test_the_plumbing_imports_no_domain(tmp_path: Path) -> None:
    layout = tree(tmp_path, {
        **FACES,
        "app/kit/database.py": "from app.auth import Principal\n",
        "app/models.py": "import os\nfrom app.audit import record\n",
    })  # fmt: skip
    assert findings(layout) == [
        "app/kit/database.py:1: shared plumbing imports no domain: app.auth",
        "app/models.py:2: shared plumbing imports no domain: app.audit",
    ]


# -- c: through the public faces only ------------------------------------------------------


def test_a_domain_imports_another_only_from_its_face(tmp_path: Path) -> None:
    layout = tree(tmp_path, {
        **FACES,
        "app/quoting/service.py": "from app.auth.principal import Principal\n",
    })  # fmt: skip
    assert findings(layout) == [
        "app/quoting/service.py:1: app.auth.principal is inside app.auth: "
        "import Principal from app.auth"
    ]


def test_only_the_names_in_all_are_public(tmp_path: Path) -> None:
    layout = tree(tmp_path, {
        **FACES,
        "app/delivery/__init__.py": "",
        "app/delivery/service.py": "def create_for() -> None: ...\n",
        "app/quoting/service.py": "from app.auth import Principal, Secret\n",
        "app/proposals/service.py": "import os\n\nfrom app.delivery import create_for\n",
    })  # fmt: skip
    assert findings(layout) == [
        "app/proposals/service.py:3: app.delivery has no __all__: it publishes nothing",
        "app/quoting/service.py:1: Secret is not a public name of app.auth (its __all__)",
    ]


def test_a_face_bound_whole_is_read_only_for_its_public_names(tmp_path: Path) -> None:
    layout = tree(tmp_path, {
        **FACES,
        "app/portfolio/service.py": "from app import audit\n\naudit.record()\naudit.erase()\n",
    })  # fmt: skip
    assert findings(layout) == [
        "app/portfolio/service.py:4: erase is not a public name of app.audit (its __all__)"
    ]


def test_the_shell_imports_the_core_only_from_its_face(tmp_path: Path) -> None:
    layout = tree(tmp_path, {
        **FACES,
        "app/kit/params.py": "from catalog import Component\n",
        "app/portfolio/store.py": "from catalog.components import Component\n",
    })  # fmt: skip
    assert findings(layout) == [
        "app/portfolio/store.py:1: catalog.components is inside catalog: "
        "import Component from catalog"
    ]


def test_no_module_takes_names_from_its_own_face(tmp_path: Path) -> None:
    layout = tree(tmp_path, {
        **FACES,
        "app/auth/auth.py": "from app.auth import Principal\n",
        "catalog/loader.py": "from catalog import Component\n",
    })  # fmt: skip
    assert findings(layout) == [
        "app/auth/auth.py:1: Principal from app.auth, its own package: import from the module",
        "catalog/loader.py:1: Component from catalog, its own package: import from the module",
    ]


def test_the_composition_root_may_import_anything(tmp_path: Path) -> None:
    layout = tree(tmp_path, {
        **FACES,
        "app/cli.py": "from app.auth.principal import Principal\n",
        "app/main.py": "from catalog.components import Component\n",
        "app/bootstrap.py": "from app.audit.service import record\n",
    })  # fmt: skip
    assert findings(layout) == []


# -- d and e: no cycles ---------------------------------------------------------------------


def test_an_import_cycle_is_found_through_type_checking_and_function_imports(
    tmp_path: Path,
) -> None:
    layout = tree(tmp_path, {
        "app/configurator/errors.py": """\
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from app.configurator.solve import Bundle
            """,
        "app/configurator/solve.py": """\
            from app.configurator.explain import explain
            from app.configurator.validate import validate
            """,
        "app/configurator/explain.py": """\
            def explain() -> None:
                from app.configurator.errors import Infeasible
            """,
        "app/configurator/validate.py": "from app.configurator.errors import Invalid\n",
    })  # fmt: skip
    assert findings(layout) == [
        "app/configurator/errors.py:4: import cycle: app.configurator.errors -> "
        "app.configurator.solve -> app.configurator.explain -> app.configurator.errors "
        "(also in the tangle: app.configurator.validate)"
    ]


def test_a_cycle_between_domains_is_found(tmp_path: Path) -> None:
    layout = tree(tmp_path, {
        **FACES,
        "app/auth/service.py": "from app import audit\n\naudit.record()\n",
        "app/audit/service.py": "import os\nfrom app.auth import Principal\n",
    })  # fmt: skip
    assert findings(layout) == [
        "app/audit/service.py:2: domain cycle: app.audit -> app.auth -> app.audit"
    ]


def test_the_packages_carry_their_lines_and_what_they_depend_on(tmp_path: Path) -> None:
    layout = tree(tmp_path, {**FACES, "app/quoting/service.py": "from app.auth import Principal\n"})
    quoting = next(package for package in layout.packages if package.name == "app.quoting")
    assert (quoting.kind, quoting.lines, quoting.depends_on) == ("domain", 1, ("app.auth",))


# -- the lazy faces -------------------------------------------------------------------------


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_public_name_of_a_face_resolves(domain: str) -> None:
    face = importlib.import_module(f"app.{domain}")
    for name in face.__all__:
        assert getattr(face, name) is not None, name


def test_a_face_has_no_other_names() -> None:
    with pytest.raises(AttributeError, match="no attribute 'service_key'"):
        importlib.import_module("app.auth").service_key  # noqa: B018


def test_the_workers_modules_load_neither_the_web_nor_the_database_layer() -> None:
    """A solver or render worker imports its one module: the faces of its domain and of the
    domains that one uses load nothing until a name is read."""
    probe = (
        "import sys, app.quoting.solver_pool, app.documents.render_pool; "
        "print(sorted({'fastapi', 'starlette', 'sqlalchemy'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr
