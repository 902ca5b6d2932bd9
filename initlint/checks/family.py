"""IL101-IL104: the init family and gain must suit the activation that follows the layer."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from initlint.checks.common import (
    built_here,
    exponent,
    fmt,
    follow_in_arm,
    gain_is_explicit,
    gain_too_small,
    in_arm,
    init_alias,
    init_std,
    kaiming_mode,
    labels,
    layer_label,
    named_layers,
    option_arms,
    orthogonal_call,
    recommended_call,
    site_diagnostic,
    site_gain,
    sizes_note,
    squashed_output,
    told_per_option,
    transposed_note,
    weights_set_last,
)
from initlint.checks.hand_forms import GLOROT, HE, HandForm, hand_form
from initlint.checks.per_instance import instance_groups, told_per_instance
from initlint.config import DEFAULT_OFF_SCALE_FACTOR, Settings
from initlint.findings import Finding, Note, Number, short_title
from initlint.fix import Fix, call_fix, fix_builder
from initlint.picture import catalog
from initlint.picture.catalog import Activation
from initlint.picture.model import ACT, Condition, InitSite, Layer, ParamRef, Picture

GAIN_TOLERANCE = 0.10
OUTPUT_SATURATION_RATIO = 2.0  # on a squashed output, IL102 only when He's std exceeds Glorot's by this



@dataclass
class Hit:
    layer: Layer
    act: Activation
    given: float | None  # std the init gives, when the fans are known
    wanted: float | None  # std the activation calls for
    hand: HandForm | None = None  # the init is a hand-written Glorot/He draw (hand_forms.py)


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    effective = picture.effective()
    for site in picture.inits:
        if site.in_slice:
            continue
        for arm in ((), *option_arms(picture, site, effective)):
            judged = in_arm(site, arm)
            pairs = list(_judged_layers(picture, site, effective, arm))
            for code, hits in _classify(judged, pairs, settings.off_scale_factor, picture).items() if pairs else ():
                found = _finding(picture, code, judged, hits, filename)
                yield told_per_option(found) if arm else found
        for call, pairs in instance_groups(picture, site, list(weights_set_last(picture, site, effective))):
            for code, hits in _classify(site, pairs, settings.off_scale_factor, picture).items():
                yield told_per_instance(_finding(picture, code, site, hits, filename), call, site)
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
        numbers: dict[str, Number] = {"func": site.func, "gain": gain, "layer": layer.path, "param": param,
                                      "gates": gates}
        notes: list[Note] = []
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
                numbers.update(fan_in=fan_in, fan_out=hidden, rows=rows, std=given, wanted_std=wanted,
                               ratio=given / wanted)
                notes.append(Note(f"for `{layer.path}.{param}` ({rows}x{fan_in}, {blocks} of {hidden} rows) it "
                                  f"gives std {fmt(given)} where Glorot over one gate block (fan_in={fan_in}, "
                                  f"fan_out={hidden}) wants {fmt(wanted)}: {fmt(given / wanted)}x"))
        kind = "LSTM's gates i, f, o are sigmoids and its cell candidate g a tanh" \
            if layer.kind.startswith("LSTM") else "GRU's gates r, z are sigmoids and its candidate n a tanh" \
            if layer.kind.startswith("GRU") else "RNN's update is a tanh"
        names = ", ".join(f"`{lay.path}.{p}`" for lay, p in reached[:4]) + (
            f" and {len(reached) - 4} more" if len(reached) > 4 else "")
        notes.insert(0, Note(f"{names} of {layer.signature} feed its gates: the {kind}, saturating functions, not "
                             f"rectifiers"))
        init = init_alias(picture)
        yield site_diagnostic(
            "IL102", site, filename,
            short_title(f"He init (gain {fmt(gain)}) on the input weights of `{layer.path}`, which feed its gates"),
            spans=built_here(site, [lay for lay, _ in reached]), notes=tuple(notes), numbers=numbers,
            help=f"use `{init}.xavier_uniform_({site.target_text})` for `weight_ih` (per gate block, or on the whole "
                 f"matrix), and orthogonal blocks for `weight_hh`",
            fix="the call's target is a recurrent layer's weight, whose gate blocks a rewrite would have to treat "
                "one by one")


def _judged_layers(picture: Picture, site: InitSite, effective: dict[ParamRef, list[InitSite]],
                   arm: tuple[Condition, ...] = ()) -> Iterator[tuple[Layer, Activation]]:
    """Layers whose main weight this site initializes last and whose output meets a known activation; with
    ``arm``, the layers whose activation only that option's arm makes known (option_arms)."""
    for layer in weights_set_last(picture, site, effective):
        follow = follow_in_arm(layer, site, arm)
        if follow is not None and follow.kind == ACT and follow.activation is not None:
            yield layer, follow.activation


