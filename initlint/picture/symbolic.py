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

from initlint.picture import torchspec
from initlint.picture.domain import UNKNOWN, is_number
from initlint.picture.eval import Evaluator
from initlint.picture.model import Layer

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
    value = _LayerEvaluator(deferred, layer, param)(node)
    return value if is_number(value) or isinstance(value, tuple) else None


def layer_attribute(layer: Layer, name: str) -> Any:
    """A constructor attribute as torch stores it (``kernel_size`` always a tuple)."""
    return torchspec.attribute(layer.kind, layer.args, name)


class _LayerEvaluator(Evaluator):
    """The evaluator of eval.py, where the call's names for the layer and its tensor mean this layer and this
    parameter, and local names mean the syntax last assigned to them."""

    def __init__(self, deferred: Deferred, layer: Layer, param: str) -> None:
        super().__init__(deferred.static.imports, deferred.static.scopes)
        self.d = deferred
        self.layer = layer
        self.param = param
        self.depth = 0

    def _eval(self, node: cst.BaseExpression) -> Any:
        spelled = text(node) if isinstance(node, (cst.Name, cst.Attribute, cst.Subscript)) else None
        if spelled is not None and spelled == self.d.param_text:
            return self.tensor(self.param)
        if spelled is not None and self.d.layer_text is not None and spelled == self.d.layer_text:
            return _LayerRef(self.layer)
        if isinstance(node, cst.Name) and node.value in self.d.sources:
            if self.depth >= MAX_DEPTH:
                return UNKNOWN
            self.depth += 1
            try:
                return self._eval(self.d.sources[node.value])
            finally:
                self.depth -= 1
        return super()._eval(node)

    def attribute(self, node: cst.Attribute) -> Any:
        base = self._eval(node.value)
        name = node.attr.value
        if isinstance(base, _LayerRef):
            if name in base.layer.params:
                return self.tensor(name)
            self.d.names_used.add(name)
            value = layer_attribute(base.layer, name)
            return UNKNOWN if value is None else value
        if isinstance(base, _Tensor):
            if name == "data":
                return base
            if name == "shape":
                return base.shape
            return UNKNOWN
        return super().attribute(node)

    def call(self, node: cst.Call) -> Any:
        if isinstance(node.func, cst.Attribute):
            receiver = self._eval(node.func.value)
            if isinstance(receiver, _Tensor):
                args = [self._eval(a.value) for a in node.args if a.keyword is None and not a.star]
                method = node.func.attr.value
                if method == "size":
                    if not args:
                        return receiver.shape
                    return receiver.shape[args[0]] if isinstance(args[0], int) else UNKNOWN
                if method == "numel":
                    return math.prod(d for d in receiver.shape if d is not None) \
                        if all(d is not None for d in receiver.shape) else UNKNOWN
                if method == "dim":
                    return len(receiver.shape)
                return UNKNOWN
        if isinstance(node.func, cst.Name) and node.func.value == "len" and len(node.args) == 1 \
                and self.imports.resolve(node.func) is None:
            inner = self._eval(node.args[0].value)
            if isinstance(inner, _Tensor):
                return inner.shape[0]
        return super().call(node)

    def tensor(self, param: str) -> Any:
        self.d.names_used.add(f"{param} (tensor)")
        shape = self.layer.params.get(param)
        return _Tensor(shape) if shape is not None else UNKNOWN
