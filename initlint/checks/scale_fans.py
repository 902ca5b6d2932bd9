"""IL203: a hand-written He/Xavier/LeCun scale (``math.sqrt(2. / n)``, ``1. / np.sqrt(fan_in)``) whose ``n`` is
not the layer's fan: fan_out where the formula wants fan_in (DDPG's ``hidden_init`` takes ``weight.size(0)``,
which is out_features), a conv fan without the kernel's receptive field or without ``groups``.

The ``n`` is evaluated per layer the call reaches (symbolic.py). When the layer's sizes are known the finding
gives the numbers; when they are not, ``n`` is evaluated on two stand-in layers of the same kind whose unknown
sizes are distinct large primes, and a finding is made only when ``n`` is the same wrong fan on both (it is
that fan whatever the sizes): the message then says the numbers are unknown.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

import libcst as cst

from initlint.checks.common import (
    finding,
    fmt,
    kaiming_mode,
    labels,
    recommended_call,
    transposed,
    weights_set_last,
)
from initlint.findings import Finding
from initlint.fix import Fix, call_fix, fix_builder
from initlint.picture import catalog, symbolic
from initlint.picture.model import ACT, LINEAR, NORM, OUTPUT, Follow, InitSite, Layer, ParamRef, Picture
from initlint.picture.returned import shown as shown_code
from initlint.picture.syntax import bound_args


def _fan_expression(node: cst.BaseExpression | None, sources: dict[str, cst.BaseExpression],
                    depth: int = 0) -> tuple[tuple[cst.BaseExpression, bool], cst.BaseExpression] | None:
    """The ``n`` of a He/Xavier-style scale (``sqrt(c / n)``, ``c / sqrt(n)``, ``(c / n) ** 0.5``), whether
    it is a sum of two fans (``sqrt(6 / (fan_in + fan_out))``), and the ``c``."""
    if node is None or depth > 8:
        return None
    if isinstance(node, cst.Name) and node.value in sources:
        return _fan_expression(sources[node.value], sources, depth + 1)
    inner: cst.BaseExpression | None = None
    if isinstance(node, cst.Call) and len(node.args) == 1 and symbolic.text(node.func) in (
            "math.sqrt", "np.sqrt", "numpy.sqrt", "sqrt"):
        inner = node.args[0].value
    elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Power) and \
            isinstance(node.right, cst.Float) and float(node.right.value) == 0.5:
        inner = node.left
    if inner is not None:
        while isinstance(inner, cst.Name) and inner.value in sources and depth < 8:
            inner = sources[inner.value]
            depth += 1
        if isinstance(inner, cst.BinaryOperation) and isinstance(inner.operator, cst.Divide):
            return _denominator(inner.right, sources), inner.left
        return None
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
        right = node.right
        if isinstance(right, cst.Call) and len(right.args) == 1 and symbolic.text(right.func) in (
                "math.sqrt", "np.sqrt", "numpy.sqrt", "sqrt"):
            return _denominator(right.args[0].value, sources), node.left
    return None


def _denominator(node: cst.BaseExpression, sources: dict[str, cst.BaseExpression]) -> tuple[cst.BaseExpression, bool]:
    probe = node
    for _ in range(8):
        if isinstance(probe, cst.Name) and probe.value in sources:
            probe = sources[probe.value]
        else:
            break
    summed = isinstance(probe, cst.BinaryOperation) and isinstance(probe.operator, cst.Add)
    return node, summed


@dataclass(frozen=True)
class Wrong:
    """A layer whose fan the formula gets wrong: ``n`` and the fans when the sizes are known, and what ``n``
    is (``kind``: "fan_out", "receptive", "groups", "sum", "neither"); ``ratio``: std over the meant std, when
    it is the same for every size (None when the sizes decide it)."""

    layer: Layer
    value: float | None
    fans: tuple[int, int] | None
    kind: str
    ratio: float | None


def il203(picture: Picture, site: InitSite, effective: dict[ParamRef, list[InitSite]],
           filename: str) -> Iterator[Finding]:
    deferred = site.deferred
    if deferred is None:
        return
    arg = "std" if site.func in ("normal_", "trunc_normal_") else "b"
    if isinstance(site.args.get(arg), (int, float)):
        return  # a number: IL202's business
    found = _fan_expression(deferred.nodes.get(arg), dict(deferred.sources))
    if found is None:
        return
    (expr, summed), numerator = found
    wrong = [w for layer in weights_set_last(picture, site, effective)
             if (w := _judge(deferred, expr, numerator, summed, layer)) is not None]
    if not wrong:
        return
    known = [w for w in wrong if w.fans is not None]
    first = known[0] if known else wrong[0]
    flipped = transposed(first.layer)
    n_text = f"`{symbolic.text(expr)}`"
    if isinstance(expr, cst.Name) and expr.value in deferred.sources:
        n_text += f" = `{shown_code(symbolic.text(deferred.sources[expr.value]))}`"
    calls = _il203_calls(site, [w.layer for w in wrong])
    if isinstance(calls, dict) and len(calls) > 1:
        use = "; ".join(f"`{call.format(init='nn.init')}` for "
                        f"{', '.join(f'`{picture.layer(u).path}`' for u in sorted(uids))}" for call, uids in calls.items())
    else:
        use = f"`{(next(iter(calls)) if isinstance(calls, dict) else _fan_call(site, None, first.layer)).format(init='nn.init')}`"
    against = "fan_in + fan_out" if summed else "fan_in"
    shown = labels([w.layer for w in ([first] + [w for w in wrong if w is not first])])
    if first.fans is not None:
        assert first.value is not None
        fan_in, fan_out = first.fans
        meant = fan_in + fan_out if summed else fan_in
        ratio = math.sqrt(meant / first.value) if first.value > 0 else float("inf")
        whose = (f"applied as `h @ {first.layer.path}`, so its fan_in is size(0), which torch's "
                 f"_calculate_fan_in_and_fan_out reads transposed" if flipped
                 else "torch's _calculate_fan_in_and_fan_out")
        message = (
            f"The scale of `{site.func}` divides by n = {n_text} = {fmt(first.value)} for {shown}, whose "
            f"fan_in = {fan_in} and fan_out = {fan_out} ({whose}):"
            f"{_why(first.layer, first.value, first.fans, first.kind)}. He and Glorot scale the std by "
            f"1/sqrt(fan), so this std is ~{fmt(ratio)}x the one that formula meant (against {against})."
        )
    else:
        value = f" = {fmt(first.value)}" if first.value is not None else ""
        how_far = (f"whatever the sizes, this std is ~{fmt(first.ratio)}x the one that formula meant (against "
                   f"{against})" if first.ratio is not None else
                   f"by how much the std is off (sqrt({against} / n)) is not known: it is right only for a layer "
                   f"whose fan_in happens to equal n")
        message = (
            f"The scale of `{site.func}` divides by n = {n_text}{value} for {shown}: for every size of the "
            f"layer,{_symbolic_why(first.layer, first.kind)}. The layer's sizes are not all known here, so "
            f"{how_far}."
        )
    fan_in_text = f"{deferred.param_text}.size(0)" if flipped else f"{deferred.param_text}[0].numel()"
    message += f" Let torch compute the fans: use {use} (or n = {fan_in_text}, the fan_in)."
    yield finding("IL203", site, message, filename, _il203_fix(picture, site, [w.layer for w in wrong]))


def _judge(deferred: symbolic.Deferred, expr: cst.BaseExpression, numerator: cst.BaseExpression, summed: bool,
           layer: Layer) -> Wrong | None:
    """Whether the formula's ``n`` is a wrong fan for this layer: on its known sizes, or else on two stand-ins
    whose unknown sizes are distinct primes (then only a mistake that holds for both counts)."""
    fans = layer.signal_fans(_param(layer))
    if fans is not None:
        value = _fan_value(deferred, expr, numerator, summed, layer, fans)
        if value is None or value[1]:
            return None
        kind = _kind_of(layer, value[0], fans, summed)
        return Wrong(layer, value[0], fans, kind, None)
    if not _hidden_in_some_use(layer):
        # an output layer of unknown size, or one whose output we cannot follow (torchvision's EfficientNet
        # classifier, 1/sqrt(out_features): TF's fan_out variance scaling): no number can be given, and the
        # scale of an output is the designer's choice
        return None
    kinds: set[str] = set()
    ratios: list[float] = []
    for stand_in in stand_ins(layer):
        stand_fans = stand_in.signal_fans(_param(layer))
        if stand_fans is None:
            return None
        value = _fan_value(deferred, expr, numerator, summed, stand_in, stand_fans)
        if value is None or value[1] or value[0] <= 0:
            return None  # the formula may be right for some sizes
        kinds.add(_kind_of(stand_in, value[0], stand_fans, summed))
        meant = sum(stand_fans) if summed else stand_fans[0]
        ratios.append(math.sqrt(meant / value[0]))
    if len(ratios) != len(STAND_IN_SIZES) or len(kinds) != 1 or kinds & {"sum", "neither"}:
        return None
    deferred.names_used.clear()
    real = symbolic.evaluate(deferred, expr, layer, _param(layer))
    ratio = ratios[0] if math.isclose(ratios[0], ratios[1], rel_tol=1e-9) else None
    return Wrong(layer, float(real) if isinstance(real, (int, float)) else None, None, kinds.pop(), ratio)


def _fan_value(deferred: symbolic.Deferred, expr: cst.BaseExpression, numerator: cst.BaseExpression,
               summed: bool, layer: Layer, fans: tuple[int, int]) -> tuple[float, bool] | None:
    """``n`` for this layer and whether it is a fan the formula accepts; None when ``n`` is not computed
    from the layer (a fixed width is IL202's, once it is a number)."""
    deferred.names_used.clear()
    value = symbolic.evaluate(deferred, expr, layer, _param(layer))
    if value is None or not deferred.names_used:
        return None
    fine = [float(fans[0])] if not summed and _means_fan_in(deferred, expr, numerator, layer) \
        else _acceptable_fans(layer, fans, summed)
    return float(value), any(math.isclose(value, ok, rel_tol=1e-6) for ok in fine)


def _receptive(layer: Layer) -> tuple[tuple[int, ...], int]:
    shape = layer.params.get("weight")
    kernel = tuple(int(d) for d in shape[2:] if d is not None) if shape else ()
    return kernel, math.prod(kernel) if kernel else 1


def _kind_of(layer: Layer, value: float, fans: tuple[int, int], summed: bool) -> str:
    fan_in, fan_out = fans
    _, receptive = _receptive(layer)
    targets = (fan_in + fan_out,) if summed else (fan_in, fan_out)
    if receptive > 1 and any(math.isclose(value * receptive, t) for t in targets):
        return "receptive"
    if summed:
        return "sum"
    groups = layer.args.get("groups", 1)
    if isinstance(groups, int) and groups > 1 and math.isclose(value, fan_in * groups):
        return "groups"
    if math.isclose(value, fan_out):
        return "fan_out"
    return "neither"


def _why(layer: Layer, value: float, fans: tuple[int, int], kind: str) -> str:
    kernel, receptive = _receptive(layer)
    if kind == "receptive":
        return (f" it forgets the kernel's receptive field ({'x'.join(str(d) for d in kernel)} = {receptive}): "
                f"a conv unit sums over in_channels/groups x kernel inputs")
    if kind == "sum":
        return " a sum that is not fan_in + fan_out"
    if kind == "groups":
        return (f" it forgets `groups={layer.args.get('groups')}`: each output channel of a grouped conv sums over "
                f"in_channels/groups x kernel = {fans[0]} inputs, not {fmt(value)}")
    if kind == "fan_out" and transposed(layer):
        return (f" it is fan_out (`{layer.path}.size(1)`, out of a weight applied as `h @ {layer.path}`), but "
                f"this formula wants fan_in: each output sums over fan_in inputs, and the 1/sqrt(n) form has no "
                f"fan_out variant")
    if kind == "fan_out":
        return (" it is fan_out (what `weight.size(0)` and out_features count), but this formula wants fan_in: "
                "each output sums over fan_in inputs, and the 1/sqrt(n) form has no fan_out variant")
    return " it is neither fan_in nor fan_out"


def _symbolic_why(layer: Layer, kind: str) -> str:
    """What ``n`` is for every size of the layer (a Linear or a conv, see STAND_IN_KINDS)."""
    linear = layer.kind == "Linear"
    if kind == "fan_out" and transposed(layer):
        return (f" n is its fan_out, `{layer.path}.size(1)` (a weight applied as `h @ {layer.path}` is stored "
                f"(in, out)), but this formula wants fan_in (`{layer.path}.size(0)`): each output sums over "
                f"fan_in inputs, and the 1/sqrt(n) form has no fan_out variant")
    if kind == "fan_out":
        fan_out = "out_features (`weight.size(0)`)" if linear else "out_channels x kernel (`weight.size(0)` x kernel)"
        fan_in = "in_features" if linear else "in_channels/groups x kernel"
        return (f" n is its fan_out, {fan_out}, but this formula wants fan_in ({fan_in}): each output sums over "
                f"fan_in inputs, and the 1/sqrt(n) form has no fan_out variant")
    if kind == "receptive":
        kernel, receptive = _receptive(layer)
        size = f" ({'x'.join(str(d) for d in kernel)} = {receptive})" if layer.args.get("kernel_size") else ""
        return (f" n leaves out the kernel's receptive field{size}: a conv unit sums over in_channels/groups x "
                f"kernel inputs")
    return (f" n forgets `groups={layer.args.get('groups')}`: each output channel of a grouped conv sums over "
            f"in_channels/groups x kernel inputs")


# Two sets of stand-in sizes for a layer's unknown sizes: distinct primes, so that a formula that comes out as
# the same wrong fan on both is that fan for any sizes (a coincidence would need a polynomial identity).
STAND_IN_SIZES = ((10007, 10009, 10037, 10039, 10061, 10067, 10069),
                  (10079, 10091, 10093, 10099, 10103, 10111, 10133))
SIZE_ARGS = ("in_features", "out_features", "in_channels", "out_channels", "kernel_size")
CHANNEL_ARGS = frozenset({"in_channels", "out_channels"})
STAND_IN_KINDS = frozenset({"Linear"} | set(catalog.CONV))  # layers whose weight is (out, in/groups, *kernel)


def _param(layer: Layer) -> str:
    return "" if layer.kind == "Parameter" else "weight"


def _hidden_in_some_use(layer: Layer) -> bool:
    """Every use of the layer's output is one we can read, and in one at least it feeds an activation, a
    layer or a norm (a class built twice, ``gc1`` before ReLU and ``gc2`` at the output): not only an output
    layer, whose scale is the designer's choice."""
    kinds = {f.kind for f in layer.follows}
    return bool(kinds & {ACT, LINEAR, NORM}) and kinds <= {ACT, LINEAR, NORM, OUTPUT} and \
        all(f.activation is not None for f in layer.follows if f.kind == ACT)


def _parameterstand_ins(layer: Layer) -> list[Layer]:
    """Copies of a bare 2-D weight built as ``Parameter(torch.FloatTensor(a, b))`` whose unknown dimensions
    are set to stand-ins (dimensions written alike share one)."""
    shape = layer.params.get("")
    if not shape or len(shape) != 2 or all(d is not None for d in shape) or not isinstance(layer.node, cst.Call) \
            or len(layer.node.args) != 1 or not isinstance(layer.node.args[0].value, cst.Call):
        return []
    dims = layer.node.args[0].value.args
    if len(dims) != 2 or any(d.star or d.keyword is not None for d in dims):
        return []
    spelled = [symbolic.text(d.value) for d in dims]
    out = []
    for sizes in STAND_IN_SIZES:
        stand = tuple(d if d is not None else sizes[spelled.index(text)] for d, text in zip(shape, spelled, strict=True))
        out.append(replace(layer, params={"": stand}))
    return out


def stand_ins(layer: Layer) -> list[Layer]:
    """Copies of a Linear/conv layer (or a bare 2-D weight) with each unknown size set to a stand-in (channels
    a multiple of the known ``groups``, so the weight's shape is whole); none when anything else its shape
    needs is unknown."""
    if layer.kind == "Parameter":
        return _parameterstand_ins(layer)
    if layer.kind not in STAND_IN_KINDS:
        return []
    groups = layer.args.get("groups", 1)
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
        return []
    missing = [name for name in SIZE_ARGS if name in layer.args and layer.args[name] is None]
    if not missing:
        return []
    # Sizes written alike (``nn.Linear(dim, dim)``) are equal for every value: they share a stand-in.
    written = bound_args(layer.node, catalog.LAYER_SIGNATURES[layer.kind]) if isinstance(layer.node, cst.Call) else {}
    spelled = [symbolic.text(written[name]) if name in written else name for name in missing]
    out = []
    for sizes in STAND_IN_SIZES:
        args = dict(layer.args)
        for name, text in zip(missing, spelled, strict=True):
            size = sizes[spelled.index(text)]
            args[name] = size * groups if name in CHANNEL_ARGS else size
        out.append(replace(layer, args=args, params=catalog.layer_params(layer.kind, args, star=False)))
    return out


@fix_builder
def _il203_fix(picture: Picture, site: InitSite, wrong: list[Layer]) -> Fix:
    """The hand-written formula replaced by the kaiming/xavier call that computes the fans itself (split when
    the layers it gets wrong want different calls)."""
    calls = _il203_calls(site, wrong)
    if isinstance(calls, str):
        return calls
    return call_fix(picture, site, calls, "Let torch compute the fans")


def _fan_call(site: InitSite, follow: Follow | None, layer: Layer | None = None) -> str:
    """The torch call (``{init}`` for the file's name of torch.nn.init) that computes the fans itself: what the
    activation calls for; Glorot for a linear or output layer; He over fan_in for a layer whose output is
    normalized before its (rectifier) activation, which is what a hand-written ``sqrt(2 / n)`` means."""
    assert site.deferred is not None
    target = site.deferred.param_text
    distribution = "uniform" if site.func == "uniform_" else "normal"
    if follow is not None and follow.kind == ACT and follow.activation is not None:
        return recommended_call("{init}", target, follow.activation, distribution, layer)
    if follow is not None and follow.kind in (LINEAR, OUTPUT):
        return recommended_call("{init}", target, None, distribution, layer)
    return f'{{init}}.kaiming_{distribution}_({target}, {kaiming_mode(layer)}nonlinearity="relu")'


def _il203_calls(site: InitSite, wrong: list[Layer]) -> dict[str, set[int]] | str:
    """The call each layer the formula gets wrong should have, or why no call is known for one of them."""
    if site.deferred is None:
        return "the formula's target could not be followed to one tensor expression"
    calls: dict[str, set[int]] = {}
    for layer in wrong:
        follow = layer.follow()
        if follow.kind not in (ACT, LINEAR, OUTPUT, NORM) or follow.kind == ACT and follow.activation is None:
            return (f"`{layer.path}` is followed by {follow.kind} output, not a known activation, so the call "
                    f"that would compute its fans is not known")
        calls.setdefault(_fan_call(site, follow, layer), set()).add(layer.uid)
    return calls


FAN_IN_NAMES = frozenset({"fan_in", "fanin", "n_in", "num_in"})


def _means_fan_in(deferred: symbolic.Deferred, expr: cst.BaseExpression, numerator: cst.BaseExpression,
                  layer: Layer) -> bool:
    """Whether the formula says it wants fan_in, so fan_out will not do: it is LeCun's or torch's default
    ``1/sqrt(n)`` (``sqrt(3/n)`` for a uniform bound), which has no fan_out form; its ``n`` is named fan_in
    (``fan_in = layer.weight.size(0)``, DDPG's ``hidden_init``); or it is read from ``in_channels`` /
    ``in_features`` (a grouped conv's fan_in is in_channels/groups)."""
    names: set[str] = set()
    node: cst.BaseExpression | None = expr
    for _ in range(8):
        if not isinstance(node, cst.Name):
            break
        names.add(node.value)
        node = deferred.sources.get(node.value)
    if names & FAN_IN_NAMES:
        return True
    constant = symbolic.evaluate(deferred, numerator, layer, _param(layer))
    if isinstance(constant, (int, float)) and constant in (1, 3):
        return True
    return bool(deferred.names_used & {"in_channels", "in_features"})


def _acceptable_fans(layer: Layer, fans: tuple[int, int], summed: bool) -> list[float]:
    """fan_in, fan_out and the per-group fan_out (``fan_out // groups``, which timm uses and which is what a
    grouped conv's input actually fans out to); with a sum, fan_in + fan_out (or its mean)."""
    fan_in, fan_out = fans
    if summed:
        return [fan_in + fan_out, (fan_in + fan_out) / 2]
    out = [float(fan_in), float(fan_out)]
    groups = layer.args.get("groups", 1)
    if isinstance(groups, int) and groups > 1 and (layer.kind in catalog.CONV or layer.kind in catalog.CONV_TRANSPOSE):
        out.append(fan_out / groups)
    return out
