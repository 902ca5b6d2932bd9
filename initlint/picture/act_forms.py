"""Custom activations understood by what they compute (issue 16, item 4).

``class Swish(nn.Module): def forward(self, x): return x * torch.sigmoid(x)``, ``def gelu(x): return 0.5 * x *
(1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * torch.pow(x, 3))))``: a function of one tensor whose
body is a few assignments and a ``return`` of elementwise arithmetic over functions resolved through the
imports. It is run on plain floats at fixed sample points and compared with what each torch activation
computes (``torchspec.REFERENCE_FORMS``); it is that activation only if it agrees at every point (to 1e-9),
a leaky rectifier only if it is ``x`` above 0 and one constant slope in (0, 1) below. Anything else (a learned
``self.beta``, ``x * torch.sigmoid(1.702 * x)``, a name we cannot resolve) is not an activation we know.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import libcst as cst

from initlint.picture import torchspec
from initlint.picture.domain import ActVal, ClassRef, FuncRef
from initlint.picture.imports import ImportTable
from initlint.picture.syntax import function_params, statements
from initlint.picture.torchspec import Activation

SAMPLES = (-4.3, -2.9, -1.7, -1.1, -0.55, -0.2, 0.13, 0.4, 0.85, 1.3, 2.05, 3.1, 4.7, 5.9, 7.3)
_TOLERANCE = 1e-9


class _NotElementwise(Exception):
    """The body does something the sample run cannot follow."""


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _softplus(x: float) -> float:
    return math.log1p(math.exp(x))


# the last part of a resolved function (in one of _NAMESPACES) or a tensor method -> what it computes
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "sigmoid": _sigmoid,
    "expit": _sigmoid,
    "tanh": math.tanh,
    "erf": math.erf,
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "abs": abs,
    "relu": lambda x: max(x, 0.0),
    "softplus": _softplus,
    "pow": lambda x, p: x ** p,
}
_NAMESPACES = ("torch", "torch.nn.functional", "torch.special", "math", "numpy")
_CONSTANTS = {"pi": math.pi, "e": math.e}


def activation_of_function(fn: cst.FunctionDef, imports: ImportTable, method: bool) -> Activation | None:
    """The torch activation ``fn`` computes (``method``: its first parameter is ``self``), or None."""
    params = function_params(fn)
    if method:
        params = params[1:]
    if not params or any(p.default is None for p in params[1:]) or isinstance(fn.params.star_arg, cst.Param) \
            or fn.params.star_kwarg is not None:
        return None
    body = [s for s in statements(fn.body)
            if not (isinstance(s, cst.Expr) and isinstance(s.value, (cst.SimpleString, cst.ConcatenatedString)))]
    if not body or not isinstance(body[-1], cst.Return) or body[-1].value is None:
        return None
    if not all(isinstance(s, cst.Assign) and len(s.targets) == 1 and isinstance(s.targets[0].target, cst.Name)
               for s in body[:-1]):
        return None
    name = params[0].name.value
    try:
        values = [_SampleRun(imports, name, x).run(body) for x in SAMPLES]
    except (_NotElementwise, ArithmeticError, ValueError, TypeError):
        return None
    return match(values)


def match(values: list[float]) -> Activation | None:
    """The activation whose form gives ``values`` at ``SAMPLES``."""
    for act_name, forms in torchspec.REFERENCE_FORMS.items():
        for form in forms:
            if all(math.isclose(v, form(x), rel_tol=_TOLERANCE, abs_tol=_TOLERANCE) for x, v in zip(SAMPLES, values)):
                return torchspec.activation_for_function(act_name)
    positive = [(x, v) for x, v in zip(SAMPLES, values) if x > 0]
    negative = [v / x for x, v in zip(SAMPLES, values) if x < 0]
    if all(math.isclose(v, x, rel_tol=_TOLERANCE) for x, v in positive) and negative \
            and all(math.isclose(s, negative[0], rel_tol=_TOLERANCE) for s in negative) and 0 < negative[0] < 1:
        return Activation("leaky_relu", negative[0])
    return None


class _SampleRun:
    """The body run on one float (every unknown step raises _NotElementwise)."""

    def __init__(self, imports: ImportTable, param: str, x: float) -> None:
        self.imports = imports
        self.env: dict[str, float] = {param: x}

    def run(self, body: list[cst.CSTNode]) -> float:
        for stmt in body[:-1]:
            assert isinstance(stmt, cst.Assign)
            target = stmt.targets[0].target
            assert isinstance(target, cst.Name)
            self.env[target.value] = self.value(stmt.value)
        last = body[-1]
        assert isinstance(last, cst.Return) and last.value is not None
        return self.value(last.value)

    def value(self, node: cst.BaseExpression) -> float:
        if isinstance(node, (cst.Integer, cst.Float)):
            return float(node.evaluated_value)
        if isinstance(node, cst.Name):
            if node.value in self.env:
                return self.env[node.value]
            raise _NotElementwise
        if isinstance(node, cst.Attribute):
            return self.constant(node)
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
            inner = self.value(node.expression)
            return -inner if isinstance(node.operator, cst.Minus) else inner
        if isinstance(node, cst.BinaryOperation):
            return _binary(node.operator, self.value(node.left), self.value(node.right))
        if isinstance(node, cst.Call):
            return self.call(node)
        raise _NotElementwise

    def constant(self, node: cst.Attribute) -> float:
        resolved = self.imports.resolve(node)
        if resolved is None:
            raise _NotElementwise
        space, _, name = resolved.rpartition(".")
        if space in _NAMESPACES and name in _CONSTANTS:
            return _CONSTANTS[name]
        raise _NotElementwise

    def call(self, node: cst.Call) -> float:
        args = [a for a in node.args if not a.star]
        if len(args) != len(node.args):
            raise _NotElementwise
        positional = [self.value(a.value) for a in args if a.keyword is None]
        keywords = {a.keyword.value: a.value for a in args if a.keyword is not None}
        keywords.pop("inplace", None)
        func = node.func
        resolved = self.imports.resolve(func)
        if resolved is not None:
            space, _, name = resolved.rpartition(".")
            if space not in _NAMESPACES:
                raise _NotElementwise
            return self.apply(name, positional, keywords)
        if isinstance(func, cst.Attribute):  # x.sigmoid(), x.pow(3), x.clamp(min=0)
            return self.apply(func.attr.value, [self.value(func.value), *positional], keywords)
        raise _NotElementwise

    def apply(self, name: str, args: list[float], keywords: dict[str, cst.BaseExpression]) -> float:
        known: dict[str, Any] = {k: self.value(v) for k, v in keywords.items() if k != "approximate"}
        if name == "gelu" and len(args) == 1:
            approximate = keywords.get("approximate")
            form = torchspec.REFERENCE_FORMS["gelu"][0 if approximate is None else 1]
            if approximate is not None and not (isinstance(approximate, cst.SimpleString)
                                                and approximate.evaluated_value == "tanh"):
                raise _NotElementwise
            return form(args[0]) if not known else _fail()
        if name in ("clamp", "clip") and len(args) == 1 and set(known) <= {"min", "max"}:
            low, high = known.get("min", -math.inf), known.get("max", math.inf)
            return min(max(args[0], low), high)
        if name == "leaky_relu":
            slope = args[1] if len(args) > 1 else known.pop("negative_slope", torchspec.DEFAULT_LEAKY_SLOPE)
            return args[0] if args[0] > 0 else slope * args[0]
        if name in torchspec.REFERENCE_FORMS and name not in _FUNCTIONS and len(args) == 1 and not known:
            return torchspec.REFERENCE_FORMS[name][0](args[0])
        if name in _FUNCTIONS and "approximate" not in keywords and not known:
            return float(_FUNCTIONS[name](*args))
        raise _NotElementwise


def _fail() -> float:
    raise _NotElementwise


def _binary(operator: cst.BaseBinaryOp, left: float, right: float) -> float:
    if isinstance(operator, cst.Add):
        return left + right
    if isinstance(operator, cst.Subtract):
        return left - right
    if isinstance(operator, cst.Multiply):
        return left * right
    if isinstance(operator, cst.Divide):
        return left / right
    if isinstance(operator, cst.Power):
        return float(left ** right)
    raise _NotElementwise


def callable_activation(value: Any, imports: ImportTable,
                        memo: Callable[[str, cst.CSTNode, Callable[[Any], Any]], Any]) -> Activation | None:
    """The activation a callable value applies when called on one tensor: an activation module, a torch
    function (``self.act_fn = F.gelu``; only those whose defaults are the whole story), a file's function whose
    body computes one (``def swish(x)``). ``memo`` is the builder's per-node cache (``syntax_fact``)."""
    if isinstance(value, ActVal):
        return value.act
    if isinstance(value, ClassRef):
        space, _, name = value.qualified.rpartition(".")
        if space in ("torch.nn.functional", "torch", "torch.special") and name in torchspec.ACTIVATION_FUNCTIONS:
            return torchspec.activation_for_function(name)
        return None
    if isinstance(value, FuncRef) and value.node is not None and value.owner is None:
        found: Activation | None = memo("activation form", value.node,
                                        lambda node: activation_of_function(node, imports, method=False))
        return found
    return None
