"""Command-line options a script reads at module level: argparse defaults as one scenario, named.

Training scripts size their models from ``parser.add_argument('--ndf', type=int, default=64)`` and
``opt = parser.parse_args()`` (``ndf = int(opt.ndf)``, ``nn.Conv2d(opt.channels, 64, 3)``). Without the command
line the defaults are what the script runs with unless told otherwise: a scenario, never a fact, so a finding
built on one says so (``--ndf`` at its default 64). Only straight-line module-level code is read, and the body
of the script's main guard (``if __name__ == "__main__":``, which is what runs when the script is run): a
parser built in a function, an option without a default, ``required=True`` or a ``parse_args`` we cannot see
give nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from initlint.picture.domain import UNKNOWN, is_number
from initlint.picture.eval import Evaluator
from initlint.picture.imports import ImportTable
from initlint.picture.syntax import is_main_guard, positional, statements, string_value


@dataclass(frozen=True)
class CliDefault:
    value: object
    flag: str  # ``--ndf``

    @property
    def note(self) -> str:
        return f"`{self.flag}` at its default {self.value!r}"


@dataclass
class CliOptions:
    """``opt.ndf`` -> its default, for every ``opt = parser.parse_args()`` at module level."""

    defaults: dict[str, CliDefault] = field(default_factory=dict)  # "opt.ndf" -> default

    def read(self, module: cst.Module, imports: ImportTable, consts: Evaluator) -> None:
        parsers: dict[str, dict[str, CliDefault]] = {}
        for stmt in script_statements(module):
            if not isinstance(stmt, (cst.Assign, cst.Expr)):
                continue
            value = stmt.value
            if not isinstance(value, cst.Call):
                continue
            func = value.func
            if isinstance(stmt, cst.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0].target
                if imports.resolve(func) == "argparse.ArgumentParser" and isinstance(target, cst.Name):
                    parsers[target.value] = {}
                    continue
                owner = _method_of(func, ("add_argument_group", "add_mutually_exclusive_group"))
                if owner in parsers and isinstance(target, cst.Name):
                    parsers[target.value] = parsers[owner]  # a group adds to its parser
                    continue
                owner = _method_of(func, ("parse_args",))
                if owner in parsers and isinstance(target, cst.Name) and not value.args:
                    for dest, default in parsers[owner].items():
                        self.defaults[f"{target.value}.{dest}"] = default
                    continue
            owner = _method_of(func, ("add_argument",))
            if owner in parsers:
                found = _argument(value, consts)
                if found is not None:
                    parsers[owner][found[0]] = found[1]

    def lookup(self, path: str) -> Any:
        default = self.defaults.get(path)
        return UNKNOWN if default is None else default.value


def script_statements(module: cst.Module) -> list[cst.CSTNode]:
    """The module's statements, with the body of a main guard (``if __name__ == "__main__":``, either
    order, no ``else``) in its place: what ``python script.py`` runs, straight through."""
    out: list[cst.CSTNode] = []
    for stmt in statements(module.body):
        if isinstance(stmt, cst.If) and stmt.orelse is None and is_main_guard(stmt.test):
            out.extend(statements(stmt.body))
        else:
            out.append(stmt)
    return out


def _method_of(func: cst.BaseExpression, names: tuple[str, ...]) -> str | None:
    """``parser`` in ``parser.add_argument`` (for one of ``names``)."""
    if isinstance(func, cst.Attribute) and func.attr.value in names and isinstance(func.value, cst.Name):
        return func.value.value
    return None


def _argument(call: cst.Call, consts: Evaluator) -> tuple[str, CliDefault] | None:
    """(dest, default) of ``add_argument('--ndf', type=int, default=64)``; None when it has no usable default."""
    flags = [s for s in (string_value(a) for a in positional(call)) if s is not None]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    if any(a.star for a in call.args) or not flags:
        return None
    long = next((f for f in flags if f.startswith("--")), flags[0])
    dest_node = keywords.get("dest")
    dest = string_value(dest_node) if dest_node is not None else long.lstrip("-").replace("-", "_")
    if not dest or not dest.isidentifier():
        return None
    required = keywords.get("required")
    if required is not None and consts(required) is not False:
        return None
    action = string_value(keywords["action"]) if "action" in keywords else None
    if "default" in keywords:
        value = consts(keywords["default"])
    elif action in ("store_true", "store_false"):
        value = action == "store_false"
    else:
        return None
    kind = keywords.get("type")
    if isinstance(kind, cst.Name) and kind.value in ("int", "float") and isinstance(value, str):
        try:
            value = int(value) if kind.value == "int" else float(value)
        except ValueError:
            return None
    if not (is_number(value) or isinstance(value, (str, bool))):
        return None  # None, a list, or something we cannot evaluate
    return dest, CliDefault(value, long)