def _fans(layer: Layer) -> tuple[int, int] | None:
    """The fans of the layer's map (what the activation calls for; see ``Layer.signal_fans``)."""
    return layer.signal_fans("" if layer.kind == "Parameter" else "weight")


def _close(a: float, b: float) -> bool:
    return abs(a / b - 1) <= GAIN_TOLERANCE


def _classify(site: InitSite, pairs: list[tuple[Layer, Activation]],
              factor: float = DEFAULT_OFF_SCALE_FACTOR, picture: Picture | None = None) -> dict[str, list[Hit]]:
    out: dict[str, list[Hit]] = {}
    gain = site_gain(site)
    for layer, act in pairs:
        if gain_too_small(site, layer, act, factor) is not None and not (
                act.family == "rectifier" and site.func in catalog.XAVIER):
            # ``gain=0.02``: a std meant for normal_, a scale mistake (IL202's). Only Xavier before a
            # rectifier is also the wrong family, whatever its gain: IL101 says so too, with IL202's rewrite.
            continue
        fans = _fans(layer)
        shape = layer.params.get("" if layer.kind == "Parameter" else "weight")
        computed = layer.fans("" if layer.kind == "Parameter" else "weight")  # what torch's init reads
        given = init_std(site, computed, rows=shape[0] if shape else None)
        code: str | None = None
        wanted: float | None = None
        hand = hand_form(picture, site, layer) if picture is not None and act.family in ("rectifier", "saturating") \
            else None
        if hand is not None:
            code, wanted = _judge_hand(hand, act, fans)
            given = hand.std
            if given is not None and wanted is not None and not 1 / factor <= given / wanted <= factor:
                code = None  # that far off, it is a scale mistake (IL202's)
        elif act.family == "selu":
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
        if code in ("IL102", "IL103") and act.family == "saturating" and squashed_output(layer) \
                and not (code == "IL102" and _saturates_output(given, wanted)):
            # The model's output squashed to a range (a policy's mean head, a generator's image under tanh):
            # its scale is the designer's choice (a small gain keeps the first actions near 0), and no later
            # layer inherits it, which is what He vs Glorot is about.
            code = None
        if code in ("IL101", "IL102") and given is not None and wanted is not None and _close(given, wanted):
            code = None  # the shapes make both formulas agree (e.g. fan_out << fan_in): nothing to gain
        if code == "IL102" and given is None and _single_output(layer) and site.args.get("mode", "fan_in") == \
                "fan_in" and gain is not None and _close(gain, math.sqrt(2.0)) and act.gain == 1.0:
            code = None  # one output unit: Glorot's 2/(fan_in+1) is He's 2/fan_in whatever fan_in is
        if code is not None:
            out.setdefault(code, []).append(Hit(layer, act, given, wanted, hand))
    return out


def _saturates_output(given: float | None, wanted: float | None) -> bool:
    """He's std on an output layer so far above Glorot's that the squashed output starts saturated (a
    ConvTranspose2d, whose torch fan_in is out_channels * k * k, tiny for an image's 3 channels). When
    fan_out << fan_in, He's std is at or below Glorot-with-tanh-gain's, and the advice would saturate more."""
    return given is not None and wanted is not None and given > OUTPUT_SATURATION_RATIO * wanted


