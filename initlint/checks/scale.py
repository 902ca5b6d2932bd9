"""IL202 and IL203: a random init whose scale does not fit the layer it initializes.

IL202 judges a literal scale (``normal_(w, std=0.01)``) against the std the following activation calls for
given the layer's fans; IL203 judges a hand-written He/Xavier formula (``math.sqrt(2. / n)``) by whether its
``n`` is the layer's fan at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from initlint.checks.common import (
    GATE_ACTIVATIONS,
    GainScale,
    exponent,
    finding,
    fmt,
    gain_too_small,
    gain_wanted,
    init_std,
    labels,
    layer_gain,
    literal_gain,
    orthogonal_call,
    recommended_call,
    squashed_output,
    wanted_std,
    weights_set_last,
)
from initlint.config import Settings
from initlint.findings import Finding
from initlint.fix import Fix, call_fix, fix_builder
from initlint.picture import catalog, symbolic
from initlint.picture.catalog import Activation
from initlint.picture.model import (
    ACT,
    GATED,
    LINEAR,
    NORM,
    OUTPUT,
    Follow,
    InitSite,
    Layer,
    ParamRef,
    Picture,
)

SCALE_FUNCS = frozenset({"normal_", "uniform_", "trunc_normal_"})


@dataclass
class ScaleHit:
    layer: Layer
    act: Activation | None  # None: straight into another layer
    fans: tuple[int, int]
    given: float
    wanted: float


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    effective = picture.effective()
    factor = settings.off_scale_factor
    for site in picture.inits:
        if site.in_slice:
            continue
        if site.func in SCALE_FUNCS:
            hits = list(_off_scale(picture, site, effective, factor))
            if hits:
                yield _il202(picture, site, hits, factor, filename)
            else:
                unsized = [(layer, act, bound) for layer, act in _scaled_layers(picture, site, effective)
                           if (bound := _small_for_every_fan_in(site, layer, act, factor)) is not None]
                if unsized:
                    yield _il202_unsized(picture, site, unsized, factor, filename)
            yield from _il203(picture, site, effective, filename)
        elif literal_gain(site) is not None:
            gain_hits = [(layer, act, scale) for layer, act in _scaled_layers(picture, site, effective)
                         if (scale := gain_too_small(site, layer, act, factor)) is not None]
            if gain_hits:
                yield _il202_gain(picture, site, gain_hits, factor, filename)


def _scaled_layers(picture: Picture, site: InitSite,
                   effective: dict[ParamRef, list[InitSite]]) -> Iterator[tuple[Layer, Activation | None]]:
    """The layers this site initializes last whose scale reaches an activation or the next layer, with that
    activation (None: straight into another layer)."""
    for layer in weights_set_last(picture, site, effective):
        follow = layer.follow()
        if follow.kind == ACT and follow.activation is not None:
            act: Activation | None = follow.activation
            assert act is not None
            if act.name in GATE_ACTIVATIONS or act.family == "other":
                continue
            if squashed_output(layer):
                continue  # a squashed output layer (a policy head) starts small on purpose
            if GATED in layer.after_act:
                continue  # a gated unit (SwiGLU, GLU): its scale is a product of two branches
        elif follow.kind == LINEAR:
            act = None
        else:
            continue  # norm, residual branch, output, gate or unknown: the scale does not reach an activation
        if picture.in_residual_branch(layer.uid):
            continue  # inside a residual branch: starting small is the point (Fixup, GPT-2, zero-init-residual)
        yield layer, act


def _off_scale(picture: Picture, site: InitSite, effective: dict[ParamRef, list[InitSite]],
               factor: float) -> Iterator[ScaleHit]:
    for layer, act in _scaled_layers(picture, site, effective):
        fans = layer.fans("" if layer.kind == "Parameter" else "weight")
        if fans is None:
            continue
        given = init_std(site, fans)
        if given is None or given <= 0:
            continue
        wanted = wanted_std(act, fans)
        if given > wanted * factor or given < wanted / factor:
            yield ScaleHit(layer, act, fans, given, wanted)


# The widest fan_in a hidden layer plausibly has (AlexNet's first FC 9216, VGG's 25088): a fixed std is told
# too small for a layer of unknown size only if it is for every fan_in up to here.
PLAUSIBLE_FAN_IN = 32768


def _small_for_every_fan_in(site: InitSite, layer: Layer, act: Activation | None, factor: float) -> float | None:
    """For a layer of unknown size before a rectifier (or SELU), the fan_in N below which the literal std is
    more than ``factor`` under He's (LeCun's) gain/sqrt(fan_in): std*factor < gain/sqrt(fan_in) exactly when
    fan_in < (gain / (std*factor))^2. Returned only when N covers every plausible fan_in."""
    if layer.fans("" if layer.kind == "Parameter" else "weight") is not None or act is None:
        return None
    if act.family not in ("rectifier", "selu"):
        return None
    std = init_std(site, (1, 1))  # a literal scale: the fans do not enter it
    if std is None or std <= 0:
        return None
    gain = act.gain if act.family == "rectifier" else 1.0
    bound = (gain / (std * factor)) ** 2
    return bound if bound >= PLAUSIBLE_FAN_IN else None


def _il202_unsized(picture: Picture, site: InitSite, hits: list[tuple[Layer, Activation | None, float]],
                   factor: float, filename: str) -> Finding:
    _, act, bound = min(hits, key=lambda h: h[2])
    assert act is not None
    std = init_std(site, (1, 1))
    assert std is not None
    wanted = (f"He's {fmt(act.gain)}/sqrt(fan_in)" if act.family == "rectifier" else "LeCun's 1/sqrt(fan_in)")
    at_max = (act.gain if act.family == "rectifier" else 1.0) / math.sqrt(PLAUSIBLE_FAN_IN)
    prefix = picture.init_prefix or "nn.init"
    distribution = "uniform" if site.func == "uniform_" else "normal"
    use = recommended_call(prefix, site.target_text, act, distribution)
    # a std so small (1e-320) that the bound passes float's range holds for every width
    up_to = f"for any fan_in up to {math.floor(bound):,}" if math.isfinite(bound) else "for every fan_in"
    message = (
        f"`{site.func}` with {_scale_text(site)} gives {labels([h[0] for h in hits])} std {fmt(std)}, which "
        f"feeds {act.display}. The layer's size is not known here, but {act.display} wants {wanted}, and "
        f"std*{fmt(factor)} < {wanted} {up_to}: this std is more than {fmt(factor)}x "
        f"too small for every plausible width (even at fan_in={PLAUSIBLE_FAN_IN:,} the layer wants "
        f"{fmt(at_max)}, {fmt(at_max / std)}x this std). A fixed std ignores the layer's width. Use `{use}`."
    )
    calls: dict[str, set[int]] = {}
    for one, one_act, _ in hits:
        calls.setdefault(recommended_call("{init}", site.target_text, one_act, distribution), set()).add(one.uid)
    fix = call_fix(picture, site, calls, "Replace with the init the activation calls for")
    return finding("IL202", site, message, filename, fix)


def _scale_text(site: InitSite) -> str:
    if site.func == "uniform_":
        a, b = site.args.get("a", 0.0), site.args.get("b", 1.0)
        return f"uniform({fmt(float(a))}, {fmt(float(b))})"  # type: ignore[arg-type]
    return f"std={fmt(float(site.args.get('std', 1.0)))}"  # type: ignore[arg-type]


def _il202(picture: Picture, site: InitSite, hits: list[ScaleHit], factor: float, filename: str) -> Finding:
    # The numbers are told for the layers that compound the most: the deepest stack of one shape.
    hit = max(hits, key=lambda h: (_compound_depth(picture, 
        {o.layer.uid for o in hits if o.layer.signature == h.layer.signature}), -hits.index(h)))
    act = hit.act
    fan_in, fan_out = hit.fans
    act_name = act.display if act is not None else "no activation"
    formula = ("sqrt(2/fan_in)" if act is not None and act.family == "rectifier" and act.gain == math.sqrt(2)
               else f"{fmt(act.gain)}/sqrt(fan_in)" if act is not None and act.family == "rectifier"
               else "sqrt(1/fan_in)" if act is not None and act.family == "selu"
               else "sqrt(2/(fan_in+fan_out))")
    gain = layer_gain(hit.given, fan_in, act)
    ratio = hit.given / hit.wanted
    direction = "too small" if ratio < 1 else "too large"
    depth = _compound_depth(picture, {h.layer.uid for h in hits if h.layer.signature == hit.layer.signature})
    moves = "shrink" if gain < 1 else "grow"
    saturating = act is not None and act.family == "saturating"
    if saturating and gain > 1:
        effect = (f"pre-activations come out ~{fmt(gain)}x the input's scale, deep in {act_name}'s flat ends where "
                  f"its gradient vanishes")
    elif depth >= 2:
        total = gain**depth
        layers = f"{hit.layer.signature}+{act_name}" if act else f"{hit.layer.signature} (no activation between)"
        effect = (f"{depth} {layers} layers at {_scale_text(site)}: "
                  f"the part of the activations that depends on the input {moves}s ~{fmt(gain)}x per layer, "
                  f"~{exponent(total)}x at the output")
    else:
        effect = f"the part of the signal that depends on the input {'shrinks' if gain < 1 else 'grows'} " \
                 f"~{fmt(gain)}x through this layer"
    per_layer = ("std*sqrt(fan_in/2) after a ReLU" if act is not None and act.name == "relu"
                 else "std*sqrt(fan_in)" if act is None or act.family != "rectifier"
                 else f"std*sqrt(fan_in)/{fmt(act.gain)} after {act_name}")
    prefix = picture.init_prefix or "nn.init"
    use = recommended_call(prefix, site.target_text, act, "uniform" if site.func == "uniform_" else "normal")
    message = (
        f"`{site.func}` with {_scale_text(site)} gives {labels(_first(hits, hit))} std {fmt(hit.given)}, "
        f"but with fan_in={fan_in}, fan_out={fan_out} and {act_name} after it the layer wants {formula} = "
        f"{fmt(hit.wanted)}: {fmt(ratio if ratio >= 1 else 1 / ratio)}x {direction} (more than {fmt(factor)}x "
        f"off). Per layer the signal scales by {per_layer} = {fmt(gain)}; {effect} (Glorot & Bengio 2010; "
        f"He et al. 2015). A fixed std ignores the layer's width. Use `{use}`."
    )
    distribution = "uniform" if site.func == "uniform_" else "normal"
    calls: dict[str, set[int]] = {}
    for one in hits:
        calls.setdefault(recommended_call("{init}", site.target_text, one.act, distribution), set()).add(one.layer.uid)
    fix = call_fix(picture, site, calls, "Replace with the init the activation calls for")
    return finding("IL202", site, message, filename, fix)


def _il202_gain(picture: Picture, site: InitSite, hits: list[tuple[Layer, Activation | None, GainScale]],
                factor: float, filename: str) -> Finding:
    """A literal gain far below the activation's: the std the init computes from the fans, scaled down."""
    layer, act, scale = hits[0]
    act_name = act.display if act is not None else "no activation"
    wanted_gain = gain_wanted(act)
    named = f' (calculate_gain("{act.name}"))' if act is not None and act.family == "rectifier" else ""
    what = ("An orthogonal weight keeps its input's norm times the gain" if site.func == "orthogonal_"
            else "Xavier's std is gain*sqrt(2/(fan_in+fan_out))")
    if scale.given is not None and scale.wanted is not None:
        fans = layer.fans("" if layer.kind == "Parameter" else "weight")
        assert fans is not None
        ratio = scale.wanted / scale.given
        how_far = (f"With fan_in={fans[0]}, fan_out={fans[1]} it gives std {fmt(scale.given)} where {act_name} "
                   f"after it wants {fmt(scale.wanted)}: {fmt(ratio)}x too small (more than {fmt(factor)}x off).")
        per_layer = layer_gain(scale.given, fans[0], act)
        depth = _compound_depth(picture, {one.uid for one, _, _ in hits if one.signature == layer.signature})
        compound = (f" Through {depth} such layers the input-dependent part of the signal shrinks "
                    f"~{exponent(per_layer ** depth)}x." if depth >= 2 else "")
        effect = f" Per layer the signal scales by {fmt(per_layer)}.{compound}"
    else:
        assert scale.bound is not None
        wanted = (f"He's {fmt(wanted_gain)}/sqrt(fan_in)" if act is not None else "Glorot's sqrt(2/(fan_in+fan_out))")
        how_far = (f"The layer's size is not known here, but for every size its std is at most {fmt(scale.bound)} "
                   f"times {wanted}: more than {fmt(factor)}x too small.")
        effect = ""
    distribution = "uniform" if site.func.endswith("uniform_") else "normal"

    def call_for(prefix: str, one_act: Activation | None) -> str:
        if site.func == "orthogonal_" and one_act is not None:
            return orthogonal_call(prefix, site.target_text, one_act)
        if site.func == "orthogonal_":
            return f"{prefix}.orthogonal_({site.target_text})"
        return recommended_call(prefix, site.target_text, one_act, distribution)

    use = call_for(picture.init_prefix or "nn.init", act)
    message = (
        f"`{site.func}` with gain={fmt(scale.gain)} initializes {labels([h[0] for h in hits])}, which feeds "
        f"{act_name}; the gain that keeps the signal's scale there is {fmt(wanted_gain)}{named}. {what}, so "
        f"gain={fmt(scale.gain)} scales it down {fmt(wanted_gain / scale.gain)}x: a number like this is a std "
        f"meant for `normal_`, not a gain. {how_far}{effect} Use `{use}`."
    )
    calls: dict[str, set[int]] = {}
    for one, one_act, _ in hits:
        calls.setdefault(call_for("{init}", one_act), set()).add(one.uid)
    fix = call_fix(picture, site, calls, "Replace with the init the activation calls for")
    return finding("IL202", site, message, filename, fix)


