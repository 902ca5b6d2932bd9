"""Syntax facts the ``forward()`` data flow asks about: a loop body that carries one value through the loop's
modules, and a call that passes one tensor and nothing that changes an activation."""

from __future__ import annotations

import libcst as cst


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
