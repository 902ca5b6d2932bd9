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


def _runtime_imports(path: Path) -> set[str]:
    """The initlint modules a module imports when it is imported (not under ``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for inner in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) else [node]:
            if isinstance(inner, ast.Import):
                found |= {a.name for a in inner.names if a.name.startswith("initlint")}
            elif isinstance(inner, ast.ImportFrom) and inner.module and inner.module.startswith("initlint"):
                found.add(inner.module)
                found |= {f"{inner.module}.{a.name}" for a in inner.names if f"{inner.module}.{a.name}" in MODULES}
    return {name for name in found if name in MODULES}


def test_no_import_cycle():
    graph = {name: _runtime_imports(path) - {name} for name, path in MODULES.items()}
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
    assert cycles == []


def test_functions_do_not_hide_imports():
    """An import inside a function is how a cycle hides; none is left in the engine (initlint.picture).
    (engine.py and noqa.py import initlint.notebook inside functions, which imports them back: that cycle is
    the notebook feature's to break.)"""
    hidden = []
    for name, path in MODULES.items():
        if not name.startswith("initlint.picture"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                hidden += [f"{name}.{node.name}" for inner in ast.walk(node)
                           if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("initlint")]
    assert hidden == []


def test_no_module_is_too_long():
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_domain_and_flow_stay_small_in_what_they_know():
    assert _runtime_imports(MODULES["initlint.picture.domain"]) <= {"initlint.picture.budget"}
    assert _runtime_imports(MODULES["initlint.picture.flow"]) <= {"initlint.picture.domain", "initlint.picture.model",
                                                                   "initlint.picture.torchspec"}
