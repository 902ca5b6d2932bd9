"""A loop pass that picks its activation by the loop's index: ``if i == sigmoid_layer: layers.append(
nn.Sigmoid()) else: layers.append(nn.ReLU())`` (DLRM's ``create_mlp``).

The index takes each value once and the other side of ``==`` does not change inside the loop, so at most one
pass takes the ``==`` arm: every other pass appends the other arm's item. Which pass that is (if any) is not
known when the other side is a parameter, so the list gets one ``IndexChoice`` item, not both arms in a row
(which would read as Sigmoid followed by ReLU after every layer)."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from initlint.picture import symbolic
from initlint.picture.syntax import positional, statements


@dataclass(frozen=True)
class LoopIndex:
    """The innermost ``for`` loop's index (``i`` of ``for i in range(...)`` / ``for i, x in enumerate(...)``)
    and the names its body assigns (which may change from one pass to the next)."""

    name: str
    assigned: frozenset[str]


@dataclass(frozen=True)
class ArmsByIndex:
    """What ``index_arms`` reads from the ``if``: the list both arms append to, the item of the arm at most one
    pass takes (``odd``), the item of the arm every other pass takes (``rest``), and the test as written."""

    target: cst.BaseExpression
    odd: cst.BaseExpression
    rest: cst.BaseExpression
    test: str


def loop_index(stmt: cst.For, builtin_call: bool, assigned: set[str]) -> LoopIndex | None:
    """The index of ``for i in range(...)`` or ``for i, _ in enumerate(...)``; ``builtin_call``: the call's name
    is Python's builtin, not an import or a local function; ``assigned``: the names the body assigns."""
    call = stmt.iter
    if not builtin_call or not isinstance(call, cst.Call) or not isinstance(call.func, cst.Name):
        return None
    target: cst.BaseExpression = stmt.target
    if call.func.value == "enumerate" and isinstance(target, cst.Tuple) and len(target.elements) == 2:
        target = target.elements[0].value
    elif call.func.value != "range" or not positional(call):
        return None
    if not isinstance(target, cst.Name):
        return None
    return LoopIndex(target.value, frozenset(assigned))


def index_arms(stmt: cst.If, index: LoopIndex | None) -> ArmsByIndex | None:
    """``if i == k: xs.append(a) else: xs.append(b)`` (or ``!=``, or ``k == i``) with ``k`` the same in every
    pass: the arms' items and list; None for any other ``if``."""
    if index is None or not isinstance(stmt.orelse, cst.Else) or not isinstance(stmt.test, cst.Comparison) \
            or len(stmt.test.comparisons) != 1:
        return None
    comparison = stmt.test.comparisons[0]
    if not isinstance(comparison.operator, (cst.Equal, cst.NotEqual)):
        return None
    sides = [stmt.test.left, comparison.comparator]
    names = [isinstance(s, cst.Name) and s.value == index.name for s in sides]
    if names.count(True) != 1 or not _invariant(sides[names.index(False)], index):
        return None
    true_arm, false_arm = _appended(stmt.body), _appended(stmt.orelse.body)
    if true_arm is None or false_arm is None or symbolic.text(true_arm[0]) != symbolic.text(false_arm[0]):
        return None
    odd, rest = (true_arm, false_arm) if isinstance(comparison.operator, cst.Equal) else (false_arm, true_arm)
    test = f"{symbolic.text(stmt.test.left)} == {symbolic.text(comparison.comparator)}"
    return ArmsByIndex(true_arm[0], odd[1], rest[1], test)


def _invariant(node: cst.BaseExpression, index: LoopIndex) -> bool:
    """No call (it could answer differently each pass) and no name the loop changes or its index."""
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Call, cst.Lambda, cst.NamedExpr, cst.Subscript)):
            return False
        if isinstance(current, cst.Name) and (current.value == index.name or current.value in index.assigned):
            return False
        if isinstance(current, cst.Attribute):
            stack.append(current.value)  # ``self.sigmoid_layer``: the attribute's name is not a variable
            continue
        stack.extend(current.children)
    return True


def _appended(body: cst.BaseSuite) -> tuple[cst.BaseExpression, cst.BaseExpression] | None:
    """``xs.append(item)`` as an arm's only statement: (``xs``, ``item``)."""
    body_statements = statements(body)
    if len(body_statements) != 1 or not isinstance(body_statements[0], cst.Expr):
        return None
    call = body_statements[0].value
    if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute) \
            or call.func.attr.value != "append" or len(call.args) != 1 or call.args[0].keyword is not None \
            or call.args[0].star:
        return None
    return call.func.value, call.args[0].value
