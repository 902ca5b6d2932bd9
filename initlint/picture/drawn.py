"""Weights assigned a tensor drawn by hand: ``self.fc1.weight.data = fanin_init(self.fc1.weight.data.size())``
(a helper returning ``torch.Tensor(size).uniform_(-v, v)``), ``layer.weight.data = torch.tensor(W)`` with
``W = np.random.normal(0, std, size=(m, n))``, ``layer.weight = nn.Parameter(torch.randn(n, m) * s)``.

Such an assignment is an init site like ``uniform_(w, a, b)`` / ``normal_(w, mean, std)``: the draw's
arguments are kept as syntax (with a helper's locals, returned.py) and evaluated per layer by the rules. Only
draws whose distribution is known are read: torch's and numpy's uniform/normal, a zero-mean normal times a
scale, and ``rand * c - d`` = U(-d, c - d); anything else is not an init we can judge and is left alone.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from initlint.picture import torchspec
from initlint.picture.domain import FuncRef
from initlint.picture.frame import Frame
from initlint.picture.model import InitSite
from initlint.picture.returned import returned
from initlint.picture.syntax import bound_args, positional

# Wrappers that keep a drawn array's values: the distribution is the array's.
_WRAPPERS = frozenset({"torch.tensor", "torch.from_numpy", "torch.as_tensor", "torch.Tensor", "torch.FloatTensor",
                       "torch.nn.Parameter", "torch.nn.parameter.Parameter"})
_KEEPING_METHODS = frozenset({"astype", "float", "double", "to", "type", "cuda", "cpu", "requires_grad_", "t",
                              "contiguous", "clone", "detach"})
# Fresh tensors whose values an in-place uniform_/normal_ then sets.
_FRESH = frozenset({"torch.Tensor", "torch.FloatTensor", "torch.empty", "torch.zeros", "torch.ones"})
_NUMPY_DRAWS = {"numpy.random.normal": ("normal_", ("mean", "std")), "numpy.random.uniform": ("uniform_", ("a", "b"))}
_UNIT_DRAWS = {"torch.randn": "normal_", "numpy.random.randn": "normal_", "torch.rand": "uniform_",
               "numpy.random.rand": "uniform_"}
MAX_DEPTH = 6

Draw = tuple[str, dict[str, cst.BaseExpression], dict[str, cst.BaseExpression]]  # func, args, helper sources


def _number(value: str) -> cst.BaseExpression:
    return cst.Float(value) if "." in value else cst.Integer(value)


def _times(left: cst.BaseExpression, right: cst.BaseExpression) -> cst.BaseExpression:
    return cst.BinaryOperation(left, cst.Multiply(), right)


class Drawn(Frame):
    def assigned_init(self, stmt: cst.Assign) -> None:
        """``<weight>.data = <draw>`` / ``<layer>.weight = nn.Parameter(<draw>)``: an init site."""
        if not self.b.collecting or len(stmt.targets) != 1 or not isinstance(stmt.targets[0].target, cst.Attribute):
            return
        target = stmt.targets[0].target
        draw = self.draw(stmt.value, {}, 0)
        if draw is None:
            return
        found = self.targets(target)
        if found is None or not found.refs or found.sliced:
            return
        if any(self.b.picture.layers[ref.layer].node is stmt.value for ref in found.refs):
            return  # ``self.w = nn.Parameter(torch.randn(n, m))`` creates the parameter: a placeholder, like empty
        func, raw, helper_sources = draw
        key = (id(stmt), func)
        order = self.b.next_order()
        if key in self.b.sites:
            self.b.record_site(self._reached_again(found, target, order), key)
            return
        site = InitSite(
            func=func, span=None, args={k: self.number(v) for k, v in raw.items()}, targets=found.refs,
            target_text=self.b.module.code_for_node(target), order=(order,), via="assign", shared=found.shared,
            in_slice=False, root_orders={self.root: order}, path=self.path, node=stmt.value, locator=self.b.locator,
            deferred=self.deferred(raw, target, found, helper_sources), statement=self.current_statement,
            name_var=self.name_var_of(target), scope=self.scope_of_site(target, found),
            param_names=dict(found.param_names))
        self.b.record_site(site, key)

    def draw(self, node: cst.BaseExpression, sources: Mapping[str, cst.BaseExpression], depth: int) -> Draw | None:
        """The distribution an expression draws from, as (init function, its arguments, helper locals)."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, cst.Name):
            source = sources.get(node.value, self.sources.get(node.value))
            return self.draw(source, sources, depth + 1) if source is not None else None
        if isinstance(node, cst.BinaryOperation):
            return self._arithmetic(node, sources, depth)
        if not isinstance(node, cst.Call) or any(a.star for a in node.args):
            return None
        resolved = self.imports.resolve(node.func)
        args = positional(node)
        if resolved in _WRAPPERS and len(args) == 1:
            return self.draw(args[0], sources, depth + 1)
        if resolved in _NUMPY_DRAWS:
            func, names = _NUMPY_DRAWS[resolved]
            numpy_names = ("loc", "scale", "size") if func == "normal_" else ("low", "high", "size")
            bound = bound_args(node, numpy_names)
            return func, {ours: bound[theirs] for ours, theirs in zip(names, numpy_names, strict=False)
                          if theirs in bound}, dict(sources)
        if resolved in _UNIT_DRAWS:
            return _UNIT_DRAWS[resolved], {}, dict(sources)
        if isinstance(node.func, cst.Attribute) and resolved is None:
            method = node.func.attr.value
            if method in _KEEPING_METHODS:
                return self.draw(node.func.value, sources, depth + 1)
            if method in ("uniform_", "normal_") and self._fresh(node.func.value, sources):
                return method, bound_args(node, torchspec.TENSOR_INIT_METHODS[method][1]), dict(sources)
        callee = self.value(node.func) if not sources and isinstance(node.func, (cst.Name, cst.Attribute)) else None
        if isinstance(callee, FuncRef) and callee.node is not None and not callee.bound_self:
            found = returned(callee.node, node, set(self.sources) | set(self.env))
            if found is not None:
                return self.draw(found.value, found.sources, depth + 1)
        return None

    def _fresh(self, node: cst.BaseExpression, sources: Mapping[str, cst.BaseExpression]) -> bool:
        """A tensor made to be filled (``torch.Tensor(size)``, ``torch.empty(n, m)``)."""
        if isinstance(node, cst.Name) and node.value in sources:
            node = sources[node.value]
        return isinstance(node, cst.Call) and self.imports.resolve(node.func) in _FRESH

    def _arithmetic(self, node: cst.BinaryOperation, sources: Mapping[str, cst.BaseExpression],
                    depth: int) -> Draw | None:
        """``randn(...) * s`` (a zero-mean normal scaled), ``rand(...) * c`` and ``rand(...) * c - d``."""
        if isinstance(node.operator, cst.Multiply):
            for drawn_side, scale in ((node.left, node.right), (node.right, node.left)):
                inner = self.draw(drawn_side, sources, depth + 1)
                if inner is None:
                    continue
                func, args, inner_sources = inner
                if func == "normal_" and _is_zero(args.get("mean")):
                    return func, {"std": _times(args.get("std", _number("1.0")), scale)}, inner_sources
                if func == "uniform_" and _is_zero(args.get("a")):
                    return func, {"a": _number("0"), "b": _times(args.get("b", _number("1.0")), scale)}, inner_sources
                return None
            return None
        if isinstance(node.operator, cst.Subtract):
            inner = self.draw(node.left, sources, depth + 1)
            if inner is None or inner[0] != "uniform_" or not _is_zero(inner[1].get("a")):
                return None
            width = inner[1].get("b", _number("1.0"))
            high = node.right if _twice(width, node.right) else cst.BinaryOperation(width, cst.Subtract(), node.right)
            return "uniform_", {"a": cst.UnaryOperation(cst.Minus(), node.right), "b": high}, inner[2]
        return None


def _factors(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Multiply):
        return _factors(node.left) + _factors(node.right)
    return [node]


def _twice(width: cst.BaseExpression, shift: cst.BaseExpression) -> bool:
    """``width`` is ``2 * shift`` (``1.0 * 2 * r`` for ``torch.rand(...) * 2 * r - r``): U(0, 2r) - r = U(-r, r)."""
    code = cst.Module([]).code_for_node
    factors = _factors(width)
    texts = [code(f) for f in factors]
    if code(shift) not in texts:
        return False
    rest = [f for i, f in enumerate(factors) if i != texts.index(code(shift))]
    if not all(isinstance(f, (cst.Integer, cst.Float)) for f in rest):
        return False
    product = 1.0
    for f in rest:
        product *= float(f.value)  # type: ignore[attr-defined]
    return product == 2.0


def _is_zero(node: cst.BaseExpression | None) -> bool:
    """No argument (torch's and numpy's default mean/low is 0) or a literal 0."""
    return node is None or isinstance(node, (cst.Integer, cst.Float)) and float(node.value) == 0
