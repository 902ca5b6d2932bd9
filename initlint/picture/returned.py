"""What a small helper of the file returns, as syntax to evaluate per layer at the call.

``self.fc1.weight.data.uniform_(*hidden_init(self.fc1))`` with ``def hidden_init(layer): fan_in =
layer.weight.data.size()[0]; lim = 1. / np.sqrt(fan_in); return (-lim, lim)``: the bounds are the helper's
returned tuple with ``layer`` bound to the call's argument, so ``symbolic.evaluate`` can give them per layer
and IL203 can see which fan they take. Only straight-line helpers are read (assignments, then one
``return``); anything else, or a name the helper reads that the caller binds differently, is not followed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst

from initlint.picture.syntax import function_params

MAX_STATEMENTS = 12


@dataclass(frozen=True)
class Returned:
    """A helper's return expression and the syntax of every name it reads (its locals and parameters)."""

    value: cst.BaseExpression
    sources: dict[str, cst.BaseExpression]


def returned(fn: cst.FunctionDef, call: cst.Call, caller_names: Mapping[str, object] | set[str],
             skip_self: bool = False) -> Returned | None:
    """The return of ``fn`` called as ``call``: its parameters bound to the call's argument expressions
    (evaluated where the call is) and its local assignments as sources. None when the body is not a
    straight line or when the names would mix: a name the helper reads without binding it, or one of its
    own names that an argument expression reads, must not be one the caller binds itself."""
    sources = _bind(fn, call, skip_self)
    if sources is None:
        return None
    body = _statements(fn)
    if body is None or not body or len(body) > MAX_STATEMENTS:
        return None
    *assignments, last = body
    own = set(sources)
    read_by_helper: set[str] = set()
    for statement in assignments:
        if not (isinstance(statement, cst.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0].target, cst.Name)):
            return None
        name = statement.targets[0].target.value
        value = statement.value
        read_by_helper |= _names(value)
        if name in sources:  # ``fanin = fanin or size[0]``: the earlier binding under a name of its own
            earlier = f"{name}__{len(own)}"
            sources[earlier] = sources[name]
            value = _renamed(value, name, earlier)
            own.add(earlier)
        sources[name] = value
        own.add(name)
    if not isinstance(last, cst.Return) or last.value is None:
        return None
    value = last.value
    read_by_helper |= _names(value)
    free = read_by_helper - own
    read_by_args = {n for arg in call.args for n in _names(arg.value)}
    if free & set(caller_names) or read_by_args & own:
        return None
    return Returned(value, sources)


def _bind(fn: cst.FunctionDef, call: cst.Call, skip_self: bool) -> dict[str, cst.BaseExpression] | None:
    params = fn.params
    if params.star_kwarg is not None or isinstance(params.star_arg, cst.Param) or params.kwonly_params:
        return None
    names = [p for p in function_params(fn)]
    if skip_self and names:
        names = names[1:]
    bound: dict[str, cst.BaseExpression] = {}
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in call.args) or len(positional) > len(names):
        return None
    for param, arg in zip(names, positional, strict=False):
        bound[param.name.value] = arg.value
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value not in {p.name.value for p in names}:
                return None
            bound[arg.keyword.value] = arg.value
    for param in names:
        if param.name.value not in bound:
            if param.default is None:
                return None
            bound[param.name.value] = param.default
    return bound


def _statements(fn: cst.FunctionDef) -> list[cst.BaseSmallStatement] | None:
    """The helper's simple statements in order (a docstring left out); None for any compound statement."""
    out: list[cst.BaseSmallStatement] = []
    body = fn.body
    lines = body.body if isinstance(body, cst.IndentedBlock) else [body]
    for index, line in enumerate(lines):
        if not isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            return None
        for small in line.body:
            if index == 0 and isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString):
                continue
            out.append(small)
    return out


def shown(text: str) -> str:
    """Code text as the helper wrote it (an earlier binding renamed for evaluation shown by its name)."""
    return re.sub(r"\b([A-Za-z_][A-Za-z0-9_]*?)__\d+\b", r"\1", text)


def _renamed(node: cst.BaseExpression, old: str, new: str) -> cst.BaseExpression:
    """``node`` reading ``new`` wherever it read the name ``old`` (attribute names and keywords kept)."""

    class _Renamer(cst.CSTTransformer):
        def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
            return updated.with_changes(value=new) if updated.value == old else updated

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            return True

        def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
            return updated.with_changes(attr=original.attr)

        def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
            return updated.with_changes(keyword=original.keyword)

    result = node.visit(_Renamer())
    assert isinstance(result, cst.BaseExpression)
    return result


def _names(node: cst.CSTNode) -> set[str]:
    """Every bare name an expression reads (attribute names and keywords left out)."""
    found: set[str] = set()

    class _Visitor(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.add(name.value)

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False

        def visit_Arg(self, arg: cst.Arg) -> bool:
            arg.value.visit(self)
            return False

    node.visit(_Visitor())
    return found
