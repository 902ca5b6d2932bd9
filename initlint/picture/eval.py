"""The one expression evaluator: the numbers a layer is built with and an init is called with.

Only what can be known without running the code: literals, arithmetic, ``math``/``numpy``/``torch`` functions
of numbers (alike), module constants, defaults in the enclosing signature and local assignments. Anything
else -- an unknown name, an unknown call, a star-argument, a result past a work budget -- is ``UNKNOWN`` and
the rules stay silent about it. ``symbolic`` evaluates the same way per layer, through the hooks below.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import libcst as cst

from initlint.picture import torchspec
from initlint.picture.budget import MAX_INT_BITS, MAX_SEQUENCE, int_fits, number_fits
from initlint.picture.domain import UNKNOWN, is_number
from initlint.picture.imports import ImportTable

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    cst.Add: operator.add,
    cst.Subtract: operator.sub,
    cst.Multiply: operator.mul,
    cst.Divide: operator.truediv,
    cst.FloorDivide: operator.floordiv,
    cst.Power: operator.pow,
    cst.Modulo: operator.mod,
}

# The same functions of numbers under math., numpy. and torch. (torch's take tensors, but code that writes
# ``torch.sqrt(2.0 / n)`` means the number).
_NUMERIC: dict[str, Callable[..., Any]] = {
    "sqrt": math.sqrt,
    "log": math.log,
    "exp": math.exp,
    "prod": math.prod,
}
_MATH_ONLY: dict[str, Callable[..., Any]] = {"pow": math.pow}
_NUMERIC_MODULES = ("math", "numpy", "torch")
_BUILTINS: dict[str, Callable[..., Any]] = {
    "int": int,
    "float": float,
    "min": min,
    "max": max,
    "abs": abs,
    "len": len,
    "round": round,
}


def numeric_function(resolved: str | None) -> Callable[..., Any] | None:
    """``math.sqrt``, ``numpy.sqrt`` and ``torch.sqrt`` alike (``np`` resolves to ``numpy`` by its import)."""
    if resolved is None or "." not in resolved:
        return None
    module, _, name = resolved.rpartition(".")
    if module not in _NUMERIC_MODULES:
        return None
    return _NUMERIC.get(name) or (_MATH_ONLY.get(name) if module == "math" else None)


def arithmetic(op: type, left: Any, right: Any) -> Any:
    """``left op right`` for numbers (and a tuple times an int), within the work budgets; UNKNOWN past them."""
    func = _BINARY.get(op)
    if func is None:
        return UNKNOWN
    if is_number(left) and is_number(right):
        if isinstance(left, int) and isinstance(right, int) and not _int_result_fits(op, left, right):
            return UNKNOWN
        result = func(left, right)
        if isinstance(result, float) and not math.isfinite(result):
            return UNKNOWN
        if isinstance(result, complex):
            return UNKNOWN
        return result
    if op is cst.Multiply and isinstance(left, tuple) and isinstance(right, int) and not isinstance(right, bool):
        return left * right if 0 <= len(left) * right <= MAX_SEQUENCE else UNKNOWN
    return UNKNOWN


def _int_result_fits(op: type, left: int, right: int) -> bool:
    """Whether an integer result stays within MAX_INT_BITS, decided before computing it."""
    bits = max(abs(left).bit_length(), abs(right).bit_length())
    if op is cst.Power:
        if right < 0 or abs(left) <= 1:
            return True
        return right * abs(left).bit_length() <= MAX_INT_BITS
    if op is cst.Multiply:
        return abs(left).bit_length() + abs(right).bit_length() <= MAX_INT_BITS
    return bits <= MAX_INT_BITS


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
            value = self._eval(node)
        except (ArithmeticError, TypeError, ValueError, OverflowError, RecursionError, IndexError, MemoryError):
            return UNKNOWN
        return within_float_range(value)

    def _eval(self, node: cst.BaseExpression) -> Any:
        if isinstance(node, cst.Integer):
            integer = int(node.value.replace("_", ""), 0)
            return integer if int_fits(integer) else UNKNOWN
        if isinstance(node, cst.Float):
            number = float(node.value.replace("_", ""))
            return number if math.isfinite(number) else UNKNOWN
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
            if type(node.operator) not in _BINARY:
                return UNKNOWN
            return arithmetic(type(node.operator), self._eval(node.left), self._eval(node.right))
        if isinstance(node, (cst.Tuple, cst.List)):
            if len(node.elements) > MAX_SEQUENCE:
                return UNKNOWN
            items = []
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    return UNKNOWN
                items.append(self._eval(element.value))
            return tuple(items)
        if isinstance(node, cst.Attribute):
            return self.attribute(node)
        if isinstance(node, cst.Subscript):
            return self.subscript(node)
        if isinstance(node, cst.Call):
            return self.call(node)
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            return self._compare(node)
        if isinstance(node, cst.BooleanOperation):
            return self._boolean(node)
        return UNKNOWN

    def _boolean(self, node: cst.BooleanOperation) -> Any:
        """``fanin or size[0]`` / ``a and b`` as Python gives them, when the left side's truth is known (a
        number, a string, None, a bool, a tuple)."""
        left = self._eval(node.left)
        if left is UNKNOWN or not (left is None or isinstance(left, (int, float, str, tuple))):
            return UNKNOWN
        if isinstance(node.operator, cst.Or):
            return left if left else self._eval(node.right)
        return self._eval(node.right) if left else left

    # Hooks a per-layer evaluator (symbolic.py) extends: attributes, subscripts and calls of what it knows.

    def attribute(self, node: cst.Attribute) -> Any:
        path = _self_path(node)
        if path is not None:
            return self.lookup(path)
        if isinstance(node.value, cst.Name) and self.lookup(node.value.value) is UNKNOWN:
            # ``opt.ndf`` of a module-level ``opt = parser.parse_args()``: its default (cli_options.py)
            return self.lookup(f"{node.value.value}.{node.attr.value}")
        return UNKNOWN

    def subscript(self, node: cst.Subscript) -> Any:
        """``self.kernel_size[0]`` of a known tuple."""
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return UNKNOWN
        base = self._eval(node.value)
        index = self._eval(node.slice[0].slice.value)
        if isinstance(base, tuple) and isinstance(index, int) and not isinstance(index, bool) \
                and -len(base) <= index < len(base):
            return base[index]
        return UNKNOWN

    def call(self, node: cst.Call) -> Any:
        if any(a.star for a in node.args):
            return UNKNOWN  # f(*args): what it receives is not known
        resolved = self.imports.resolve(node.func)
        args = [self._eval(a.value) for a in node.args if a.keyword is None]
        kwargs = {a.keyword.value: self._eval(a.value) for a in node.args if a.keyword is not None}
        if resolved == "torch.nn.init.calculate_gain":
            name = args[0] if args else kwargs.get("nonlinearity", UNKNOWN)
            param = args[1] if len(args) > 1 else kwargs.get("param")
            if not isinstance(name, str) or (param is not None and not is_number(param)):
                return UNKNOWN
            gain = torchspec.calculate_gain(name, param)
            return UNKNOWN if gain is None else gain
        func = numeric_function(resolved)
        if func is None and isinstance(node.func, cst.Name) and self.lookup(node.func.value) is UNKNOWN \
                and resolved is None:
            func = _BUILTINS.get(node.func.value)
        if func is None or kwargs:
            return UNKNOWN
        if any(a is UNKNOWN for a in args):
            return UNKNOWN
        if func is len:
            return len(args[0]) if args and isinstance(args[0], (tuple, str)) else UNKNOWN
        if not all(is_number(a) or isinstance(a, tuple) for a in args):
            return UNKNOWN
        if func is math.prod and args and isinstance(args[0], tuple):
            product = 1
            for factor in args[0]:
                product = arithmetic(cst.Multiply, product, factor)
                if product is UNKNOWN:
                    return UNKNOWN
            return product
        return func(*args)

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


def within_float_range(value: Any) -> Any:
    """Numbers past float range (or NaN) are UNKNOWN, in tuples too: each site is then judged alone."""
    if is_number(value):
        return value if (not isinstance(value, float) or math.isfinite(value)) and number_fits(value) else UNKNOWN
    if isinstance(value, tuple) and any(is_number(item) for item in value):
        return tuple(within_float_range(item) for item in value)
    return value


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
