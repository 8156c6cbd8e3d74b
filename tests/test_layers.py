"""The dependency rule, read from the source: faces only in `api/`, nothing imports `api`, no package reaches into
another's private modules, no import cycles between packages, and the runtime never needs the development tools."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGES = ("records", "templates", "signer", "archive", "retention", "workflows", "api", "devtools")
FACES = {"typer", "rich", "fastapi", "uvicorn", "starlette"}
DEV_ONLY = {"devtools", "certomancer", "werkzeug", "csc_dummy", "yaml"}
# The packages each one may import (arrows point down; `records` holds the error root and the file helpers).
ALLOWED = {
    "records": set(),
    "templates": {"records"},
    "signer": {"records", "templates"},
    "archive": {"records", "retention"},
    "retention": {"records"},
    "workflows": {"records", "templates", "signer", "archive", "retention"},
    "devtools": {"records", "templates", "signer", "archive", "retention", "workflows"},
    "api": {"records", "templates", "signer", "archive", "retention", "workflows", "devtools"},
}


def _imports(path: Path) -> Iterator[tuple[str, int]]:
    """Absolute module names imported anywhere in a file (relative imports resolved against its package)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield from _imports_of(node, path)


def _files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_faces_live_only_in_api() -> None:
    for package in PACKAGES:
        if package == "api":
            continue
        for path in _files(package):
            for module, line in _imports(path):
                assert module.split(".")[0] not in FACES | {"api"}, f"{path}:{line} imports {module}"


def test_packages_import_only_downwards_and_only_public_names() -> None:
    for package in PACKAGES:
        for path in _files(package):
            for module, line in _imports(path):
                top = module.split(".")[0]
                if top not in PACKAGES or top == package:
                    continue
                assert top in ALLOWED[package], f"{path}:{line}: {package} may not import {top}"
                private = [part for part in module.split(".")[1:] if part.startswith("_") and part != "__init__"]
                assert not private, f"{path}:{line} reaches into {module}"


def test_the_runtime_needs_no_development_tool() -> None:
    """Only `api/cli/dev.py` (registered when the tools are installed) and the tools themselves use them."""
    for package in PACKAGES:
        if package == "devtools":
            continue
        for path in _files(package):
            if path == ROOT / "api" / "cli" / "dev.py":
                continue
            for module, line in _imports(path):
                assert module.split(".")[0] not in DEV_ONLY, f"{path}:{line} imports {module}"


def test_no_import_cycle_between_modules_of_a_package() -> None:
    """Module-level imports inside each package form no cycle (a cycle breaks as soon as the order changes)."""
    for package in PACKAGES:
        graph: dict[str, set[str]] = {}
        for path in _files(package):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            graph[name] = set()
            tree = ast.parse(path.read_text(encoding="utf-8"))
            top_level = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
            for node in top_level:
                for module, _ in _imports_of(node, path):
                    graph[name].add(module)
        graph = {
            name: {m for m in targets if m in graph and m != name and not name.startswith(m + ".")}
            for name, targets in graph.items()
        }
        assert not _cycle(graph), _cycle(graph)


def _imports_of(node: ast.Import | ast.ImportFrom, path: Path) -> Iterator[tuple[str, int]]:
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    if isinstance(node, ast.Import):
        yield from ((alias.name, node.lineno) for alias in node.names)
        return
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        module = ".".join([*base, node.module] if node.module else base)
    else:
        module = node.module or ""
    yield module, node.lineno
    yield from ((f"{module}.{alias.name}", node.lineno) for alias in node.names)


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []
