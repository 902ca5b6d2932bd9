"""IL202 and IL203: a random init whose scale does not fit the layer it initializes.

IL202 judges a literal scale (``normal_(w, std=0.01)``) against the std the following activation calls for
given the layer's fans; IL203 judges a hand-written He/Xavier formula (``math.sqrt(2. / n)``) by whether its
``n`` is the layer's fan at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from initlint.checks.common import (
    GATE_ACTIVATIONS,
    GainScale,
    exponent,
    finding,
    fmt,
    follow_in_arm,
    gain_too_small,
    gain_wanted,
    in_arm,
    init_std,
    labels,
    layer_gain,
    literal_gain,
    main_fans,
    option_arms,
    orthogonal_call,
    recommended_call,
    sizes_note,
    squashed_output,
    told_per_option,
    transposed_note,
    wanted_std,
    weights_set_last,
)
from initlint.checks.scale_fans import il203
from initlint.config import Settings
from initlint.findings import Finding
from initlint.fix import call_fix
from initlint.picture.catalog import Activation
from initlint.picture.model import (
    ACT,
    GATED,
    LINEAR,
    Condition,
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
        for arm in ((), *option_arms(picture, site, effective)):
            for found in _judged(picture, site, effective, factor, filename, arm):
                yield told_per_option(found) if arm else found
        if site.func in SCALE_FUNCS:
            yield from il203(picture, site, effective, filename)


def _judged(picture: Picture, site: InitSite, effective: dict[ParamRef, list[InitSite]], factor: float,
            filename: str, arm: tuple[Condition, ...]) -> Iterator[Finding]:
    """IL202 for one site, in every run (no ``arm``) or in one arm of the option that chooses the activation."""
    judged = in_arm(site, arm)
    scaled = list(_scaled_layers(picture, site, effective, arm))
    if site.func in SCALE_FUNCS:
        hits = list(_off_scale(site, scaled, factor))
        if hits:
            yield _il202(picture, judged, hits, factor, filename)
        else:
            unsized = [(layer, act, bound) for layer, act in scaled
                       if (bound := _small_for_every_fan_in(site, layer, act, factor)) is not None]
            if unsized:
                yield _il202_unsized(picture, judged, unsized, factor, filename)
    elif literal_gain(site) is not None:
        gain_hits = [(layer, act, scale) for layer, act in scaled
                     if (scale := gain_too_small(site, layer, act, factor)) is not None]
        if gain_hits:
            yield _il202_gain(picture, judged, gain_hits, factor, filename)


def _scaled_layers(picture: Picture, site: InitSite, effective: dict[ParamRef, list[InitSite]],
                   arm: tuple[Condition, ...] = ()) -> Iterator[tuple[Layer, Activation | None]]:
    """The layers this site initializes last whose scale reaches an activation or the next layer, with that
    activation (None: straight into another layer); with ``arm``, those only that option's arm makes known."""
    for layer in weights_set_last(picture, site, effective):
        follow = follow_in_arm(layer, site, arm)
        if follow is None:
            continue
        if follow.but_one is not None:
            continue  # one loop pass may meet another activation: a std's verdict would not hold for it
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
        if picture.in_residual_branch(layer.uid) and not _gain_feeding_on(site, layer, act):
            continue  # inside a residual branch: starting small is the point (Fixup, GPT-2, zero-init-residual)
        yield layer, act


def _gain_feeding_on(site: InitSite, layer: Layer, act: Activation | None) -> bool:
    """A Xavier/orthogonal gain (not a std) on a residual branch's layer whose output goes through an
    activation into further weight layers: judged all the same. The branch's small start is spelled as a small
    std (GPT-2's and BERT's 0.02 on every layer) or a small or zero last layer (Fixup, zero-init-residual);
    ``gain=0.02`` is a std put where a gain goes, and on a layer that feeds on it shrinks the features the next
    layers see and learn from (their weight gradient is proportional to their input)."""
    return site.func not in SCALE_FUNCS and act is not None and LINEAR in layer.after_act


def _off_scale(site: InitSite, scaled: list[tuple[Layer, Activation | None]], factor: float) -> Iterator[ScaleHit]:
    for layer, act in scaled:
        both = main_fans(layer)
        if both is None:
            continue
        computed, fans = both  # torch's (what the call computes), the map's (what the activation wants)
        given = init_std(site, computed)
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
    use = recommended_call(prefix, site.target_text, act, distribution, hits[0][0])
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
        calls.setdefault(recommended_call("{init}", site.target_text, one_act, distribution, one), set()).add(one.uid)
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
    use = recommended_call(prefix, site.target_text, act, "uniform" if site.func == "uniform_" else "normal",
                           hit.layer)
    message = (
        f"`{site.func}` with {_scale_text(site)} gives {labels(_first(hits, hit))} std {fmt(hit.given)}, "
        f"but with fan_in={fan_in}, fan_out={fan_out}{transposed_note(hit.layer)}{sizes_note([hit.layer])} and {act_name} after it the layer "
        f"wants {formula} = "
        f"{fmt(hit.wanted)}: {fmt(ratio if ratio >= 1 else 1 / ratio)}x {direction} (more than {fmt(factor)}x "
        f"off). Per layer the signal scales by {per_layer} = {fmt(gain)}; {effect} (Glorot & Bengio 2010; "
        f"He et al. 2015). A fixed std ignores the layer's width. Use `{use}`."
    )
    distribution = "uniform" if site.func == "uniform_" else "normal"
    calls: dict[str, set[int]] = {}
    for one in hits:
        calls.setdefault(recommended_call("{init}", site.target_text, one.act, distribution, one.layer),
                         set()).add(one.layer.uid)
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
        fans = layer.signal_fans("" if layer.kind == "Parameter" else "weight")
        assert fans is not None
        ratio = scale.wanted / scale.given
        how_far = (f"With fan_in={fans[0]}, fan_out={fans[1]}{transposed_note(layer)}{sizes_note([layer])} it gives std {fmt(scale.given)} where {act_name} "
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

    def call_for(prefix: str, one_act: Activation | None, one: Layer) -> str:
        if site.func == "orthogonal_" and one_act is not None:
            return orthogonal_call(prefix, site.target_text, one_act)
        if site.func == "orthogonal_":
            return f"{prefix}.orthogonal_({site.target_text})"
        return recommended_call(prefix, site.target_text, one_act, distribution, one)

    use = call_for(picture.init_prefix or "nn.init", act, layer)
    message = (
        f"`{site.func}` with gain={fmt(scale.gain)} initializes {labels([h[0] for h in hits])}, which feeds "
        f"{act_name}; the gain that keeps the signal's scale there is {fmt(wanted_gain)}{named}. {what}, so "
        f"gain={fmt(scale.gain)} scales it down {fmt(wanted_gain / scale.gain)}x: a number like this is a std "
        f"meant for `normal_`, not a gain. {how_far}{effect} Use `{use}`."
    )
    calls: dict[str, set[int]] = {}
    for one, one_act, _ in hits:
        calls.setdefault(call_for("{init}", one_act, one), set()).add(one.uid)
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
