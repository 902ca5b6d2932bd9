"""Hand-written Glorot and He draws: a ``normal_``/``uniform_`` scale (or a drawn tensor's, picture/drawn.py)
that is exactly Glorot's ``sqrt(2/(fan_in+fan_out))`` (a uniform bound ``sqrt(6/(fan_in+fan_out))``) or He's
``sqrt(2/fan_in)`` (bound ``sqrt(6/fan_in)``) in the layer's own fans. Such a draw is that init written out,
and IL101/IL102 judge it as one.

The fans in the formula must provably be the layer's: by value (the layer's sizes and the formula's terms
are known numbers and agree), for every size (the terms read the layer, ``m.in_features + m.out_features``,
and agree on two stand-in layers whose unknown sizes are distinct primes), or by name (``nn.Linear(int(n),
int(m))`` and ``np.sqrt(2 / (m + n))`` in one function and one loop body, each name bound once there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import libcst as cst

from initlint.checks.scale_fans import stand_ins
from initlint.picture import catalog, symbolic
from initlint.picture.model import RMATMUL, InitSite, Layer, Picture
from initlint.picture.syntax import bound_args

GLOROT = "Glorot"
HE = "He"
_CASTS = ("int", "float")
_SQRT = ("math.sqrt", "np.sqrt", "numpy.sqrt", "sqrt", "torch.sqrt")
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class HandForm:
    """What a hand-written scale is: ``form`` (GLOROT or HE), the scale's text, and its value for this layer
    when the sizes are known (``std``: the draw's std)."""

    form: str
    text: str
    uniform: bool
    std: float | None
    how: str  # how the fans were shown to be the layer's: "by value", "for every size", "by name"


def hand_form(picture: Picture, site: InitSite, layer: Layer) -> HandForm | None:
    """The known init a hand-written draw is on this layer, or None."""
    deferred = site.deferred
    if deferred is None or site.func not in ("normal_", "uniform_") or layer.kind not in ("Linear", "Parameter"):
        return None
    scale = _scale_node(site)
    if scale is None:
        return None
    terms = _terms(scale, dict(deferred.sources))
    if terms is None:
        return None
    param = "" if layer.kind == "Parameter" else "weight"
    fans = layer.signal_fans(param)
    uniform = site.func == "uniform_"
    text = _shown(scale, dict(deferred.sources))
    if fans is not None:
        form = _form_on(deferred, scale, terms, layer, param, fans, uniform)
        if form is not None:
            value = float(symbolic.evaluate(deferred, scale, layer, param))
            return HandForm(form, text, uniform, value / math.sqrt(3) if uniform else value, "by value")
    forms: set[str] = set()
    for stand in stand_ins(layer):
        stand_fans = stand.signal_fans(param)
        deferred.names_used.clear()
        form = _form_on(deferred, scale, terms, stand, param, stand_fans, uniform) if stand_fans else None
        if form is None or not deferred.names_used:
            forms = set()
            break
        forms.add(form)
    if len(forms) == 1:
        form = forms.pop()
        return HandForm(form, text, uniform, _std(form, fans), "for every size")
    by_name = _by_name(picture, site, layer, scale, terms, uniform)
    return HandForm(by_name, text, uniform, _std(by_name, fans), "by name") if by_name is not None else None


def _std(form: str, fans: tuple[int, int] | None) -> float | None:
    """The std a proven form gives a layer of known fans (a uniform bound b has std b/sqrt(3))."""
    if fans is None:
        return None
    variance = (2.0 / (fans[0] + fans[1])) if form == GLOROT else 2.0 / fans[0]
    return math.sqrt(variance)


def _shown(scale: cst.BaseExpression, sources: dict[str, cst.BaseExpression]) -> str:
    """``r`` = ``np.sqrt(6.0 / (a + b))``: the scale as written, and what a local name holds."""
    text = f"`{symbolic.text(scale)}`"
    if isinstance(scale, cst.Name) and scale.value in sources:
        text += f" = `{symbolic.text(sources[scale.value])}`"
    return text


def _scale_node(site: InitSite) -> cst.BaseExpression | None:
    """The std of a zero-mean ``normal_``; the bound ``r`` of a symmetric ``uniform_(-r, r)``."""
    nodes = site.deferred.nodes
    if site.func == "normal_":
        mean = site.args.get("mean", 0)
        return nodes.get("std") if mean == 0 or mean == 0.0 else None
    low, high = nodes.get("a"), nodes.get("b")
    if not isinstance(low, cst.UnaryOperation) or not isinstance(low.operator, cst.Minus) or high is None:
        return None
    return high if symbolic.text(low.expression) == symbolic.text(high) else None


def _resolve(node: cst.BaseExpression, sources: dict[str, cst.BaseExpression]) -> cst.BaseExpression:
    for _ in range(8):
        if isinstance(node, cst.Name) and node.value in sources:
            node = sources[node.value]
        else:
            break
    return node


def _terms(scale: cst.BaseExpression, sources: dict[str, cst.BaseExpression]) -> list[cst.BaseExpression] | None:
    """The fan terms under the square root: ``[m, n]`` of ``sqrt(2 / (m + n))``, ``[n]`` of ``sqrt(2. / n)``
    (also ``c / sqrt(...)`` and ``(...) ** 0.5``)."""
    node = _resolve(scale, sources)
    inner: cst.BaseExpression | None = None
    if isinstance(node, cst.Call) and len(node.args) == 1 and symbolic.text(node.func) in _SQRT:
        inner = _resolve(node.args[0].value, sources)
        if isinstance(inner, cst.BinaryOperation) and isinstance(inner.operator, cst.Divide):
            inner = inner.right
        else:
            return None
    elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Power):
        base = _resolve(node.left, sources)
        if not isinstance(base, cst.BinaryOperation) or not isinstance(base.operator, cst.Divide):
            return None
        inner = base.right
    elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
        right = _resolve(node.right, sources)
        if not (isinstance(right, cst.Call) and len(right.args) == 1 and symbolic.text(right.func) in _SQRT):
            return None
        inner = right.args[0].value
    if inner is None:
        return None
    inner = _resolve(inner, sources)
    if isinstance(inner, cst.BinaryOperation) and isinstance(inner.operator, cst.Add):
        return [inner.left, inner.right]
    return [inner]


