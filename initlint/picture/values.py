"""Constant evaluation: the numbers a layer is built with and an init is called with.

Only what can be known without running the code: literals, arithmetic, ``math`` functions, module
constants, defaults in the enclosing signature and simple local assignments.  Anything else is
``UNKNOWN`` and the rules stay silent about it.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any, TypeGuard

import libcst as cst

from initlint.picture import catalog
from initlint.picture.imports import ImportTable


class _Unknown:
    """The value of anything that cannot be known statically."""

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    cst.Add: operator.add,
    cst.Subtract: operator.sub,
    cst.Multiply: operator.mul,
    cst.Divide: operator.truediv,
    cst.FloorDivide: operator.floordiv,
    cst.Power: operator.pow,
    cst.Modulo: operator.mod,
}

_MATH: dict[str, Callable[..., Any]] = {
    "sqrt": math.sqrt,
    "pow": math.pow,
    "log": math.log,
    "exp": math.exp,
    "prod": math.prod,
}
_BUILTINS: dict[str, Callable[..., Any]] = {
    "int": int,
    "float": float,
    "min": min,
    "max": max,
    "abs": abs,
    "len": len,
    "round": round,
}


def is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Evaluator:
    """Evaluates expressions against a chain of name scopes (innermost last)."""

    def __init__(self, imports: ImportTable, scopes: list[dict[str, Any]]) -> None:
        self.imports = imports
        self.scopes = scopes

    def lookup(self, name: str) -> Any:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return UNKNOWN

    def __call__(self, node: cst.BaseExpression | None) -> Any:
        if node is None:
            return UNKNOWN
        try:
            return self._eval(node)
        except (ArithmeticError, TypeError, ValueError, OverflowError, RecursionError):
            return UNKNOWN

    def _eval(self, node: cst.BaseExpression) -> Any:
        if isinstance(node, cst.Integer):
            return int(node.value.replace("_", ""), 0)
        if isinstance(node, cst.Float):
            return float(node.value.replace("_", ""))
        if isinstance(node, cst.SimpleString):
            return node.evaluated_value
        if isinstance(node, cst.ConcatenatedString):
            value = node.evaluated_value
            return value if isinstance(value, str) else UNKNOWN
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.value]
            return self.lookup(node.value)
        if isinstance(node, cst.UnaryOperation):
            inner = self._eval(node.expression)
            if is_number(inner):
                if isinstance(node.operator, cst.Minus):
                    return -inner
                if isinstance(node.operator, cst.Plus):
                    return inner
            if isinstance(node.operator, cst.Not) and isinstance(inner, bool):
                return not inner
            return UNKNOWN
        if isinstance(node, cst.BinaryOperation):
            op = _BINARY.get(type(node.operator))
            left = self._eval(node.left)
            right = self._eval(node.right)
            if op is None:
                return UNKNOWN
            if is_number(left) and is_number(right):
                return op(left, right)
            if isinstance(node.operator, cst.Multiply) and isinstance(left, tuple) and isinstance(right, int):
                return left * right
            return UNKNOWN
        if isinstance(node, (cst.Tuple, cst.List)):
            items = []
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    return UNKNOWN
                items.append(self._eval(element.value))
            return tuple(items)
        if isinstance(node, cst.Attribute):
            path = _self_path(node)
            if path is not None:
                return self.lookup(path)
            return UNKNOWN
        if isinstance(node, cst.Call):
            return self._eval_call(node)
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            return self._compare(node)
        return UNKNOWN

    def _compare(self, node: cst.Comparison) -> Any:
        """``v == "M"``, ``i < n - 1``: a test on known plain values (for loops run item by item)."""
        left = self._eval(node.left)
        target = node.comparisons[0]
        right = self._eval(target.comparator)
        plain = (int, float, str)
        if not isinstance(left, plain) or not isinstance(right, plain) or isinstance(left, bool) \
                or isinstance(right, bool):
            return UNKNOWN
        op = target.operator
        if isinstance(op, cst.Equal):
            return left == right
        if isinstance(op, cst.NotEqual):
            return left != right
        if isinstance(left, str) != isinstance(right, str):
            return UNKNOWN
        compare = {cst.LessThan: operator.lt, cst.LessThanEqual: operator.le, cst.GreaterThan: operator.gt,
                   cst.GreaterThanEqual: operator.ge}.get(type(op))
        return compare(left, right) if compare is not None else UNKNOWN

    def _eval_call(self, node: cst.Call) -> Any:
        resolved = self.imports.resolve(node.func)
        args = [self._eval(a.value) for a in node.args if a.keyword is None and not a.star]
        kwargs = {a.keyword.value: self._eval(a.value) for a in node.args if a.keyword is not None}
        if resolved == "torch.nn.init.calculate_gain":
            name = args[0] if args else kwargs.get("nonlinearity", UNKNOWN)
            param = args[1] if len(args) > 1 else kwargs.get("param")
            if not isinstance(name, str) or (param is not None and not is_number(param)):
                return UNKNOWN
            gain = catalog.calculate_gain(name, param)
            return UNKNOWN if gain is None else gain
        func: Callable[..., Any] | None = None
        if resolved is not None and resolved.startswith("math."):
            func = _MATH.get(resolved[5:])
        elif isinstance(node.func, cst.Name) and self.lookup(node.func.value) is UNKNOWN:
            func = _BUILTINS.get(node.func.value)
        if func is None or kwargs:
            return UNKNOWN
        if any(a is UNKNOWN for a in args):
            return UNKNOWN
        if func is len:
            return len(args[0]) if args and isinstance(args[0], (tuple, str)) else UNKNOWN
        if not all(is_number(a) or isinstance(a, tuple) for a in args):
            return UNKNOWN
        return func(*args)


def _self_path(node: cst.Attribute) -> str | None:
    """``self.width`` -> "self.width" so attribute constants can be looked up like names."""
    if isinstance(node.value, cst.Name) and node.value.value == "self":
        return f"self.{node.attr.value}"
    return None


def gain_name(imports: ImportTable, node: cst.BaseExpression | None) -> tuple[str, float | None] | None:
    """The activation named by ``calculate_gain("relu")`` (and its param), if the expression is one."""
    if not isinstance(node, cst.Call):
        return None
    if imports.resolve(node.func) != "torch.nn.init.calculate_gain":
        return None
    if not node.args:
        return None
    first = node.args[0].value
    if not isinstance(first, cst.SimpleString):
        return None
    name = first.evaluated_value
    param: float | None = None
    if len(node.args) > 1:
        second = node.args[1].value
        if isinstance(second, (cst.Integer, cst.Float)):
            param = float(second.value)
    return (name, param) if isinstance(name, str) else None
