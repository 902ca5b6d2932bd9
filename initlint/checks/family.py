"""IL101-IL104: the init family and gain must suit the activation that follows the layer."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from initlint.checks.common import (
    exponent,
    finding,
    fmt,
    gain_is_explicit,
    gain_too_small,
    init_std,
    labels,
    layer_label,
    orthogonal_call,
    recommended_call,
    site_gain,
    squashed_output,
    weights_set_last,
)
from initlint.config import DEFAULT_OFF_SCALE_FACTOR, Settings
from initlint.findings import Finding
from initlint.fix import Fix, call_fix, fix_builder
from initlint.picture import catalog
from initlint.picture.catalog import Activation
from initlint.picture.model import ACT, InitSite, Layer, ParamRef, Picture

GAIN_TOLERANCE = 0.10



@dataclass
class Hit:
    layer: Layer
    act: Activation
    given: float | None  # std the init gives, when the fans are known
    wanted: float | None  # std the activation calls for


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    effective = picture.effective()
    for site in picture.inits:
        if site.in_slice:
            continue
        pairs = list(_judged_layers(picture, site, effective))
        if not pairs:
            continue
        for code, hits in _classify(site, pairs, settings.off_scale_factor).items():
            yield _finding(picture, code, site, hits, filename)
    yield from _rectifier_init_on_gates(picture, effective, filename)


def _gate_inputs(picture: Picture, site: InitSite,
                 effective: dict[ParamRef, list[InitSite]]) -> list[tuple[Layer, str]]:
    """The recurrent input weights (``weight_ih*``) this site initializes last, of layers whose gates are
    sigmoid/tanh (LSTM, GRU, and RNN unless built with nonlinearity="relu")."""
    out: list[tuple[Layer, str]] = []
    for ref in site.targets:
        layer = picture.layer(ref.layer)
        if not ref.param.startswith("weight_ih") or site not in effective.get(ref, ()):
            continue
        if layer.kind not in catalog.RECURRENT and layer.kind not in catalog.RECURRENT_CELLS:
            continue
        if layer.kind in ("RNN", "RNNCell") and layer.args.get("nonlinearity", "tanh") != "tanh":
            continue
        out.append((layer, ref.param))
    return out


def _rectifier_init_on_gates(picture: Picture, effective: dict[ParamRef, list[InitSite]],
                             filename: str) -> Iterator[Finding]:
    """IL102 for kaiming with a rectifier's gain on an RNN's input weights: they feed its gates."""
    for site in picture.inits:
        gain = site_gain(site)
        if site.in_slice or site.func not in catalog.KAIMING or gain is None or gain < math.sqrt(2) * 0.9:
            continue
        reached = _gate_inputs(picture, site, effective)
        if not reached:
            continue
        layer, param = reached[0]
        gates = catalog.RECURRENT.get(layer.kind) or catalog.RECURRENT_CELLS.get(layer.kind) or 1
        shape = layer.params.get(param)
        numbers = ""
        if shape and len(shape) == 2 and all(isinstance(d, int) and d > 0 for d in shape):
            rows, fan_in = int(shape[0]), int(shape[1])  # type: ignore[arg-type]
            hidden = rows // gates
            mode = site.args.get("mode", "fan_in")
            fan = fan_in if mode == "fan_in" else rows if mode == "fan_out" else None
            if fan:
                given, wanted = gain / math.sqrt(fan), math.sqrt(2.0 / (fan_in + hidden))
                if _close(given, wanted):
                    continue  # the shapes make He's and Glorot's std agree: nothing to gain
                blocks = f"{gates} gate blocks" if gates > 1 else "one block"
                numbers = (f" For `{layer.path}.{param}` ({rows}x{fan_in}, {blocks} of {hidden} rows) "
                           f"it gives std {fmt(given)} where Glorot over one gate block (fan_in={fan_in}, "
                           f"fan_out={hidden}) wants {fmt(wanted)}: {fmt(given / wanted)}x.")
        kind = "LSTM's gates i, f, o are sigmoids and its cell candidate g a tanh" \
            if layer.kind.startswith("LSTM") else "GRU's gates r, z are sigmoids and its candidate n a tanh" \
            if layer.kind.startswith("GRU") else "RNN's update is a tanh"
        names = ", ".join(f"`{lay.path}.{p}`" for lay, p in reached[:4]) + (
            f" and {len(reached) - 4} more" if len(reached) > 4 else "")
        message = (
            f"`{site.func}` (gain {fmt(gain)}) initializes the input weights {names} of {layer.signature}, "
            f"which feed its gates: the {kind}, saturating functions, not rectifiers. He's gain "
            f"assumes a ReLU halves the signal after the layer; here nothing does, and larger pre-activations "
            f"push the gates into their flat ends (Glorot & Bengio 2010).{numbers} Use "
            f"`nn.init.xavier_uniform_({site.target_text})` for `weight_ih` (per gate block, or on the whole "
            f"matrix), and orthogonal blocks for `weight_hh`."
        )
        yield finding("IL102", site, message, filename,
                      "the call's target is a recurrent layer's weight, whose gate blocks a rewrite would have to "
                      "treat one by one")


def _judged_layers(picture: Picture, site: InitSite,
                   effective: dict[ParamRef, list[InitSite]]) -> Iterator[tuple[Layer, Activation]]:
    """Layers whose main weight this site initializes last and whose output meets a known activation."""
    for layer in weights_set_last(picture, site, effective):
        follow = layer.follow()
        if follow.kind == ACT and follow.activation is not None:
            yield layer, follow.activation


def _fans(layer: Layer) -> tuple[int, int] | None:
    return layer.fans("" if layer.kind == "Parameter" else "weight")


def _close(a: float, b: float) -> bool:
    return abs(a / b - 1) <= GAIN_TOLERANCE


def _classify(site: InitSite, pairs: list[tuple[Layer, Activation]],
              factor: float = DEFAULT_OFF_SCALE_FACTOR) -> dict[str, list[Hit]]:
    out: dict[str, list[Hit]] = {}
    gain = site_gain(site)
    for layer, act in pairs:
        if gain_too_small(site, layer, act, factor) is not None:
            continue  # ``gain=0.02``: a std meant for normal_, a scale mistake whatever the family (IL202)
        fans = _fans(layer)
        shape = layer.params.get("" if layer.kind == "Parameter" else "weight")
        given = init_std(site, fans, rows=shape[0] if shape else None)
        code: str | None = None
        wanted: float | None = None
        if act.family == "selu":
            wanted = 1 / math.sqrt(fans[0]) if fans else None
            if not _is_lecun_normal(site, fans):
                code = "IL104"
        elif act.family == "rectifier":
            wanted = act.gain / math.sqrt(fans[0]) if fans else None
            if site.func in catalog.XAVIER:
                if gain is None or not _close(gain, act.gain):
                    code = "IL101"
            elif site.func in catalog.KAIMING and gain is not None and gain_is_explicit(site) \
                    and not _close(gain, act.gain):
                code = "IL103"
            elif site.func == "orthogonal_" and gain is not None and not _close(gain, act.gain):
                code = "IL103"  # an orthogonal weight keeps the norm times the gain; ReLU wants sqrt(2)
        elif act.family == "saturating":
            glorot_gain = 5.0 / 3 if act.name == "tanh" else 1.0
            wanted = glorot_gain * math.sqrt(2.0 / (fans[0] + fans[1])) if fans else None
            if site.func in catalog.KAIMING:
                # Judged by the std for this shape when the fans are known (kaiming's fan_in-only variance
                # is off even with nonlinearity="tanh" unless fan_in == fan_out), else by the gain.
                if given is not None and wanted is not None:
                    code = None if _close(given, wanted) else "IL102"
                elif gain is None or not _close(gain, glorot_gain):
                    code = "IL102"
            elif site.func in catalog.XAVIER and gain is not None and gain_is_explicit(site) \
                    and not _close(gain, glorot_gain):
                code = "IL103"
        if code == "IL103" and act.family == "saturating" and squashed_output(layer):
            code = None  # a policy's mean head under tanh: its small gain keeps the first actions near 0
        if code in ("IL101", "IL102") and given is not None and wanted is not None and _close(given, wanted):
            code = None  # the shapes make both formulas agree (e.g. fan_out << fan_in): nothing to gain
        if code == "IL102" and given is None and _single_output(layer) and site.args.get("mode", "fan_in") == \
                "fan_in" and gain is not None and _close(gain, math.sqrt(2.0)) and act.gain == 1.0:
            code = None  # one output unit: Glorot's 2/(fan_in+1) is He's 2/fan_in whatever fan_in is
        if code is not None:
            out.setdefault(code, []).append(Hit(layer, act, given, wanted))
    return out


def _single_output(layer: Layer) -> bool:
    """A weight with one output unit and a 1x1 receptive field (an attention-logit or gate projection)."""
    shape = layer.params.get("" if layer.kind == "Parameter" else "weight")
    if not shape or len(shape) < 2 or shape[0] != 1:
        return False
    return all(d == 1 for d in shape[2:])


def _is_lecun_normal(site: InitSite, fans: tuple[int, int] | None) -> bool:
    if site.func == "kaiming_normal_":
        gain = site_gain(site)
        if gain is not None and _close(gain, 1.0) and site.args.get("mode", "fan_in") == "fan_in":
            return True
    if site.func in ("kaiming_normal_", "xavier_normal_") and fans is not None:
        given = init_std(site, fans)  # e.g. xavier_normal_ on a square layer is N(0, 1/fan_in) exactly
        return given is not None and _close(given, 1 / math.sqrt(fans[0]))
    if site.func in ("normal_", "trunc_normal_"):
        std = site.args.get("std", 1.0)
        if fans is None or not isinstance(std, (int, float)):
            return True  # unknown std: say nothing
        return _close(float(std), 1 / math.sqrt(fans[0]))
    return False


# --------------------------------------------------------------------------- messages


def _finding(picture: Picture, code: str, site: InitSite, hits: list[Hit], filename: str) -> Finding:
    builder = {"IL101": _il101, "IL102": _il102, "IL103": _il103, "IL104": _il104}[code]
    return finding(code, site, builder(site, hits), filename, _fix(picture, code, site, hits))


@fix_builder
def _fix(picture: Picture, code: str, site: InitSite, hits: list[Hit]) -> Fix:
    """The right call for each wrong layer (unsafe: it changes the numbers the model starts from); a call
    that also serves layers it suits is split so that those keep it."""
    def call_for(act: Activation) -> str:
        if site.func == "orthogonal_":  # keep the user's orthogonal init, with the activation's gain
            return orthogonal_call("{init}", site.target_text, act)
        return recommended_call("{init}", site.target_text, act, site.distribution)

    calls: dict[str, set[int]] = {}
    for hit in hits:
        calls.setdefault(call_for(hit.act), set()).add(hit.layer.uid)
    hit_uids = {hit.layer.uid for hit in hits}
    for ref in site.targets:  # layers the call suits now and whose activation wants that same call anyway
        layer = picture.layer(ref.layer)
        follow = layer.follow()
        if ref.layer in hit_uids or ref.param not in ("weight", "") or follow.kind != ACT or follow.activation is None:
            continue
        template = call_for(follow.activation)
        if template in calls:
            calls[template].add(ref.layer)
    return call_fix(picture, site, calls, "Replace with the init the activation calls for")


def _where(site: InitSite, hits: list[Hit]) -> str:
    """Which layers the call gets wrong and the activation each one feeds."""
    verb = "reaches" if site.shared or len(hits) > 1 else "initializes"
    acts = {h.act for h in hits}
    if len(acts) == 1:
        return f"{verb} {labels([h.layer for h in hits])}, whose output feeds {hits[0].act.display}"
    parts = [f"{layer_label(h.layer)} feeding {h.act.display}" for h in hits[:4]]
    if len(hits) > 4:
        parts.append(f"and {len(hits) - 4} more")
    return f"{verb} {', '.join(parts)}"


def _use(hits: list[Hit], call_for: Callable[[Activation], str]) -> str:
    """The call to write instead, one per distinct activation when a shared call needs splitting."""
    calls: dict[str, str] = {}
    for hit in hits:
        calls.setdefault(call_for(hit.act), hit.act.display)
    if len(calls) == 1:
        return f"Use `{next(iter(calls))}`."
    options = "; ".join(f"`{call}` for the {act} layers" for call, act in calls.items())
    return f"Split the call by layer: {options}."


def _numbers(hit: Hit, wanted_name: str) -> str:
    if hit.given is None or hit.wanted is None:
        return ""
    fans = _fans(hit.layer)
    assert fans is not None
    ratio = fmt(hit.given / hit.wanted)
    effect = (f"the signal scales by ~{ratio}x per layer" if hit.act.family == "rectifier"
              else f"~{ratio}x the std it should have")
    where = f" for `{hit.layer.path}`" if hit.layer else ""
    return (f" With fan_in={fans[0]}, fan_out={fans[1]}{where} it gives std {fmt(hit.given)} where "
            f"{wanted_name} wants {fmt(hit.wanted)}: {effect}.")


def _il101(site: InitSite, hits: list[Hit]) -> str:
    dist = site.distribution
    use = _use(hits, lambda act: f"nn.init.kaiming_{dist}_({site.target_text}, {act.kaiming_args()})")
    return (
        f"`{site.func}` {_where(site, hits)}. Glorot's variance 2/(fan_in+fan_out) assumes a unit-slope "
        f"activation; a rectifier discards about half the signal, so activations shrink layer after layer "
        f"(He et al. 2015).{_numbers(hits[0], 'He init') or _unsized_xavier(site, hits[0])} {use}"
    )


def _unsized_xavier(site: InitSite, hit: Hit) -> str:
    """Without the layer's sizes, what holds for every size: Xavier's std over He's is
    gain*sqrt(2)/act_gain * sqrt(fan_in/(fan_in+fan_out)), below 1 whenever gain*sqrt(2) <= act_gain."""
    gain = site_gain(site)
    if gain is None or gain * math.sqrt(2.0) > hit.act.gain * (1 + 1e-9):
        return ""
    return (f" The layer's sizes are not known here, but for every size Xavier's std is below He's, by "
            f"sqrt(fan_in/(fan_in+fan_out)): {fmt(1 / math.sqrt(2))}x on a square layer (He's is "
            f"{fmt(math.sqrt(2))}x larger), less when fan_out > fan_in.")


def _glorot_call(site: InitSite, act: Activation) -> str:
    gain = ', gain=nn.init.calculate_gain("tanh")' if act.name == "tanh" else ""
    return f"nn.init.xavier_{site.distribution}_({site.target_text}{gain})"


def _il102(site: InitSite, hits: list[Hit]) -> str:
    gain_value = site_gain(site)
    mode = site.args.get("mode", "fan_in")
    named = f" (gain {fmt(gain_value)}, variance from {mode} alone)" \
        if gain_value is not None and isinstance(mode, str) else ""
    use = _use(hits, lambda act: _glorot_call(site, act))
    return (
        f"`{site.func}`{named} {_where(site, hits)}. He init is derived for rectifiers; a saturating "
        f"activation wants Glorot's variance, which balances fan_in and fan_out so that neither activations "
        f"nor gradients drift into the flat, gradient-free ends of the curve (Glorot & Bengio 2010)."
        f"{_numbers(hits[0], 'Glorot')} {use}"
    )


def _orthogonal_numbers(hit: Hit, gain: float) -> str:
    """An orthogonal weight maps its input's norm exactly (times the gain) when it is square or expands; a
    rectifier then keeps 1/act_gain^2 of the second moment."""
    per_layer = gain / hit.act.gain
    std = (f" For `{hit.layer.path}` it gives std {fmt(hit.given)} where He init wants {fmt(hit.wanted)}."
           if hit.given is not None and hit.wanted is not None else "")
    return (f" An orthogonal weight keeps the norm of its input times the gain, and {hit.act.display} keeps "
            f"1/{fmt(hit.act.gain)}^2 = {fmt(1 / hit.act.gain ** 2)} of its second moment, so on square layers "
            f"the input-dependent signal scales by {fmt(gain)}/{fmt(hit.act.gain)} = {fmt(per_layer)}x per layer "
            f"(~{exponent(per_layer ** 10)}x over 10 such layers).{std}")


def _il103(site: InitSite, hits: list[Hit]) -> str:
    act = hits[0].act
    gain = site_gain(site)
    named = _named_activation(site)
    numbers = _numbers(hits[0], act.display)
    if site.func in catalog.KAIMING:
        use = _use(hits, lambda a: f"nn.init.{site.func}({site.target_text}, {a.kaiming_args()})")
        wanted_gain = act.gain
    elif site.func == "orthogonal_":
        use = _use(hits, lambda a: orthogonal_call("nn.init", site.target_text, a))
        wanted_gain = act.gain
        numbers = _orthogonal_numbers(hits[0], gain) if gain is not None else ""
    else:
        use = _use(hits, lambda a: f"nn.init.{site.func}({site.target_text}, gain="
                   + ('nn.init.calculate_gain("tanh")' if a.name == "tanh" else "1.0") + ")")
        wanted_gain = 5.0 / 3 if act.name == "tanh" else 1.0
    gain_text = fmt(gain) if gain is not None else "?"
    uses = f"uses the gain of {named} ({gain_text})" if named else f"uses gain {gain_text}" + (
        "" if "gain" in site.args else " (the default)")
    return (
        f"`{site.func}` {uses} but {_where(site, hits)}; {act.display}'s gain "
        f"is {fmt(wanted_gain)}. The gain multiplies every weight, so each layer is off by their ratio."
        f"{numbers} {use}"
    )


def _il104(site: InitSite, hits: list[Hit]) -> str:
    call = f'nn.init.kaiming_normal_({site.target_text}, nonlinearity="linear")'
    extra = ""
    if site.func in catalog.KAIMING and site.args.get("nonlinearity") == "selu":
        extra = " torch's calculate_gain(\"selu\") = 3/4 is not the SNN init; torch's docs say to use \"linear\"."
    return (
        f"`{site.func}` {_where(site, hits)}. Self-normalizing networks need LeCun normal weights, "
        f"N(0, 1/fan_in), for activations to converge to mean 0 and variance 1 (Klambauer et al. 2017)."
        f"{extra}{_numbers(hits[0], 'LeCun normal')} Use `{call}`."
    )


def _named_activation(site: InitSite) -> str:
    if site.gain_named:
        return f'calculate_gain("{site.gain_named}")'
    if site.func in catalog.KAIMING:
        nonlinearity = site.args.get("nonlinearity", "leaky_relu")
        a = site.args.get("a", 0)
        if nonlinearity == "leaky_relu":
            a_text = fmt(a) if isinstance(a, (int, float)) else "?"
            return f"leaky_relu with a={a_text}"
        return f'nonlinearity="{nonlinearity}"'
    return ""
