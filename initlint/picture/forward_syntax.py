"""Syntax facts the ``forward()`` data flow asks about: a loop body that carries one value through the loop's
modules, a call that passes one tensor and nothing that changes an activation, and a tensor split into parts
that a tuple assignment names."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import libcst as cst

SPLIT_METHODS = frozenset({"split", "chunk"})
SPLIT_FUNCTIONS = frozenset({"torch.split", "torch.chunk"})


def carries_one_value(stmt: cst.For, body: list[cst.CSTNode]) -> bool:
    """A loop body (its side uses left out) that only reassigns one variable by calling the loop's module on
    it: ``x = layer(x)`` then ``x = F.relu(x)``, or ``x = self.act(layer(x))``."""
    loop_vars: set[str] = set()
    index_var: str | None = None
    if isinstance(stmt.target, cst.Name):
        loop_vars.add(stmt.target.value)
    elif isinstance(stmt.target, cst.Tuple) and len(stmt.target.elements) == 2 and all(
            isinstance(e.value, cst.Name) for e in stmt.target.elements):
        first, second = (e.value for e in stmt.target.elements)
        index_var = first.value  # type: ignore[attr-defined]
        loop_vars.add(second.value)  # type: ignore[attr-defined]
    else:
        return False
    container = _enumerated(stmt.iter)
    if not body or len(body) > 3:
        return False
    names: set[str] = set()
    calls_layer = False
    for line in body:
        if not isinstance(line, cst.Assign) or len(line.targets) != 1 or \
                not isinstance(line.targets[0].target, cst.Name):
            return False
        names.add(line.targets[0].target.value)
        for node in _calls_in(line.value):
            if isinstance(node.func, cst.Name) and node.func.value in loop_vars:
                calls_layer = True
            elif isinstance(node.func, cst.Subscript) and index_var is not None and container is not None \
                    and _CODE.code_for_node(node.func.value) == container and len(node.func.slice) == 1 \
                    and isinstance(node.func.slice[0].slice, cst.Index) \
                    and isinstance(node.func.slice[0].slice.value, cst.Name) \
                    and node.func.slice[0].slice.value.value == index_var:
                calls_layer = True  # for i, l in enumerate(self.layers): h = self.layers[i](h)
    return len(names) == 1 and calls_layer


_CODE = cst.Module([])


def one_tensor_call(node: cst.Call) -> bool:
    """A call that passes one tensor and nothing that changes the activation (``dim=``, ``inplace=``)."""
    return len(node.args) >= 1 and node.args[0].keyword is None and not node.args[0].star and all(
        a.keyword is not None and a.keyword.value in ("dim", "inplace") for a in node.args[1:])


def _enumerated(node: cst.BaseExpression) -> str | None:
    """``self.layers`` in ``enumerate(self.layers)``."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "enumerate" \
            and node.args:
        return _CODE.code_for_node(node.args[0].value)
    return None


def _calls_in(node: cst.BaseExpression) -> list[cst.Call]:
    out: list[cst.Call] = []
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call):
            out.append(current)
        stack.extend(current.children)
    return out


def split_targets(stmt: cst.Assign) -> list[str] | None:
    """The names of ``a, b = ...`` (one target, two names or more, no starred one), else None."""
    if len(stmt.targets) != 1 or not isinstance(stmt.targets[0].target, (cst.Tuple, cst.List)):
        return None
    elements = stmt.targets[0].target.elements
    if len(elements) < 2 or any(not isinstance(e, cst.Element) or not isinstance(e.value, cst.Name)
                                for e in elements):
        return None
    return [e.value.value for e in elements]  # type: ignore[attr-defined]


def split_tensor(node: cst.BaseExpression,
                 resolve: Callable[[cst.BaseExpression], str | None]) -> cst.BaseExpression | None:
    """The tensor ``x.split(n, dim=1)``, ``x.chunk(2, 1)``, ``torch.split(x, n)`` or ``torch.chunk(x, 2)``
    splits (torch's names through the imports), else None."""
    if not isinstance(node, cst.Call) or any(a.star for a in node.args):
        return None
    resolved = resolve(node.func)
    if resolved is not None:
        if resolved not in SPLIT_FUNCTIONS or not node.args:
            return None
        first = node.args[0]
        if first.keyword is None or first.keyword.value in ("tensor", "input"):
            return first.value
        return None
    func = node.func
    if isinstance(func, cst.Attribute) and func.attr.value in SPLIT_METHODS and node.args:
        return func.value
    return None


def name_counts(fn: cst.FunctionDef) -> Counter[str]:
    """How often each name is written in a function, read or assigned (a part named once is never read)."""
    counts: Counter[str] = Counter()
    stack: list[cst.CSTNode] = [fn.body]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            counts[current.value] += 1
        stack.extend(current.children)
    return counts
