"""The layout check: ``python -m app.kit.layout`` prints the packages, each with its line
count and the packages it depends on, then every import that breaks the layout as
``path:line: message``; the exit status is 1 if there is any.

The rules, for the modules of ``catalog``, ``pricing`` and ``app`` (tests and benchmarks are
free to reach in anywhere):

a. the core (``catalog``, ``pricing``, ``app.configurator``) imports nothing of the shell
   (the rest of ``app``) nor the web, database or PDF frameworks; ``catalog`` and
   ``pricing`` never import ``app`` at all;
b. the shared plumbing (``app.kit``, ``app.models``) imports no domain;
c. the shell imports the core, and a domain another domain, only through the package's
   public face: ``from catalog import Component``, ``from app.auth import Principal`` (or
   ``from app import audit`` and then ``audit.record``), with each name in the package's
   ``__all__``; no module takes names from the face of its own package (siblings are
   imported by their module path: the face imports them, so that would be a cycle);
   the composition root (``app.bootstrap``, ``app.main``, ``app.cli``) may import anything;
d. no import cycle between modules, counting imports inside functions and under
   ``TYPE_CHECKING`` (they are cycles too, only deferred);
e. no cycle between domains.

Why not import-linter: its contracts (forbidden, layers, independence, acyclic siblings)
cover most of a, b and e, but not "only the names in ``__all__``", and it would bring a
dependency (grimp) for what a walk over the syntax trees does here, findings with their
line included.
"""

from __future__ import annotations

import ast
import sys
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