# A norm with a larger eps leaves a small signal small: BatchNorm2d(C, 0.8) (eps=0.8, a momentum meant)
# divides by sqrt(var + 0.8), so an input of std 0.01 comes out at std ~0.011, not 1.
RENORMALIZING_EPS = 1e-3


def _renormalizes(picture: Picture, uids: object) -> bool:
    """A stack's norm step resets the scale unless we can read an eps that is too large to (unknown: it
    resets, so no compounding is claimed across it)."""
    if not isinstance(uids, tuple):
        return True
    for uid in uids:
        eps = picture.layer(uid).args.get("eps")
        if isinstance(eps, (int, float)) and not isinstance(eps, bool) and eps > RENORMALIZING_EPS:
            return False
    return True


def _compound_depth(picture: Picture, uids: set[int]) -> int:
    """How many of these layers one recorded stack runs with no renormalizing norm between them (after the
    activation too: Linear, ReLU, BatchNorm, Linear starts the next layer at unit scale)."""
    best = 0
    for stack in picture.stacks:
        run = 0
        for kind, value in stack.steps:
            if kind == "layer" and isinstance(value, tuple) and set(value) <= uids:
                run += 1
                best = max(best, run)
            elif kind == "norm" and _renormalizes(picture, value):
                run = 0
    return best


