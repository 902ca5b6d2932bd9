"""Matrix products in ``forward()``: a bare weight applied as ``W @ h`` or ``h @ W`` acts as a layer, and a
fixed tensor times a layer's output (a graph conv's ``torch.spmm(adj, support)``) passes the layer on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import libcst as cst

from initlint.picture.domain import ActVal, ClassInfo, LayerVal, MixedModules, SeqVal, SubVal
from initlint.picture.flow import Flow, FlowAnalyzer
from initlint.picture.model import LINEAR, MATMUL, RMATMUL, Follow


class MatrixProducts:
    """The products part of ``forward.MethodFlow`` (which provides what is declared here)."""

    a: FlowAnalyzer
    b: Any  # the PictureBuilder
    info: ClassInfo
    env: dict[str, Any]
    ev: Callable[[cst.BaseExpression], Any]
    flow_of: Callable[[cst.BaseExpression], Flow]

    def product(self, left: cst.BaseExpression, right: cst.BaseExpression, weights: bool = True) -> Flow | None:
        """``left @ right`` (``mm``/``matmul``) read as a layer or as an aggregation: a bare weight on either
        side (weight_product), or a fixed tensor that comes from no layer (a forward argument, a stored
        buffer) times a layer's output on its right (``torch.spmm(adj, support)``: a graph conv mixes the rows
        of ``support``; each row keeps its features, so what follows the product follows the layer)."""
        if weights:
            found = self.weight_product(left, right, MATMUL) or self.weight_product(right, left, RMATMUL)
            if found is not None:
                return found
        if not self.fixed_tensor(left) or not isinstance(right, (cst.Name, cst.Call, cst.BinaryOperation)) \
                or isinstance(right, cst.Call) and isinstance(right.func, cst.Attribute) \
                and right.func.attr.value in ("t", "transpose", "permute"):
            return None
        mixed = self.ev(right)
        return mixed if isinstance(mixed, Flow) and mixed.live and not mixed.acted else None

    def fixed_tensor(self, node: cst.BaseExpression) -> bool:
        """A tensor no layer of this class computes: a forward argument or a stored non-module attribute."""
        if isinstance(node, cst.Name):
            return node.value not in self.env
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
            value = self.info.attrs.get(node.attr.value)
            return value is not None and not isinstance(value, (LayerVal, SeqVal, SubVal, ActVal, MixedModules)) \
                and not isinstance(value, Flow)
        return False

    def weight_product(self, weight: cst.BaseExpression, operand: cst.BaseExpression, orientation: str) -> Flow | None:
        """``W @ h`` (MATMUL: ``W = self.weight`` a bare 2-D Parameter stored (out, in), as torch's fans read
        it) or ``h @ W`` (RMATMUL: W stored (in, out), a GCN kernel; torch's fans read it transposed, see
        ``Layer.signal_fans``): W acts as a layer applied to ``h``. A weight used both ways is no layer."""
        if not (isinstance(weight, cst.Attribute) and isinstance(weight.value, cst.Name) and weight.value.value == "self"):
            return None
        value = self.info.attrs.get(weight.attr.value)
        if not isinstance(value, LayerVal):
            return None
        layers = [self.b.picture.layers[u] for u in value.uids]
        if not all(layer.kind == "Parameter" and (shape := layer.params.get("")) is not None and len(shape) == 2
                   and layer.functional in (None, orientation) for layer in layers):
            return None
        inflow = self.flow_of(operand)
        self.a.emit(inflow, Follow(LINEAR))
        self.a.link(inflow, value.uids)
        for layer in layers:
            layer.functional = orientation
        return Flow(frozenset(value.uids))
