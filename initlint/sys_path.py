"""The import roots a script adds to ``sys.path`` itself, read from its text: never run.

``sys.path.append(os.path.join(os.path.dirname(__file__), '..', 'lib'))`` in ``tools/train.py`` makes
``from nets.blocks import Net`` in that file find ``lib/nets/blocks.py``. Only paths that are fixed by where
the file is are read: ``__file__`` through ``os.path`` (``dirname``, ``abspath``, ``realpath``, ``normpath``,
``join``), ``pathlib.Path`` (``.parent``, ``.parents[n]``, ``/``, ``.resolve()``), ``str(...)``, an absolute
string literal, and a module-level name assigned once to one of these. A relative literal (``'../..'``) or
``os.getcwd()`` depends on the directory the script is started from, which the text does not tell: such a
path adds nothing. ``sys``, ``os`` and ``pathlib`` must be the modules the file imports under those names.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable

_PATH_FUNCS = ("dirname", "abspath", "realpath", "normpath", "join")
_MAX_DEPTH = 16  # a name bound to a name bound to ...: beyond this the path is not followed


class _Names:
    """What ``sys``, ``os.path``'s functions and ``Path`` are called in the file (its imports)."""

    def __init__(self, module: ast.Module) -> None:
        self.modules: dict[str, str] = {}  # local name -> module (``import os``, ``import os.path as osp``)
        self.funcs: dict[str, str] = {}  # local name -> ``os.path.dirname`` / ``pathlib.Path``
        self.assigned: dict[str, list[ast.expr]] = {}
        for stmt in module.body:
            if isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    if alias.asname is None:
                        top = alias.name.split(".")[0]
                        self.modules[top] = top
                    else:
                        self.modules[alias.asname] = alias.name
            elif isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module:
                for alias in stmt.names:
                    self.funcs[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                self.assigned.setdefault(stmt.targets[0].id, []).append(stmt.value)

    def qualified(self, node: ast.expr) -> str | None:
        """``os.path.join`` for ``os.path.join`` / ``osp.join`` / ``join`` as the file imports them."""
        if isinstance(node, ast.Name):
            if node.id in self.funcs:
                return self.funcs[node.id]
            return self.modules.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualified(node.value)
            return f"{base}.{node.attr}" if base is not None else None
        return None


def added_roots(path: str, text: str) -> list[str]:
    """The absolute directories ``path`` adds to ``sys.path`` (in the order of its text), or none."""
    if "sys.path" not in text and "path.append" not in text and "path.insert" not in text:
        return []
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    names = _Names(module)
    here = os.path.normpath(os.path.abspath(path))
    out: list[str] = []
    for node in ast.walk(module):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method = node.func.attr
        if names.qualified(node.func.value) != "sys.path" or method not in ("append", "insert"):
            continue
        args = node.args
        arg = args[0] if method == "append" and len(args) == 1 else args[1] if method == "insert" and len(args) == 2 \
            else None
        found = _path(arg, names, here, 0) if arg is not None else None
        if found is not None and found not in out:
            out.append(found)
    return out


def _path(node: ast.expr, names: _Names, here: str, depth: int) -> str | None:
    """The absolute path ``node`` always evaluates to in the file at ``here``, or None."""
    if depth > _MAX_DEPTH:
        return None
    again: Callable[[ast.expr], str | None] = lambda n: _path(n, names, here, depth + 1)
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return here
        bound = names.assigned.get(node.id, [])
        return again(bound[0]) if len(bound) == 1 else None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return os.path.normpath(node.value) if os.path.isabs(node.value) else None
    if isinstance(node, ast.Call) and not node.keywords:
        func = names.qualified(node.func)
        values = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else again(a)
                  for a in node.args]
        parts = [v for v in values if v is not None]
        if func is not None and func.startswith("os.path.") and func[len("os.path."):] in _PATH_FUNCS:
            if not parts or len(parts) != len(values) or not os.path.isabs(parts[0]):
                return None  # a part not known, or a path relative to the directory the script starts in
            if func == "os.path.join":
                return os.path.normpath(os.path.join(*parts))
            if len(parts) != 1:
                return None
            return os.path.dirname(parts[0]) if func == "os.path.dirname" else os.path.normpath(parts[0])
        builtin_str = isinstance(node.func, ast.Name) and node.func.id == "str" and "str" not in names.assigned \
            and "str" not in names.funcs
        if (func == "pathlib.Path" or builtin_str) and len(node.args) == 1:
            return again(node.args[0])
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("resolve", "absolute") and not node.args:
            return again(node.func.value)
        return None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        base = again(node.value)
        return os.path.dirname(base) if base is not None else None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
        base = again(node.value.value)
        index = node.slice
        if base is None or not isinstance(index, ast.Constant) or not isinstance(index.value, int) \
                or isinstance(index.value, bool) or index.value < 0:
            return None
        for _ in range(index.value + 1):
            base = os.path.dirname(base)
        return base
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        base, rest = again(node.left), node.right
        if base is None or not isinstance(rest, ast.Constant) or not isinstance(rest.value, str):
            return None
        return os.path.normpath(os.path.join(base, rest.value))
    return None
