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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from initlint.picture.domain import UNKNOWN, ActVal, SubVal, TransVal, is_number
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

    def binding(self, cls: str, init: cst.FunctionDef, code: Callable[[], Mentions]) -> Binding | None:
        """The values every instantiation of ``cls`` gives its parameters without defaults, when all of the
        class's calls in the file were reached and agree; None when nothing can be bound. ``code`` gives the
        module's name uses (asked for only when something would be bound)."""
        calls = self.calls.get(cls, [])
        if not calls or any(c.star for c in calls):
            return None
        params = function_params(init)
        skipped = 1 if params and params[0].name.value in ("self", "cls") else 0
        params = params[skipped:]
        positional_count = len(init.params.posonly_params) + len(init.params.params) - skipped
        values: dict[str, Any] = {}
        modules: dict[str, Any] = {}
        for index, param in enumerate(params):
            if param.default is not None:
                continue
            name = param.name.value
            seen = [_argument(c, index, name, positional_count) for c in calls]
            first = seen[0]
            if any(not _same(first, other) for other in seen[1:]):
                continue
            if _bindable(first):
                values[name] = first
            elif _passable(first):
                modules[name] = first
        if not (values or modules) or unexplained_uses(code(), cls, [c.node for c in calls]):
            return None  # built where no run reached, or passed around as a value
        assumed = tuple(dict.fromkeys(note for c in calls for note in c.assumed)) if values else ()
        nodes = tuple({id(c.node): c.node for c in calls}.values())  # a call reached twice is one call
        return Binding(cls, values, nodes, _text(cls, params, values), assumed, modules)


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


def _passable(value: Any) -> bool:
    """A module that means the same in every run of the interpreter: an instance of the file's own class
    (its layers are the class's, built by the class's own run), an activation or a pass-through module. A
    layer built by the caller is not (its uid belongs to the scouting run), nor an opaque module."""
    return isinstance(value, (SubVal, ActVal, TransVal))


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


@dataclass
class Mentions:
    """How often each name is used in a module's code (``Name`` nodes and string literals that are exactly a
    name: ``getattr(models, 'Net')``), and how many of those uses are harmless for a class: its declaration,
    a base, ``super(Net, self)``, an ``isinstance`` test. Comments and text inside strings are no use."""

    uses: dict[str, int] = field(default_factory=dict)
    harmless: dict[str, int] = field(default_factory=dict)


def mentions(module: cst.Module) -> Mentions:
    found = Mentions()
    module.visit(_MentionCounter(found))
    return found


class _MentionCounter(cst.CSTVisitor):
    def __init__(self, found: Mentions) -> None:
        self.found = found

    def _harmless(self, node: cst.BaseExpression) -> None:
        if isinstance(node, cst.Name):
            self.found.harmless[node.value] = self.found.harmless.get(node.value, 0) + 1
        elif isinstance(node, cst.Tuple):
            for element in node.elements:
                self._harmless(element.value)

    def visit_Name(self, node: cst.Name) -> None:
        self.found.uses[node.value] = self.found.uses.get(node.value, 0) + 1

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        try:
            value = node.evaluated_value
        except (ValueError, SyntaxError):
            return
        if isinstance(value, str) and value.isidentifier():
            self.found.uses[value] = self.found.uses.get(value, 0) + 1

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)  # ``x.Net`` is an attribute, not a use of the name ``Net``
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)  # ``f(Net=3)``: a keyword, not a use
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._harmless(node.name)
        for base in node.bases:
            self._harmless(base.value)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        # ``from model import Net``: binds the name (the class taken in from that file), not a use of it
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            self._harmless(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._harmless(alias.asname.name)

    def visit_Call(self, node: cst.Call) -> None:
        args = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
        if isinstance(node.func, cst.Name) and node.func.value == "super" and args:
            self._harmless(args[0])
        elif isinstance(node.func, cst.Name) and node.func.value == "isinstance" and len(args) == 2:
            self._harmless(args[1])


def unexplained_uses(found: Mentions, cls: str, calls: list[cst.Call]) -> bool:
    """The class's name is used in the code other than where it is declared, as a base, in ``super(Net,
    ...)``, in an ``isinstance`` test or as the reached calls ``Net(...)``: a call no run reached, or the class
    passed on as a value (``make(Net)``, ``partial(Net, 3)``, ``getattr(models, 'Net')``). That leaves the
    constructor arguments unknown, never wrong."""
    direct = {id(call) for call in calls if isinstance(call.func, cst.Name) and call.func.value == cls}
    return found.uses.get(cls, 0) != found.harmless.get(cls, 0) + len(direct)


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
