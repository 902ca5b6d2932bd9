"""Init arguments whose value depends on the layer they reach, evaluated once per layer.

In a model-wide loop, ``m.weight.data.normal_(0, math.sqrt(2.0 / n))`` with
``n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels`` has no single value: it has one for each layer
``m`` stands for. An init site keeps the syntax of such arguments and of the local assignments they read
(:class:`Deferred`); :func:`evaluate` gives the value for one target layer and parameter, using only what
the picture knows of that layer's constructor arguments and parameter shapes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from initlint.picture import catalog
from initlint.picture.model import Layer
from initlint.picture.values import Evaluator, is_number

_CODE = cst.Module([])
MAX_DEPTH = 12


@dataclass
class Deferred:
    """What an init call's arguments need to be evaluated per layer."""

    nodes: dict[str, cst.BaseExpression]  # argument name -> its expression ("std", "a", "b", "val")
    sources: Mapping[str, cst.BaseExpression]  # local name -> the expression last assigned to it
    static: Evaluator  # module and class constants, signature defaults
    layer_text: str | None  # how the call names the layer: "m", "self.lstm" (None: a bare tensor variable)
    param_text: str  # how the call names the tensor: "m.weight", "param", "self.lstm.bias_hh_l0"
    slice_bounds: tuple[cst.BaseExpression | None, cst.BaseExpression | None] | None = None
    slice_node: cst.BaseSlice | None = None  # the ``a:b`` of a sliced target, for a fix to rewrite
    names_used: set[str] = field(default_factory=set)  # filled by evaluate: which layer attributes it read


@dataclass(frozen=True)
class _Tensor:
    shape: tuple[int | None, ...]


@dataclass(frozen=True)
class _LayerRef:
    layer: Layer


def text(node: cst.CSTNode) -> str:
    return _CODE.code_for_node(node)


def evaluate(deferred: Deferred, node: cst.BaseExpression | None, layer: Layer, param: str) -> Any:
    """The value of ``node`` when the call initializes ``param`` of ``layer``; None when unknown."""
    if node is None:
        return None
    try:
        value = _Eval(deferred, layer, param).run(node, 0)
    except (ArithmeticError, TypeError, ValueError, OverflowError, RecursionError, IndexError):
        return None
    return value if is_number(value) or isinstance(value, tuple) else None


def layer_attribute(layer: Layer, name: str) -> Any:
    """A constructor attribute as torch stores it (``kernel_size`` always a tuple)."""
    dims = catalog.CONV.get(layer.kind) or catalog.CONV_TRANSPOSE.get(layer.kind)
    value = layer.args.get(name, _DEFAULTS.get(name))
    if dims and name in ("kernel_size", "stride", "padding", "dilation") and isinstance(value, int):
        return (value,) * dims
    return value


_DEFAULTS: dict[str, Any] = {"groups": 1, "stride": 1, "padding": 0, "dilation": 1, "num_layers": 1}


class _Eval:
    def __init__(self, deferred: Deferred, layer: Layer, param: str) -> None:
        self.d = deferred
        self.layer = layer
        self.param = param

    def run(self, node: cst.BaseExpression, depth: int) -> Any:
        if depth > MAX_DEPTH:
            return None
        spelled = text(node)
        if spelled == self.d.param_text:
            return self.tensor(self.param)
        if self.d.layer_text is not None and spelled == self.d.layer_text:
            return _LayerRef(self.layer)
        if isinstance(node, cst.Name):
            if node.value in self.d.sources:
                return self.run(self.d.sources[node.value], depth + 1)
            return self.static(node)
        if isinstance(node, (cst.Integer, cst.Float)):
            return self.static(node)
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
            inner = self.run(node.expression, depth + 1)
            return -inner if is_number(inner) else None
        if isinstance(node, cst.BinaryOperation):
            left, right = self.run(node.left, depth + 1), self.run(node.right, depth + 1)
            if not (is_number(left) and is_number(right)):
                return None
            op = type(node.operator)
            if op is cst.Add:
                return left + right
            if op is cst.Subtract:
                return left - right
            if op is cst.Multiply:
                return left * right
            if op is cst.Divide:
                return left / right
            if op is cst.FloorDivide:
                return left // right
            if op is cst.Power:
                return left**right
            return None
        if isinstance(node, cst.Attribute):
            base = self.run(node.value, depth + 1)
            name = node.attr.value
            if isinstance(base, _LayerRef):
                if name in base.layer.params:
                    return self.tensor(name)
                self.d.names_used.add(name)
                return layer_attribute(base.layer, name)
            if isinstance(base, _Tensor):
                if name == "data":
                    return base
                if name == "shape":
                    return base.shape
            return self.static(node)
        if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            base = self.run(node.value, depth + 1)
            index = self.run(node.slice[0].slice.value, depth + 1)
            if isinstance(base, tuple) and isinstance(index, int) and -len(base) <= index < len(base):
                return base[index]
            return None
        if isinstance(node, cst.Call):
            return self.call(node, depth)
        return self.static(node)

    def call(self, node: cst.Call, depth: int) -> Any:
        args = [self.run(a.value, depth + 1) for a in node.args if a.keyword is None]
        if isinstance(node.func, cst.Attribute):
            receiver = self.run(node.func.value, depth + 1)
            method = node.func.attr.value
            if isinstance(receiver, _Tensor):
                if method == "size":
                    return receiver.shape[args[0]] if args and isinstance(args[0], int) else receiver.shape
                if method == "numel":
                    return math.prod(d for d in receiver.shape if d is not None) \
                        if all(d is not None for d in receiver.shape) else None
                if method == "dim":
                    return len(receiver.shape)
                return None
        resolved = self.d.static.imports.resolve(node.func)
        name = resolved or (node.func.value if isinstance(node.func, cst.Name) else "")
        if name in ("math.sqrt", "numpy.sqrt", "torch.sqrt") and len(args) == 1 and is_number(args[0]):
            return math.sqrt(args[0])
        if name == "float" and len(args) == 1 and is_number(args[0]):
            return float(args[0])
        if name == "int" and len(args) == 1 and is_number(args[0]):
            return int(args[0])
        if name == "len" and len(args) == 1 and isinstance(args[0], _Tensor):
            return args[0].shape[0]
        if name in ("math.prod", "numpy.prod") and len(args) == 1 and isinstance(args[0], tuple):
            return math.prod(args[0]) if all(is_number(v) for v in args[0]) else None
        return self.static(node)

    def tensor(self, param: str) -> _Tensor | None:
        self.d.names_used.add(f"{param} (tensor)")
        shape = self.layer.params.get(param)
        return _Tensor(shape) if shape is not None else None

    def static(self, node: cst.BaseExpression) -> Any:
        value = self.d.static(node)
        return value if is_number(value) or isinstance(value, tuple) else None
