"""The engine's shape (issue 11): no import cycle in initlint/, no module over ~600 lines, ``domain`` and
``flow`` import only what they should."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "initlint"
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _runtime_imports(path: Path, hidden_too: bool = False) -> set[str]:
    """The initlint modules a module imports when it is imported (not under ``if TYPE_CHECKING:``); with
    ``hidden_too``, also those its functions import when they run."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        inside = hidden_too or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        for inner in ast.walk(node) if inside else [node]:
            if isinstance(inner, ast.Import):
                found |= {a.name for a in inner.names if a.name.startswith("initlint")}
            elif isinstance(inner, ast.ImportFrom) and inner.module and inner.module.startswith("initlint"):
                found.add(inner.module)
                found |= {f"{inner.module}.{a.name}" for a in inner.names if f"{inner.module}.{a.name}" in MODULES}
    return {name for name in found if name in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(name: str, stack: list[str]) -> None:
        state[name] = 1
        for dep in sorted(graph[name]):
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep):] + [dep] if dep in stack else [name, dep])
            elif dep not in state:
                visit(dep, stack + [dep])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return cycles


def test_no_import_cycle():
    graph = {name: _runtime_imports(path) - {name} for name, path in MODULES.items()}
    assert _cycles(graph) == []


def test_no_import_cycle_even_through_imports_inside_functions():
    """An import inside a function is how a cycle hides: counted as imports, there is still none."""
    graph = {name: _runtime_imports(path, hidden_too=True) - {name} for name, path in MODULES.items()}
    assert _cycles(graph) == []


# Imports inside functions are kept only where they load an optional dependency on first use.
LAZY_FOR_OPTIONAL_DEPENDENCIES = {
    "initlint.cli.server": "initlint.server",  # pygls, the `lsp` extra
    "initlint.probe.command.probe": "initlint.probe.cli_run",  # torch, the `probe` extra
}


def test_functions_do_not_hide_imports():
    hidden = {}
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("initlint"):
                        hidden[f"{name}.{node.name}"] = inner.module
    assert hidden == LAZY_FOR_OPTIONAL_DEPENDENCIES


def test_no_module_is_too_long():
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_domain_and_flow_stay_small_in_what_they_know():
    assert _runtime_imports(MODULES["initlint.picture.domain"]) <= {"initlint.picture.budget"}
    assert _runtime_imports(MODULES["initlint.picture.flow"]) <= {"initlint.picture.domain", "initlint.picture.model",
                                                                   "initlint.picture.torchspec"}
