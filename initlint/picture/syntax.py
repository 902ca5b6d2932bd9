"""Small helpers over libcst nodes shared by the picture builders."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import libcst as cst


def statements(suite: cst.BaseSuite | Sequence[cst.CSTNode]) -> list[cst.CSTNode]:
    """The statements of a block, flattening ``SimpleStatementLine`` into its small statements."""
    if isinstance(suite, cst.IndentedBlock):
        raw: Sequence[cst.CSTNode] = suite.body
    elif isinstance(suite, cst.SimpleStatementSuite):
        return list(suite.body)
    else:
        raw = suite  # type: ignore[assignment]
    out: list[cst.CSTNode] = []
    for stmt in raw:
        if isinstance(stmt, cst.SimpleStatementLine):
            out.extend(stmt.body)
        else:
            out.append(stmt)
    return out


def positional(call: cst.Call) -> list[cst.BaseExpression]:
    return [a.value for a in call.args if a.keyword is None and not a.star]


def keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def bound_args(call: cst.Call, names: Sequence[str], skip: int = 0) -> dict[str, cst.BaseExpression]:
    """Map a call's arguments to parameter names (positional first, after ``skip`` of them). Positional
    arguments after a ``*args`` are not bound: which parameter they meet is not known."""
    out: dict[str, cst.BaseExpression] = {}
    pos: list[cst.BaseExpression] = []
    for arg in call.args:
        if arg.keyword is not None:
            continue
        if arg.star:
            break
        pos.append(arg.value)
    pos = pos[skip:]
    for name, value in zip(names, pos):
        out[name] = value
    for arg in call.args:
        if arg.keyword is not None:
            out[arg.keyword.value] = arg.value
    return out


def has_star(call: cst.Call) -> bool:
    return any(a.star for a in call.args)


def unbound_by_star(call: cst.Call, names: Sequence[str], bound: dict[str, cst.BaseExpression]) -> list[str]:
    """The parameters a ``*args``/``**kwargs`` of the call may fill: their values are not known (never the
    defaults)."""
    if not has_star(call):
        return []
    return [name for name in names if name not in bound]


def function_params(fn: cst.FunctionDef) -> list[cst.Param]:
    params = fn.params
    return [*params.posonly_params, *params.params, *params.kwonly_params]


def names_in(node: cst.CSTNode) -> Iterator[str]:
    """Every plain name used inside an expression."""
    if isinstance(node, cst.Name):
        yield node.value
        return
    for child in node.children:
        yield from names_in(child)


def dotted_names(node: cst.CSTNode) -> Iterator[str]:
    """Every plain name and ``name.attr`` path used inside an expression (``opt.ndf`` gives both)."""
    if isinstance(node, cst.Name):
        yield node.value
        return
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        yield f"{node.value.value}.{node.attr.value}"
        yield node.value.value
        return
    for child in node.children:
        yield from dotted_names(child)


def string_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def is_main_guard(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` (or ``"__main__" == __name__``)."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1 \
            or not isinstance(test.comparisons[0].operator, cst.Equal):
        return False
    sides = (test.left, test.comparisons[0].comparator)
    names = [side for side in sides if isinstance(side, cst.Name) and side.value == "__name__"]
    strings = [side for side in sides if string_value(side) == "__main__"]
    return len(names) == 1 and len(strings) == 1


def assigned_names(body: cst.CSTNode) -> set[str]:
    """The plain names a block assigns (``x = ...``, ``x += 1``, ``x: int = ...``, ``for x in``, ``(x :=
    ...)``), not counting nested functions, classes and lambdas."""
    names: set[str] = set()
    stack: list[cst.CSTNode] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr)):
            names |= _target_names(node.target)
        stack.extend(node.children)
    return names


def _target_names(target: cst.BaseExpression) -> set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return {n for e in target.elements for n in _target_names(e.value)}
    return set()


def class_name_subject(node: cst.BaseExpression) -> tuple[str, bool] | None:
    """``m.__class__.__name__`` -> ("m", False), ``type(m).__name__`` -> ("m", True): the variable whose
    class name the expression is, and whether it calls ``type`` (the caller checks it is the builtin)."""
    if not isinstance(node, cst.Attribute) or node.attr.value != "__name__":
        return None
    owner = node.value
    if isinstance(owner, cst.Attribute) and owner.attr.value == "__class__" and isinstance(owner.value, cst.Name):
        return owner.value.value, False
    if isinstance(owner, cst.Call) and isinstance(owner.func, cst.Name) and owner.func.value == "type" \
            and len(owner.args) == 1 and owner.args[0].keyword is None and not owner.args[0].star \
            and isinstance(owner.args[0].value, cst.Name):
        return owner.args[0].value.value, True
    return None