TOP_PACKAGES = ("catalog", "pricing", "app")
CORE = ("catalog", "pricing", "app.configurator")
PLUMBING = ("app", "app.kit", "app.models")
COMPOSITION_ROOT = ("app.bootstrap", "app.main", "app.cli")
FRAMEWORKS = ("fastapi", "starlette", "sqlalchemy", "alembic", "weasyprint")


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    kind: str  # core, plumbing, domain, root
    lines: int
    depends_on: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Layout:
    packages: tuple[Package, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class Import:
    line: int
    target: str  # the module imported: ours when it is one of ours, else the name written
    names: tuple[str, ...]  # the names taken from it; () when the module itself is bound
    bound_as: str | None = None  # the local name of a module bound whole


@dataclass
class Module:
    name: str
    path: str
    tree: ast.Module
    lines: int
    imports: list[Import] = field(default_factory=list)


def check(root: Path) -> Layout:
    """The packages under ``root`` and every finding, from the source alone."""
    modules = {module.name: module for module in _modules(root)}
    for module in modules.values():
        module.imports = list(_imports(module, modules))
    faces = {name: _public_names(modules[name].tree) for name in modules if _is_face(name)}
    findings = [
        *_import_findings(modules, faces),
        *_module_cycles(modules),
        *_domain_cycles(modules),
    ]
    findings.sort(key=lambda finding: (finding.path, finding.line, finding.message))
    return Layout(_packages(modules), tuple(findings))


# -- reading the tree ---------------------------------------------------------------------


def _modules(root: Path) -> Iterator[Module]:
    for top in TOP_PACKAGES:
        for path in sorted((root / top).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            text = path.read_text(encoding="utf-8")
            relative = path.relative_to(root).as_posix()
            yield Module(name, relative, ast.parse(text, relative), text.count("\n"))


def _imports(module: Module, modules: dict[str, Module]) -> Iterator[Import]:
    is_package = module.path.endswith("__init__.py")
    for node in ast.walk(module.tree):  # every import, in functions and TYPE_CHECKING too
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or (alias.name if "." not in alias.name else None)
                yield Import(node.lineno, _ours(alias.name, modules), (), bound)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module.name, is_package)
            names = []
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules:  # `from package import module`
                    bound = alias.asname or alias.name
                    yield Import(node.lineno, submodule, (), bound)
                else:
                    names.append(alias.name)
            if names:
                yield Import(node.lineno, _ours(base, modules), tuple(names))


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = importer.split(".")
    package = package if is_package else package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _ours(name: str, modules: dict[str, Module]) -> str:
    """The module of ours that ``name`` imports (a name in a module resolves to the
    module), or ``name`` itself for a module of a library."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return name


def _public_names(tree: ast.Module) -> frozenset[str] | None:
    """The names of a module's ``__all__``; None when it has none."""
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        named = any(isinstance(target, ast.Name) and target.id == "__all__" for target in targets)
        if named and isinstance(value, ast.List | ast.Tuple):
            return frozenset(
                element.value
                for element in value.elts
                if isinstance(element, ast.Constant) and isinstance(element.value, str)
            )
    return None


# -- where a module belongs ---------------------------------------------------------------


def package_of(module: str) -> str:
    """The package a module belongs to: a core package, the plumbing, the composition root
    module, or a domain (``app.<domain>``)."""
    for package in (*CORE, *COMPOSITION_ROOT, "app.kit", "app.models"):
        if module == package or module.startswith(package + "."):
            return package
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "app" else parts[0]


def kind_of(package: str) -> str:
    if package in CORE:
        return "core"
    if package in PLUMBING:
        return "plumbing"
    if package in COMPOSITION_ROOT:
        return "root"
    return "domain"


def _is_face(module: str) -> bool:
    """Whether ``module`` is a package's public face: the core packages and the domains."""
    return package_of(module) == module and kind_of(module) in ("core", "domain")


# -- rules a to c ---------------------------------------------------------------------------


def _import_findings(
    modules: dict[str, Module], faces: dict[str, frozenset[str] | None]
) -> Iterator[Finding]:
    for module in modules.values():
        own = package_of(module.name)
        bound: dict[str, str] = {}  # local name -> face, for `from app import audit`
        for imp in module.imports:
            target = package_of(imp.target) if imp.target in modules else None
            messages = [*_core_rule(own, imp, target), *_plumbing_rule(own, imp, target)]
            if target is not None and _through_face(own, target):
                messages += _face_rule(imp, target, faces)
                if imp.bound_as and imp.target == target:
                    bound[imp.bound_as] = target
            elif imp.target == own and imp.names:
                names = ", ".join(imp.names)
                messages.append(f"{names} from {own}, its own package: import from the module")
            yield from (Finding(module.path, imp.line, message) for message in messages)
        for node in ast.walk(module.tree):  # audit.record, after `from app import audit`
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                face = bound.get(node.value.id)
                for message in _unpublished(face, node.attr, faces) if face else ():
                    yield Finding(module.path, node.lineno, message)


def _core_rule(own: str, imp: Import, target: str | None) -> Iterator[str]:
    if kind_of(own) != "core":
        return
    top = imp.target.split(".")[0]
    if top in FRAMEWORKS:
        yield f"the core imports no framework: {imp.target}"
    elif own in ("catalog", "pricing") and top == "app":
        yield f"{own} never imports app: {imp.target}"
    elif target is not None and kind_of(target) != "core":
        yield f"the core never imports the shell: {imp.target}"


def _plumbing_rule(own: str, imp: Import, target: str | None) -> Iterator[str]:
    if own in PLUMBING and target is not None and kind_of(target) == "domain":
        yield f"shared plumbing imports no domain: {imp.target}"


def _through_face(own: str, target: str) -> bool:
    """Whether ``own`` may reach ``target`` only through its face: another domain, or the
    core from the shell. The composition root may reach anything."""
    if target == own or kind_of(own) == "root":
        return False
    return kind_of(target) == "domain" or (kind_of(target) == "core" and kind_of(own) != "core")


def _face_rule(imp: Import, target: str, faces: dict[str, frozenset[str] | None]) -> list[str]:
    if imp.target != target:
        what = ", ".join(imp.names) or "its public names"
        return [f"{imp.target} is inside {target}: import {what} from {target}"]
    return [message for name in imp.names for message in _unpublished(target, name, faces)]


def _unpublished(face: str, name: str, faces: dict[str, frozenset[str] | None]) -> list[str]:
    public = faces.get(face)
    if public is None:
        return [f"{face} has no __all__: it publishes nothing"]
    return [] if name in public else [f"{name} is not a public name of {face} (its __all__)"]


# -- rules d and e: cycles ------------------------------------------------------------------


def _module_cycles(modules: dict[str, Module]) -> Iterator[Finding]:
    edges = {
        name: {imp.target: imp.line for imp in module.imports if imp.target in modules}
        for name, module in modules.items()
    }
    for cycle, group in _cycles(edges):
        first = modules[cycle[0]]
        line = edges[cycle[0]][cycle[1]]
        yield Finding(first.path, line, "import cycle: " + _described(cycle, group))


def _domain_cycles(modules: dict[str, Module]) -> Iterator[Finding]:
    edges: dict[str, dict[str, tuple[str, int]]] = {}
    for module in modules.values():
        own = package_of(module.name)
        if kind_of(own) != "domain":
            continue
        for imp in module.imports:
            target = package_of(imp.target) if imp.target in modules else None
            if target and target != own and kind_of(target) == "domain":
                edges.setdefault(own, {}).setdefault(target, (module.path, imp.line))
    for cycle, group in _cycles(edges):
        path, line = edges[cycle[0]][cycle[1]]
        yield Finding(path, line, "domain cycle: " + _described(cycle, group))


def _described(cycle: list[str], group: set[str]) -> str:
    others = sorted(group - set(cycle))
    return " -> ".join(cycle) + (f" (also in the tangle: {', '.join(others)})" if others else "")


def _cycles(edges: Mapping[str, Collection[str]]) -> Iterator[tuple[list[str], set[str]]]:
    """Each group of nodes that reach one another, with one shortest cycle through it (its
    nodes, the first repeated at the end). (A few hundred modules: reachability from each node
    is quick enough, and plainer than Tarjan's algorithm.)"""
    reach = {node: _reachable(edges, node) for node in edges}
    reported: set[str] = set()
    for start in sorted(edges):
        if start in reported or start not in reach[start]:
            continue
        group = {node for node in reach[start] if start in reach.get(node, ())}
        reported |= group
        yield _shortest_cycle(edges, start, group), group


def _reachable(edges: Mapping[str, Collection[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return seen


def _shortest_cycle(edges: Mapping[str, Collection[str]], start: str, group: set[str]) -> list[str]:
    """Breadth-first from ``start`` back to it, through ``group`` only."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while start not in previous:
        node = queue.popleft()
        for after in sorted(edges.get(node, ())):
            if after in group and after not in previous:
                previous[after] = node
                queue.append(after)
    backwards = [start]
    while (node := previous[backwards[-1]]) != start:
        backwards.append(node)
    return [start, *reversed(backwards[1:]), start]


# -- the packages ---------------------------------------------------------------------------


def _packages(modules: dict[str, Module]) -> tuple[Package, ...]:
    lines: dict[str, int] = {}
    depends: dict[str, set[str]] = {}
    for module in modules.values():
        own = package_of(module.name)
        lines[own] = lines.get(own, 0) + module.lines
        depends.setdefault(own, set()).update(
            package_of(imp.target) for imp in module.imports if imp.target in modules
        )
    order = {"core": 0, "plumbing": 1, "domain": 2, "root": 3}
    names = sorted(
        lines,
        key=lambda name: (order[kind_of(name)], CORE.index(name) if name in CORE else 0, name),
    )
    return tuple(
        Package(name, kind_of(name), lines[name], tuple(sorted(depends[name] - {name})))
        for name in names
    )


def report(layout: Layout) -> Iterable[str]:
    width = max(len(package.name) for package in layout.packages)
    yield f"{'package':<{width}}  {'kind':<8}  {'lines':>6}  depends on"
    for package in layout.packages:
        depends = ", ".join(package.depends_on) or "-"
        yield f"{package.name:<{width}}  {package.kind:<8}  {package.lines:>6}  {depends}"
    yield ""
    yield from (str(finding) for finding in layout.findings)
    yield f"{len(layout.findings)} finding(s)" if layout.findings else "layout ok"


def main(argv: list[str] | None = None) -> int:
    """``python -m app.kit.layout [ROOT]``: the check of the tree at ROOT (this checkout's,
    by default); exit status 1 on any finding."""
    args = sys.argv[1:] if argv is None else argv
    layout = check(Path(args[0]) if args else Path(__file__).resolve().parents[2])
    for line in report(layout):
        print(line)
    return 1 if layout.findings else 0


if __name__ == "__main__":
    sys.exit(main())