def _judge_hand(hand: HandForm, act: Activation, fans: tuple[int, int] | None) -> tuple[str | None, float | None]:
    """A hand-written Glorot draw before a rectifier is Xavier there (IL101); a He draw before tanh/sigmoid
    is He there (IL102). The std the activation wants, when the fans are known."""
    if act.family == "rectifier":
        return ("IL101" if hand.form == GLOROT else None), act.gain / math.sqrt(fans[0]) if fans else None
    glorot_gain = 5.0 / 3 if act.name == "tanh" else 1.0
    wanted = glorot_gain * math.sqrt(2.0 / (fans[0] + fans[1])) if fans else None
    return ("IL102" if hand.form == HE else None), wanted


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


# --------------------------------------------------------------------------- what the finding says


@dataclass(frozen=True)
class Told:
    """A finding's parts: the title, the notes, the help and the numbers (the prose lives in the rule page)."""

    title: str
    notes: tuple[Note, ...]
    help: str
    numbers: dict[str, Number]


def _finding(picture: Picture, code: str, site: InitSite, hits: list[Hit], filename: str) -> Finding:
    builder = {"IL101": _il101, "IL102": _il102, "IL103": _il103, "IL104": _il104}[code]
    told = builder(site, hits, init_alias(picture))
    return site_diagnostic(code, site, filename, told.title, spans=built_here(site, [h.layer for h in hits]),
                           notes=(*_by_index(site, hits), *told.notes), help=told.help, numbers=told.numbers,
                           fix=_fix(picture, code, site, hits))


@fix_builder
def _fix(picture: Picture, code: str, site: InitSite, hits: list[Hit]) -> Fix:
    """The right call for each wrong layer (unsafe: it changes the numbers the model starts from); a call
    that also serves layers it suits is split so that those keep it."""
    def call_for(act: Activation, layer: Layer) -> str:
        if site.func == "orthogonal_":  # keep the user's orthogonal init, with the activation's gain
            return orthogonal_call("{init}", site.target_text, act)
        return recommended_call("{init}", site.target_text, act, site.distribution, layer)

    if any(hit.layer.follow_under(site.path).but_one is not None for hit in hits):
        return ("one pass of the loop that builds the layer may feed another activation, and which is not known: "
                "the init to write depends on the pass")
    if any(hit.hand is not None for hit in hits):
        return ("the weight is drawn by hand (a Glorot/He formula written out): replace the draw with the init "
                "call by hand")
    calls: dict[str, set[int]] = {}
    for hit in hits:
        calls.setdefault(call_for(hit.act, hit.layer), set()).add(hit.layer.uid)
    hit_uids = {hit.layer.uid for hit in hits}
    for ref in site.targets:  # layers the call suits now and whose activation wants that same call anyway
        layer = picture.layer(ref.layer)
        follow = layer.follow()
        if ref.layer in hit_uids or ref.param not in ("weight", "") or follow.kind != ACT or follow.activation is None:
            continue
        template = call_for(follow.activation, layer)
        if template in calls:
            calls[template].add(ref.layer)
    return call_fix(picture, site, calls, "Replace with the init the activation calls for")


def _on(hits: list[Hit]) -> str:
    """``on `fc1`, which feeds ReLU`` (the layers the call gets wrong and what they feed), for a title."""
    acts = list(dict.fromkeys(h.act.display for h in hits))
    layers = list(dict.fromkeys(h.layer.uid for h in hits))
    verb = "feeds" if len(layers) == 1 else "feed"
    passes = " in every loop pass but possibly one" if any(h.layer.follow().but_one for h in hits) else ""
    return f"on {named_layers([h.layer for h in hits])}, which {verb} {' and '.join(acts[:2])}" + (
        f" and {len(acts) - 2} more" if len(acts) > 2 else "") + passes