def _form_on(deferred: symbolic.Deferred, scale: cst.BaseExpression, terms: list[cst.BaseExpression],
             layer: Layer, param: str, fans: tuple[int, int], uniform: bool) -> str | None:
    """GLOROT or HE when the scale's value and its fan terms are exactly that form in these fans."""
    value = symbolic.evaluate(deferred, scale, layer, param)
    values = [symbolic.evaluate(deferred, term, layer, param) for term in terms]
    if not isinstance(value, (int, float)) or not all(isinstance(v, (int, float)) for v in values):
        return None
    return _form_of(float(value), [float(v) for v in values], fans, uniform)


def _form_of(value: float, values: list[float], fans: tuple[int, int], uniform: bool) -> str | None:
    fan_in, fan_out = fans
    c = 6.0 if uniform else 2.0
    if len(values) == 2 and sorted(values) == sorted([fan_in, fan_out]) and \
            math.isclose(value, math.sqrt(c / (fan_in + fan_out)), rel_tol=_TOLERANCE):
        return GLOROT
    if len(values) == 1 and values[0] == fan_in and math.isclose(value, math.sqrt(c / fan_in), rel_tol=_TOLERANCE):
        return HE
    return None


# --------------------------------------------------------------------------- by name


def _uncast(node: cst.BaseExpression) -> cst.BaseExpression:
    """``n`` of ``int(n)`` / ``float(n)``."""
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in _CASTS \
            and len(node.args) == 1 and node.args[0].keyword is None and not node.args[0].star:
        node = node.args[0].value
    return node


def _factory_call(node: cst.BaseExpression, sources: dict[str, cst.BaseExpression],
                  names: set[str]) -> cst.Call | None:
    """``torch.rand(a, b)`` in ``Parameter(w)`` with ``w = torch.rand(a, b) * 2 * r - r``: the call that gives
    the tensor its shape (the local names read on the way are added to ``names``)."""
    for _ in range(8):
        if isinstance(node, cst.Name) and node.value in sources:
            names.add(node.value)
            node = sources[node.value]
        elif isinstance(node, cst.BinaryOperation) and isinstance(
                node.operator, (cst.Multiply, cst.Divide, cst.Add, cst.Subtract)):
            left = _factory_call(node.left, sources, names)
            return left if left is not None else _factory_call(node.right, sources, names)
        else:
            break
    return node if isinstance(node, cst.Call) else None


def _written_fans(layer: Layer, sources: dict[str, cst.BaseExpression],
                  names: set[str]) -> tuple[cst.BaseExpression, cst.BaseExpression] | None:
    """The expressions the layer's fan_in and fan_out are built from: ``nn.Linear(n, m)`` -> (n, m); a bare
    ``Parameter(torch.Tensor(a, b))`` -> (b, a) (torch reads (out, in)), or (a, b) when applied as ``h @ W``."""
    node = layer.node
    if not isinstance(node, cst.Call):
        return None
    if layer.kind == "Linear":
        args = bound_args(node, catalog.LAYER_SIGNATURES["Linear"])
        if "in_features" not in args or "out_features" not in args:
            return None
        return _uncast(args["in_features"]), _uncast(args["out_features"])
    if len(node.args) != 1:
        return None
    factory = _factory_call(node.args[0].value, sources, names)
    if factory is None:
        return None
    dims = factory.args
    if len(dims) != 2 or any(d.star or d.keyword is not None for d in dims):
        return None
    rows, cols = (_uncast(d.value) for d in dims)
    return (rows, cols) if layer.functional == RMATMUL else (cols, rows)