def _first(hits: list[ScaleHit], hit: ScaleHit) -> list[Layer]:
    """The layers to name, the one whose numbers follow first."""
    return [hit.layer] + [h.layer for h in hits if h is not hit]


# --------------------------------------------------------------------------- IL203


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


def _il203(picture: Picture, site: InitSite, effective: dict[ParamRef, list[InitSite]],
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
    wrong: list[tuple[Layer, float, tuple[int, int]]] = []
    for layer in weights_set_last(picture, site, effective):
        fans = layer.fans("weight")
        if fans is None:
            continue
        deferred.names_used.clear()
        value = symbolic.evaluate(deferred, expr, layer, "weight")
        if value is None or not deferred.names_used:
            continue  # not computed from the layer: a fixed width is IL202's (once it is a number)
        fine = [float(fans[0])] if not summed and _means_fan_in(deferred, expr, numerator, layer) \
            else _acceptable_fans(layer, fans, summed)
        if not any(math.isclose(value, ok, rel_tol=1e-6) for ok in fine):
            wrong.append((layer, float(value), fans))
    if not wrong:
        return
    layer, value, (fan_in, fan_out) = wrong[0]
    kernel = layer.params["weight"][2:] if layer.params.get("weight") else ()  # type: ignore[index]
    receptive = math.prod(int(d) for d in kernel if d is not None) if kernel else 1
    n_text = f"`{symbolic.text(expr)}`"
    if isinstance(expr, cst.Name) and expr.value in deferred.sources:
        n_text += f" = `{symbolic.text(deferred.sources[expr.value])}`"
    why = ""
    if receptive > 1 and (math.isclose(value * receptive, fan_in) or math.isclose(value * receptive, fan_out)):
        why = (f" it forgets the kernel's receptive field ({'x'.join(str(d) for d in kernel)} = {receptive}): "
               f"a conv unit sums over in_channels/groups x kernel inputs")
    elif summed:
        why = " a sum that is not fan_in + fan_out"
    elif isinstance(groups := layer.args.get("groups", 1), int) and groups > 1 and math.isclose(value, fan_in * groups):
        why = (f" it forgets `groups={groups}`: each output channel of a grouped conv sums over in_channels/groups "
               f"x kernel = {fan_in} inputs, not {fmt(value)}")
    elif math.isclose(value, fan_out):
        why = (" it is fan_out (what `weight.size(0)` and out_features count), but this formula wants fan_in: "
               "each output sums over fan_in inputs, and the 1/sqrt(n) form has no fan_out variant")
    else:
        why = " it is neither fan_in nor fan_out"
    meant = fan_in + fan_out if summed else fan_in
    ratio = math.sqrt(meant / value) if value > 0 else float("inf")
    calls = _il203_calls(site, [w[0] for w in wrong])
    if isinstance(calls, dict) and len(calls) > 1:
        use = "; ".join(f"`{call.format(init='nn.init')}` for "
                        f"{', '.join(f'`{picture.layer(u).path}`' for u in sorted(uids))}" for call, uids in calls.items())
    else:
        use = f"`{(next(iter(calls)) if isinstance(calls, dict) else _fan_call(site, None)).format(init='nn.init')}`"
    message = (
        f"The scale of `{site.func}` divides by n = {n_text} = {fmt(value)} for {labels([w[0] for w in wrong])}, "
        f"whose fan_in = {fan_in} and fan_out = {fan_out} (torch's _calculate_fan_in_and_fan_out):{why}. "
        f"He and Glorot scale the std by 1/sqrt(fan), so this std is ~{fmt(ratio)}x the one that formula meant "
        f"(against {'fan_in + fan_out' if summed else 'fan_in'}). Let torch compute the fans: use {use} (or "
        f"n = {deferred.param_text}[0].numel(), the fan_in)."
    )
    yield finding("IL203", site, message, filename, _il203_fix(picture, site, [w[0] for w in wrong]))


@fix_builder
def _il203_fix(picture: Picture, site: InitSite, wrong: list[Layer]) -> Fix:
    """The hand-written formula replaced by the kaiming/xavier call that computes the fans itself (split when
    the layers it gets wrong want different calls)."""
    calls = _il203_calls(site, wrong)
    if isinstance(calls, str):
        return calls
    return call_fix(picture, site, calls, "Let torch compute the fans")


def _fan_call(site: InitSite, follow: Follow | None) -> str:
    """The torch call (``{init}`` for the file's name of torch.nn.init) that computes the fans itself: what the
    activation calls for; Glorot for a linear or output layer; He over fan_in for a layer whose output is
    normalized before its (rectifier) activation, which is what a hand-written ``sqrt(2 / n)`` means."""
    assert site.deferred is not None
    target = site.deferred.param_text
    distribution = "uniform" if site.func == "uniform_" else "normal"
    if follow is not None and follow.kind == ACT and follow.activation is not None:
        return recommended_call("{init}", target, follow.activation, distribution)
    if follow is not None and follow.kind in (LINEAR, OUTPUT):
        return recommended_call("{init}", target, None, distribution)
    return f'{{init}}.kaiming_{distribution}_({target}, nonlinearity="relu")'


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
        calls.setdefault(_fan_call(site, follow), set()).add(layer.uid)
    return calls


FAN_IN_NAMES = frozenset({"fan_in", "fanin", "n_in", "num_in"})


def _means_fan_in(deferred: symbolic.Deferred, expr: cst.BaseExpression, numerator: cst.BaseExpression,
                  layer: Layer) -> bool:
    """Whether the formula says it wants fan_in, so fan_out will not do: it is LeCun's or torch's default
    ``1/sqrt(n)`` (``sqrt(3/n)`` for a uniform bound), which has no fan_out form; its ``n`` is named fan_in
    (``fan_in = layer.weight.size(0)``, DDPG's ``hidden_init``); or it is read from ``in_channels`` /
    ``in_features`` (a grouped conv's fan_in is in_channels/groups)."""
    constant = symbolic.evaluate(deferred, numerator, layer, "weight")
    if isinstance(constant, (int, float)) and constant in (1, 3):
        return True
    names: set[str] = set()
    node: cst.BaseExpression | None = expr
    for _ in range(8):
        if not isinstance(node, cst.Name):
            break
        names.add(node.value)
        node = deferred.sources.get(node.value)
    if names & FAN_IN_NAMES:
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