def _by_index(site: InitSite, hits: list[Hit]) -> tuple[Note, ...]:
    """A layer built once per pass of a loop that picks the activation by the pass's index: the finding holds for
    every pass but possibly the one the test picks, and cannot say which that is."""
    notes = []
    for hit in hits:
        follow = hit.layer.follow_under(site.path)
        if follow.but_one is not None and follow.passes is not None:
            notes.append(Note(
                f"{named_layers([hit.layer])} is built in each of the loop's {follow.passes} passes; the pass where "
                f"`{follow.test}` (if any, not known here) feeds {follow.but_one.display} instead, so at least "
                f"{follow.passes - 1} of the {follow.passes} copies feed {hit.act.display}"))
    return tuple(notes)


def _reached(site: InitSite, hits: list[Hit]) -> tuple[Note, ...]:
    """A note naming every layer the call gets wrong (with its shape and line) when there is more than one, or
    when the call is shared (an ``apply`` function, a ``modules()`` loop)."""
    if not site.shared and len(hits) == 1:
        return ()
    acts = {h.act for h in hits}
    if len(acts) == 1:
        return (Note(f"reaches {labels([h.layer for h in hits])}, whose output feeds {hits[0].act.display}"),)
    parts = [f"{layer_label(h.layer)} feeding {h.act.display}" for h in hits[:4]]
    if len(hits) > 4:
        parts.append(f"and {len(hits) - 4} more")
    return (Note(f"reaches {', '.join(parts)}"),)


def _use(hits: list[Hit], call_for: Callable[[Hit], str]) -> str:
    """The call to write instead, one per distinct activation when a shared call needs splitting."""
    calls: dict[str, str] = {}
    for hit in hits:
        calls.setdefault(call_for(hit), hit.act.display)
    if len(calls) == 1:
        return f"use `{next(iter(calls))}`"
    options = "; ".join(f"`{call}` for the {act} layers" for call, act in calls.items())
    return f"split the call by layer: {options}"


def _numbers(site: InitSite, hit: Hit) -> dict[str, Number]:
    """The numbers of the first layer the call gets wrong, as data."""
    numbers: dict[str, Number] = {"activation": hit.act.name, "layer": hit.layer.path, "func": site.func}
    gain = site_gain(site)
    if gain is not None:
        numbers["gain"] = gain
    fans = _fans(hit.layer)
    if fans is not None:
        numbers["fan_in"], numbers["fan_out"] = fans
    if hit.given is not None and hit.wanted is not None:
        numbers.update(std=hit.given, wanted_std=hit.wanted, ratio=hit.given / hit.wanted)
    return numbers


def _std_note(hit: Hit, wanted_name: str) -> tuple[Note, ...]:
    if hit.given is None or hit.wanted is None:
        return ()
    fans = _fans(hit.layer)
    assert fans is not None
    ratio = fmt(hit.given / hit.wanted)
    effect = (f"the signal scales by ~{ratio}x per layer" if hit.act.family == "rectifier"
              else f"~{ratio}x the std it should have")
    return (Note(f"with fan_in={fans[0]}, fan_out={fans[1]} for `{hit.layer.path}`{transposed_note(hit.layer)}"
                 f"{sizes_note([hit.layer])} it gives "
                 f"std {fmt(hit.given)} where {wanted_name} wants {fmt(hit.wanted)}: {effect}"),)


def _hand_note(site: InitSite, hit: Hit) -> tuple[Note, ...]:
    """What the hand-written draw is, and how its fans are known to be the layer's."""
    hand = hit.hand
    if hand is None:
        return ()
    formula = {(GLOROT, False): "sqrt(2/(fan_in+fan_out))", (GLOROT, True): "sqrt(6/(fan_in+fan_out))",
               (HE, False): "sqrt(2/fan_in)", (HE, True): "sqrt(6/fan_in)"}[hand.form, hand.uniform]
    what = "the bound of U(-b, b)" if hand.uniform else "the std"
    family = ("Xavier/Glorot " if hand.form == GLOROT else "He/Kaiming ") + ("uniform" if hand.uniform else "normal")
    how = {"by value": "its numbers are the layer's fans",
           "for every size": "it reads them from the layer",
           "by name": "its names are the ones the layer is built from, in the same run"}[hand.how]
    value = ""
    fans = _fans(hit.layer)
    if hand.std is not None and fans is not None:
        bound = hand.std * math.sqrt(3) if hand.uniform else hand.std
        value = f" = {fmt(bound)} with fan_in={fans[0]}, fan_out={fans[1]}"
    return (Note(f"a hand-written {hand.form} draw: {what} {hand.text} is {formula} in `{hit.layer.path}`'s own "
                 f"fans ({how}){value}, i.e. {family} written out"),)


def _il101(site: InitSite, hits: list[Hit], init: str) -> Told:
    dist = site.distribution
    notes = (*_reached(site, hits), *_hand_note(site, hits[0]),
             *(_std_note(hits[0], "He init") or _unsized_xavier(site, hits[0])))
    drawn = " (a hand-written Glorot draw)" if hits[0].hand is not None else ""
    return Told(f"Xavier init{drawn} {_on(hits)}", notes,
                _use(hits, lambda hit: f"{init}.kaiming_{dist}_({site.target_text}, {kaiming_mode(hit.layer)}"
                     f"{hit.act.kaiming_args()})"),
                _numbers(site, hits[0]))


def _unsized_xavier(site: InitSite, hit: Hit) -> tuple[Note, ...]:
    """Without the layer's sizes, what holds for every size: Xavier's std over He's is
    gain*sqrt(2)/act_gain * sqrt(fan_in/(fan_in+fan_out)), below 1 whenever gain*sqrt(2) <= act_gain."""
    gain = 1.0 if hit.hand is not None else site_gain(site)
    if gain is None or gain * math.sqrt(2.0) > hit.act.gain * (1 + 1e-9):
        return ()
    return (Note(f"the layer's sizes are not known here, but for every size Xavier's std is below He's, by "
                 f"sqrt(fan_in/(fan_in+fan_out)): {fmt(1 / math.sqrt(2))}x on a square layer (He's is "
                 f"{fmt(math.sqrt(2))}x larger), less when fan_out > fan_in"),)


def _glorot_call(init: str, site: InitSite, act: Activation) -> str:
    gain = f', gain={init}.calculate_gain("tanh")' if act.name == "tanh" else ""
    return f"{init}.xavier_{site.distribution}_({site.target_text}{gain})"


def _il102(site: InitSite, hits: list[Hit], init: str) -> Told:
    gain_value = site_gain(site)
    mode = site.args.get("mode", "fan_in")
    notes = [*_reached(site, hits), *_hand_note(site, hits[0])]
    if gain_value is not None and isinstance(mode, str):
        notes.append(Note(f"`{site.func}` uses gain {fmt(gain_value)} and takes the variance from {mode} alone"))
    notes += _std_note(hits[0], "Glorot")
    outputs = [h for h in hits if squashed_output(h.layer)]
    if outputs:
        out = outputs[0]
        fans = _fans(out.layer)
        sizes = f" (fan_in={fans[0]}, fan_out={fans[1]})" if fans else ""
        stds = f": std {fmt(out.given)} vs {fmt(out.wanted)}, {fmt(out.given / out.wanted)}x" \
            if out.given is not None and out.wanted is not None else ""
        notes.append(Note(f"the {out.act.display} after `{out.layer.path}`{sizes} is the model's output, where He's "
                          f"std more than {fmt(OUTPUT_SATURATION_RATIO)}x Glorot's starts the output saturated"
                          f"{stds} (an output layer whose std is closer is left to the designer)"))
    numbers = _numbers(site, hits[0])
    if isinstance(mode, str) and hits[0].hand is None:
        numbers["mode"] = mode
    drawn = " (a hand-written He draw)" if hits[0].hand is not None else ""
    return Told(f"He init{drawn} {_on(hits)}", tuple(notes), _use(hits, lambda hit: _glorot_call(init, site, hit.act)),
                numbers)


def _orthogonal_note(hit: Hit, gain: float) -> tuple[Note, ...]:
    """An orthogonal weight maps its input's norm exactly (times the gain) when it is square or expands; a
    rectifier then keeps 1/act_gain^2 of the second moment."""
    per_layer = gain / hit.act.gain
    std = (f"; for `{hit.layer.path}` it gives std {fmt(hit.given)} where He init wants {fmt(hit.wanted)}"
           if hit.given is not None and hit.wanted is not None else "")
    return (Note(f"an orthogonal weight keeps the norm of its input times the gain, and {hit.act.display} keeps "
                 f"1/{fmt(hit.act.gain)}^2 = {fmt(1 / hit.act.gain ** 2)} of its second moment, so on square layers "
                 f"the input-dependent signal scales by {fmt(gain)}/{fmt(hit.act.gain)} = {fmt(per_layer)}x per "
                 f"layer (~{exponent(per_layer ** 10)}x over 10 such layers){std}"),)


def _il103(site: InitSite, hits: list[Hit], init: str) -> Told:
    act = hits[0].act
    gain = site_gain(site)
    named = _named_activation(site)
    notes: tuple[Note, ...] = _std_note(hits[0], act.display)
    per_layer: dict[str, Number] = {}
    if site.func in catalog.KAIMING:
        use = _use(hits, lambda h: f"{init}.{site.func}({site.target_text}, {kaiming_mode(h.layer)}"
                   f"{h.act.kaiming_args()})")
        wanted_gain = act.gain
    elif site.func == "orthogonal_":
        use = _use(hits, lambda h: orthogonal_call(init, site.target_text, h.act))
        wanted_gain = act.gain
        notes = _orthogonal_note(hits[0], gain) if gain is not None else ()
        per_layer = {"per_layer_gain": gain / act.gain} if gain is not None else {}
    else:
        use = _use(hits, lambda h: f"{init}.{site.func}({site.target_text}, gain="
                   + (f'{init}.calculate_gain("tanh")' if h.act.name == "tanh" else "1.0") + ")")
        wanted_gain = 5.0 / 3 if act.name == "tanh" else 1.0
    gain_text = fmt(gain) if gain is not None else "?"
    uses = f"Gain of {named} ({gain_text})" if named else f"Gain {gain_text}" + (
        "" if "gain" in site.args else " (the default)")
    notes = (*_reached(site, hits),
             Note(f"{act.display}'s gain is {fmt(wanted_gain)}; the gain multiplies every weight, so each layer is "
                  f"off by their ratio" + (f" ({fmt(gain / wanted_gain)}x)" if gain is not None else "")), *notes)
    numbers = {**_numbers(site, hits[0]), "wanted_gain": wanted_gain, **per_layer}
    title = short_title(f"{uses} {_on(hits)}")
    return Told(title, notes, use, numbers)


def _il104(site: InitSite, hits: list[Hit], init: str) -> Told:
    call = f'{init}.kaiming_normal_({site.target_text}, nonlinearity="linear")'
    notes = list(_reached(site, hits))
    if site.func in catalog.KAIMING and site.args.get("nonlinearity") == "selu":
        notes.append(Note('torch\'s calculate_gain("selu") = 3/4 is not the SNN init; torch\'s docs say to use '
                          '"linear"'))
    notes += _std_note(hits[0], "LeCun normal")
    title = short_title(f"`{site.func}` {_on(hits)}: not LeCun normal")
    return Told(title, tuple(notes), f"use `{call}`", _numbers(site, hits[0]))


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