def _by_name(picture: Picture, site: InitSite, layer: Layer, scale: cst.BaseExpression,
             terms: list[cst.BaseExpression], uniform: bool) -> str | None:
    """The form, when the fan terms are the very names the layer is built from, in one scope and run."""
    assert site.deferred is not None
    sources = dict(site.deferred.sources)
    read: set[str] = set()
    written = _written_fans(layer, sources, read)
    if written is None or not isinstance(picture.module, cst.Module):
        return None
    names = [_uncast(t) for t in terms]
    spelled = [symbolic.text(n) for n in names]
    fan_in, fan_out = (symbolic.text(w) for w in written)
    if not all(isinstance(n, cst.Name) for n in names) or fan_in == fan_out:
        return None
    if len(names) == 2 and sorted(spelled) == sorted([fan_in, fan_out]):
        form, stand = GLOROT, {fan_in: 10007, fan_out: 10009}
    elif len(names) == 1 and spelled == [fan_in]:
        form, stand = HE, {fan_in: 10007}
    else:
        return None
    if not _one_run(picture.module, scale, layer.node, set(stand) | read | _names_on_the_way(scale, sources)):
        return None
    probe = replace(site.deferred, sources={**sources, **{name: cst.Integer(str(v)) for name, v in stand.items()}})
    value = symbolic.evaluate(probe, scale, layer, "" if layer.kind == "Parameter" else "weight")
    if not isinstance(value, (int, float)):
        return None
    found = _form_of(float(value), [float(stand[s]) for s in spelled], (stand[fan_in], stand.get(fan_out, 10009)),
                     uniform)
    return found if found == form else None


def _names_on_the_way(node: cst.BaseExpression, sources: dict[str, cst.BaseExpression]) -> set[str]:
    """The local names the scale is computed through (``r`` of ``r = np.sqrt(6.0 / (a + b))``)."""
    out: set[str] = set()
    for _ in range(8):
        if isinstance(node, cst.Name) and node.value in sources:
            out.add(node.value)
            node = sources[node.value]
        else:
            break
    return out


def _one_run(module: cst.Module, draw: object, built: object, names: set[str]) -> bool:
    """The draw and the layer's constructor sit in one function and one loop body, where each name is bound
    once (a parameter, an assignment or a loop target): they read the same values."""
    finder = _Enclosing(draw, built)
    module.visit(finder)
    if finder.function is None or finder.block is None:
        return False
    counter = _Bindings(names)
    finder.function.visit(counter)
    return all(counter.count.get(name, 0) == 1 for name in names) and not counter.declared


class _Enclosing(cst.CSTVisitor):
    """The innermost function and the innermost loop (or function) body holding both nodes."""

    def __init__(self, one: object, two: object) -> None:
        self.targets = (one, two)
        self.stack: list[cst.CSTNode] = []
        self.seen: dict[int, list[cst.CSTNode]] = {}
        self.function: cst.FunctionDef | None = None
        self.block: cst.CSTNode | None = None

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.FunctionDef, cst.For, cst.While)):
            self.stack.append(node)
        for index, target in enumerate(self.targets):
            if node is target:
                self.seen[index] = list(self.stack)
        if len(self.seen) == 2:
            self._decide()
            return False
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if self.stack and self.stack[-1] is original_node:
            self.stack.pop()

    def _decide(self) -> None:
        one, two = self.seen[0], self.seen[1]
        if not one or not two or one[-1] is not two[-1]:
            return  # not in the same innermost function/loop
        self.block = one[-1]
        functions = [n for n in one if isinstance(n, cst.FunctionDef)]
        self.function = functions[-1] if functions else None


class _Bindings(cst.CSTVisitor):
    """How many times each name is bound in a function (parameters, assignments, loop targets), and whether
    one is declared global/nonlocal."""

    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.count: dict[str, int] = {}
        self.declared = False

    def _bind(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name) and target.value in self.names:
            self.count[target.value] = self.count.get(target.value, 0) + 1
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind(element.value)

    def visit_Param(self, node: cst.Param) -> None:
        self._bind(node.name)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._bind(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target)
        self._bind(node.target)  # rebinding an existing value: never "once"

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target)

    def visit_Global(self, node: cst.Global) -> None:
        self.declared |= any(n.name.value in self.names for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.declared |= any(n.name.value in self.names for n in node.names)
