"""Sizes from where a class is built: the constructor arguments every instantiation in the file agrees on.

``SimpleNet(input_size, hidden_size, output_size)`` has no sizes of its own; the file builds it with
``SimpleNet(100, 100, 10, 'xavier')`` at module level, a parent builds ``FeedForward(dim, 4 * dim)`` inside
``Tower(dim=512)``, a factory calls ``Net(64)``. A scouting run of the interpreter (build.py) records every
instantiation it reaches with its evaluated arguments; a parameter without a default is bound only when every
call of the class in the file was reached and all of them pass the same known value. Calls that disagree, a
call we never reached (a method nothing runs), the class passed around as a value (``make(SimpleNet)``) or a
``*args`` call leave it unknown: one of several sizes is never picked silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from initlint.picture.domain import UNKNOWN, is_number
from initlint.picture.model import Binding
from initlint.picture.syntax import function_params

_MISSING = object()


@dataclass
class Instantiation:
    node: cst.Call
    args: list[Any]
    kwargs: dict[str, Any]
    star: bool  # ``Net(*args)`` / ``Net(**cfg)``: what fills the parameters is not known
    assumed: tuple[str, ...] = ()  # command-line defaults its arguments read (cli_options.py)


@dataclass
class Scout:
    """What a scouting run saw: each local class's instantiations, in the order they ran."""

    calls: dict[str, list[Instantiation]] = field(default_factory=dict)

    def record(self, cls: str, node: cst.Call, evaluated: list[tuple[cst.Arg, Any]],
               assumed: tuple[str, ...] = ()) -> None:
        args = [value for arg, value in evaluated if arg.keyword is None and not arg.star]
        kwargs = {arg.keyword.value: value for arg, value in evaluated if arg.keyword is not None}
        star = any(arg.star for arg, _ in evaluated)
        self.calls.setdefault(cls, []).append(Instantiation(node, args, kwargs, star, assumed))

    def binding(self, cls: str, init: cst.FunctionDef, code: Callable[[], str]) -> Binding | None:
        """The values every instantiation of ``cls`` gives its parameters without defaults, when all of the
        class's calls in the file were reached and agree; None when nothing can be bound. ``code`` gives the
        module's source (asked for only when something would be bound)."""
        calls = self.calls.get(cls, [])
        if not calls or any(c.star for c in calls):
            return None
        params = function_params(init)
        skipped = 1 if params and params[0].name.value in ("self", "cls") else 0
        params = params[skipped:]
        positional_count = len(init.params.posonly_params) + len(init.params.params) - skipped
        values: dict[str, Any] = {}
        for index, param in enumerate(params):
            if param.default is not None:
                continue
            name = param.name.value
            seen = [_argument(c, index, name, positional_count) for c in calls]
            first = seen[0]
            if not _bindable(first) or any(not _same(first, other) for other in seen[1:]):
                continue
            values[name] = first
        if not values or unexplained_uses(code(), cls, [c.node for c in calls]):
            return None  # built where no run reached, or passed around as a value
        assumed = tuple(dict.fromkeys(note for c in calls for note in c.assumed))
        nodes = tuple({id(c.node): c.node for c in calls}.values())  # a call reached twice is one call
        return Binding(cls, values, nodes, _text(cls, params, values), assumed)


def _argument(call: Instantiation, index: int, name: str, positional_count: int) -> Any:
    if index < positional_count and index < len(call.args):
        return call.args[index]
    return call.kwargs.get(name, _MISSING)


def _bindable(value: Any) -> bool:
    """A known size (a number, or a tuple of numbers) or a known string; never a module, UNKNOWN or None."""
    if value is UNKNOWN or value is _MISSING:
        return False
    if isinstance(value, tuple):
        return bool(value) and all(is_number(v) for v in value)
    return is_number(value) or isinstance(value, str)


def _same(one: Any, other: Any) -> bool:
    return type(one) is type(other) and one == other


def _text(cls: str, params: list[cst.Param], values: dict[str, Any]) -> str:
    """``SimpleNet(100, 100, 10, ...)``: the bound values in order (by keyword after a parameter that is not
    bound: ``Net(..., dim=64)``), ``...`` for what stays as called."""
    shown: list[str] = []
    leading = True
    for param in params:
        name = param.name.value
        if name not in values:
            if leading:
                shown.append("...")
            leading = False
            continue
        value = values[name]
        text = repr(value) if isinstance(value, str) else str(value)
        shown.append(text if leading else f"{name}={text}")
    return f"{cls}({', '.join(shown)})"


def unexplained_uses(code: str, cls: str, calls: list[cst.Call]) -> bool:
    """The class's name appears in the source other than where it is declared, as a base, in ``super(Net,
    ...)`` or as the reached calls ``Net(...)``: a call no run reached, or the class passed on as a value
    (``make(Net)``, ``partial(Net, 3)``). Counted in the text, so a mention in a comment also counts: that
    leaves the sizes unknown, never wrong."""
    name = re.escape(cls)
    total = len(re.findall(rf"(?<![\w.]){name}\b", code))
    declared = len(re.findall(rf"\bclass\s+{name}\b", code))
    supers = len(re.findall(rf"\bsuper\(\s*{name}\b", code))
    bases = sum(len(re.findall(rf"(?<![\w.]){name}\b", header))
                for header in re.findall(r"\bclass\s+\w+\s*\(([^)]*)\)", code))
    direct = {id(call) for call in calls if isinstance(call.func, cst.Name) and call.func.value == cls}
    return total != declared + supers + bases + len(direct)


def has_unfilled_sizes(classes: dict[str, Any]) -> bool:
    """Some class's ``__init__`` has a parameter without a default (worth a scouting run)."""
    for info in classes.values():
        init = info.methods.get("__init__")
        if init is None:
            continue
        params = function_params(init)[1:]
        if any(p.default is None for p in params):
            return True
    return False
