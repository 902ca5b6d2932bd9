"""Helpers the rule modules share: building findings, naming layers, std formulas."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

import libcst as cst

from initlint.findings import Finding, Note, Number, joined_message, structured
from initlint.findings import Span as Related
from initlint.fix import Fix, fix_fields, init_module
from initlint.picture import catalog
from initlint.picture.catalog import Activation
from initlint.picture.model import (
    OUTPUT,
    RMATMUL,
    UNKNOWN,
    Condition,
    Follow,
    InitSite,
    Layer,
    ParamRef,
    Picture,
    Span,
)
from initlint.picture.values import is_number

_CODE = cst.Module(body=[])  # renders any node's own text


# Layers whose weight feeds the activation directly (not recurrent, embedding or attention internals).
FEEDING_KINDS = frozenset({"Linear", "Bilinear"} | set(catalog.CONV) | set(catalog.CONV_TRANSPOSE))


def weights_set_last(picture: Picture, site: InitSite, effective: dict[ParamRef, list[InitSite]]) -> Iterator[Layer]:
    """Each layer (a Linear/Conv/Bilinear, or a bare Parameter used through F.linear/F.conv*) whose main
    weight this site is the last init of, once."""
    seen: set[int] = set()
    for ref in site.targets:
        if ref.layer in seen or site not in effective.get(ref, ()):
            continue
        layer = picture.layer(ref.layer)
        if ref.param != ("" if layer.kind == "Parameter" else "weight"):
            continue
        if layer.kind not in FEEDING_KINDS and not (layer.kind == "Parameter" and layer.functional):
            continue
        seen.add(ref.layer)
        yield layer


def finding(code: str, site: InitSite, message: str, filename: str, fix: Fix | None = None) -> Finding:
    """A finding at an init call; ``fix`` is the fix, or (a string) the reason there is none. A call that runs
    under an option (``if init_method == 'xavier':``) is judged as that option's scenario and says so."""
    span = site.location
    fingerprint = site_fingerprint(site)
    if site.callers is not None:  # one part of a helper's call (picture.callers): its callers' arguments
        fix = PER_CALLER_NO_FIX
        fingerprint = f"{fingerprint} [{site.callers}]" if fingerprint is not None else None
    found = Finding(code, message, span.file or filename, span.line, span.column, span.end_line, span.end_column,
                    fingerprint=fingerprint, **fix_fields(elsewhere(span, fix)))
    named = scenario(site)
    if site.callers is not None:
        named = f"the callers that give `{site.callers}`" + (f", {named}" if named else "")
    return with_scenario(found, named) if named else found


PER_CALLER_NO_FIX = ("the helper's call serves callers that pass other arguments: the fix belongs at the "
                     "callers that pass these, which is the author's call")


def with_scenario(found: Finding, named: str) -> Finding:
    """The finding told as one scenario: "With `init_method='xavier'`: ..." opens the message; the structured
    finding keeps its own title and carries the option as a scenario note and number (as ``site_diagnostic``
    does for the rules that build their parts)."""
    base = structured(found)
    return replace(base, message=f"With {named}: {found.message}", notes=(Note(named, "scenario"), *base.notes),
                   numbers={**base.numbers, "scenario": named})


def elsewhere(span: Span, fix: Fix | None) -> Fix | None:
    """No fix for a finding in another file than the one whose picture found it (a model imported from
    there): ``--fix`` rewrites one file at a time, from that file's own picture."""
    if span.file is None:
        return fix
    return ("found by following another file's imports into this one; --fix rewrites a file from its own "
            "picture and does not see this")


def site_diagnostic(code: str, site: InitSite, filename: str, title: str, *, spans: tuple[Related, ...] = (),
                    notes: tuple[Note, ...] = (), help: str | None = None,
                    numbers: dict[str, Number] | None = None, fix: Fix | None = None) -> Finding:
    """A structured finding at an init call (``fix``: the fix, or why there is none), built by ``finding`` so
    that whatever it adds to every finding at a call applies here too."""
    joined = joined_message(title, notes, help)
    base = finding(code, site, joined, filename, fix)
    numbers = dict(numbers or {})
    head = base.message[: -len(joined)] if base.message.endswith(joined) else ""
    scenario = head.strip().removeprefix("With ").rstrip(":").strip()
    if scenario:  # what ``finding`` put before the message (the option the call runs under): a note and data
        notes = (Note(scenario, "scenario"), *notes)
        numbers["scenario"] = scenario
    return replace(base, title=title, spans=spans, notes=notes, help=help, numbers=numbers)


def init_alias(picture: Picture) -> str:
    """How a help line names ``torch.nn.init``: as the fix would (the file's own alias, ``init`` after
    ``from torch.nn import init``), else ``nn.init``."""
    found = init_module(picture)
    return found[0] if found is not None else "nn.init"


def built_here(site: InitSite, layers: list[Layer], limit: int = 4) -> tuple[Related, ...]:
    """Secondary spans of a finding at ``site``: where each layer is built, in the site's file (the first
    ``limit`` places; layers built by the same code, in a loop, share one span)."""
    places: dict[tuple[int, int, int, int], list[Layer]] = {}
    for layer in layers:
        if layer.locator is None or layer.node is None:
            continue
        at = layer.locator.span(layer.node)
        if at.file != site.location.file:
            continue  # built in another file than the one the finding is reported in
        places.setdefault((at.line, at.column, at.end_line, at.end_column), []).append(layer)
    out = []
    for place, built in list(places.items())[:limit]:
        first = f"`{built[0].path}` ({built[0].signature})"
        label = f"{first} is built here" if len(built) == 1 else f"{first} and {len(built) - 1} more are built here"
        out.append(Related(*place, label))
    return tuple(out)


def named_layers(layers: list[Layer], limit: int = 2) -> str:
    """``fc1``, ```fc1` and `fc2```, ```conv1`, `conv2` and 3 more``: short enough for a title."""
    names = list(dict.fromkeys(f"`{layer.path}`" for layer in layers))
    if len(names) <= limit:
        return " and ".join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit} more"


def scenario(site: InitSite) -> str:
    """The options a call runs under, as the finding names them: ```init_method='xavier'``` (the default),
    ```use_bn=False```, ```init` other than 'normal' and 'xavier'``; "" when it runs under none."""
    return scenario_of(site.path)


def scenario_of(path: tuple[Condition, ...]) -> str:
    """The options of a path of ``if`` tests (an init call's, or those a layer is built under), named."""
    chosen: dict[str, object] = {}
    excluded: dict[str, list[object]] = {}
    defaults: dict[str, tuple[object, str]] = {}
    for condition in path:
        option = condition.option
        if option is None or condition.guard:
            continue
        subject, value, equal = option
        if isinstance(value, bool):
            value, equal = (value if equal else not value), True  # ``if use_bn:`` / its else: a flag's value
        if condition.default_from is not None:
            defaults[subject] = (condition.default, condition.default_from)
        if equal and not isinstance(value, tuple):
            chosen[subject] = value
        else:
            excluded.setdefault(subject, []).extend(value if isinstance(value, tuple) else (value,))
    parts: list[str] = []
    for subject, value in chosen.items():
        note = ""
        if subject in defaults and _same_value(defaults[subject][0], value):
            where = defaults[subject][1]
            note = " (the default)" if where == "the default" else f" ({where})"
        parts.append(f"`{subject}={value!r}`{note}")
    for subject, values in excluded.items():
        if subject in chosen:
            continue
        shown = [repr(v) for v in dict.fromkeys(values)]
        listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
        parts.append(f"`{subject}` other than {listed}")
    return ", ".join(parts)


def _same_value(one: object, other: object) -> bool:
    return type(one) is type(other) and one == other


def sizes_note(layers: list[Layer]) -> str:
    """Where the sizes in a message come from, when the file's instantiation of the class gave them."""
    bindings = {id(layer.sized_by): layer for layer in layers if layer.sized_by is not None}
    notes = [layer.sized_by.describe(layer.locator) for layer in bindings.values() if layer.sized_by is not None]
    assumed = list(dict.fromkeys(note for layer in layers for note in layer.assumed))
    parts = ([f"sizes from {'; '.join(notes)}"] if notes else []) + (
        [f"with {' and '.join(assumed)}"] if assumed else [])
    return f" ({', '.join(parts)})" if parts else ""


def site_fingerprint(site: InitSite) -> str:
    """What names an init site whatever the lines around it: the call's own text and the parameters it
    reaches (layer ids, which follow the order layers are built in, and parameter names); never a line."""
    node = site.node
    text = _CODE.code_for_node(node) if isinstance(node, cst.CSTNode) else site.target_text
    targets = sorted({f"{ref.layer}.{ref.param}" for ref in site.targets})
    return " ".join([" ".join(text.split()), site.func, *targets])


def layer_fingerprint(layer: Layer) -> str:
    return f"{layer.owner}.{layer.path} {layer.kind}"


def layer_label(layer: Layer, qualified: bool = False) -> str:
    """```fc1` (Linear(256, 256), line 12)``; across files, with the model and the file (``Net.fc1``,
    ``models.py:12``)."""
    qualified = qualified or (layer.locator is not None and layer.locator.spans_files)
    name = f"{layer.owner}.{layer.path}" if qualified else layer.path
    return f"`{name}` ({layer.signature}, {layer.place()})"


def labels(layers: list[Layer], limit: int = 4) -> str:
    paths = [layer.path for layer in layers]
    shown = [layer_label(layer, qualified=paths.count(layer.path) > 1) for layer in layers[:limit]]
    if len(layers) > limit:
        shown.append(f"and {len(layers) - limit} more")
    return ", ".join(shown)


def site_gain(site: InitSite) -> float | None:
    """The gain an xavier/kaiming/orthogonal call uses, when it can be known."""
    if unpacked_args(site):
        return None
    if site.func in catalog.KAIMING:
        nonlinearity = site.args.get("nonlinearity", "leaky_relu")
        a = site.args.get("a", 0)
        if not isinstance(nonlinearity, str) or not is_number(a):
            return None
        return catalog.calculate_gain(nonlinearity, a if nonlinearity == "leaky_relu" else None)
    gain = site.args.get("gain", 1.0)
    return float(gain) if is_number(gain) else None


def gain_is_explicit(site: InitSite) -> bool:
    if site.func in catalog.KAIMING:
        return "nonlinearity" in site.args or "a" in site.args
    return "gain" in site.args


def kaiming_fan(site: InitSite, fans: tuple[int, int]) -> int | None:
    mode = site.args.get("mode", "fan_in")
    if mode == "fan_in":
        return fans[0]
    if mode == "fan_out":
        return fans[1]
    return None


def unpacked_args(site: InitSite) -> bool:
    """``uniform_(*hidden_init(layer))``: arguments we cannot see, so not torch's defaults either."""
    node = site.node
    return isinstance(node, cst.Call) and any(arg.star for arg in node.args)


def init_std(site: InitSite, fans: tuple[int, int] | None, rows: int | None = None) -> float | None:
    """The std a call gives a weight of these fans (uniform(-b, b) has std b/sqrt(3)); ``orthogonal_`` also
    needs the weight's first dimension ``rows``."""
    if fans is None or unpacked_args(site):
        return None
    gain = site_gain(site)
    if site.func == "orthogonal_":
        # torch flattens the weight to rows x fan_in and makes the shorter side orthonormal: the squared
        # entries sum to gain^2 * min(rows, fan_in), so each has variance gain^2 / max(rows, fan_in).
        return gain / math.sqrt(max(rows, fans[0])) if gain is not None and rows else None
    if site.func in catalog.XAVIER and gain is not None:
        return gain * math.sqrt(2.0 / (fans[0] + fans[1]))
    if site.func in catalog.KAIMING and gain is not None:
        fan = kaiming_fan(site, fans)
        return gain / math.sqrt(fan) if fan else None
    if site.func == "normal_":
        std = site.args.get("std", 1.0)
        return float(std) if is_number(std) else None
    if site.func == "trunc_normal_":
        values = [site.args.get(k, d) for k, d in (("mean", 0.0), ("std", 1.0), ("a", -2.0), ("b", 2.0))]
        if not all(is_number(v) for v in values):
            return None
        mu, sigma, low, high = [float(v) for v in values if is_number(v)]
        if sigma <= 0:
            return None
        return truncated_normal_std(sigma, (low - mu) / sigma, (high - mu) / sigma)
    if site.func == "uniform_":
        a, b = site.args.get("a", 0.0), site.args.get("b", 1.0)
        if is_number(a) and is_number(b):
            return abs(b - a) / math.sqrt(12)
    return None


def truncated_normal_std(std: float, low: float, high: float) -> float:
    """The std of N(0, std) cut to [low*std, high*std] (torch's trunc_normal_ bounds are absolute)."""
    def pdf(x: float) -> float:
        return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)

    def cdf(x: float) -> float:
        return (1 + math.erf(x / math.sqrt(2))) / 2

    mass = cdf(high) - cdf(low)
    if mass <= 1e-12:
        return 0.0
    mean = (pdf(low) - pdf(high)) / mass
    var = 1 + (low * pdf(low) - high * pdf(high)) / mass - mean * mean
    return std * math.sqrt(max(var, 0.0))


GAIN_FUNCS = frozenset(catalog.XAVIER | {"orthogonal_"})


def literal_gain(site: InitSite) -> float | None:
    """A gain written as a plain number (``gain=0.02``), not named through ``calculate_gain``."""
    if site.func not in GAIN_FUNCS or site.gain_named or "gain" not in site.args:
        return None
    gain = site.args["gain"]
    return float(gain) if is_number(gain) else None  # type: ignore[arg-type]


def gain_wanted(act: Activation | None) -> float:
    """The gain the activation after a layer calls for, on the scale ``wanted_std`` uses: the rectifier's
    ``calculate_gain``, else 1 (Glorot, LeCun)."""
    return act.gain if act is not None and act.family == "rectifier" else 1.0


@dataclass(frozen=True)
class GainScale:
    """How far below what the activation wants a literal gain puts a layer's std: exactly, when the layer's
    shape is known (``given``/``wanted``), else at most ``bound`` times, for any size."""

    gain: float
    given: float | None
    wanted: float | None
    bound: float | None


def gain_too_small(site: InitSite, layer: Layer, act: Activation | None, factor: float) -> GainScale | None:
    """A literal gain more than ``factor`` below the activation's (``gain=0.02``, a std meant for ``normal_``):
    a scale mistake (IL202), whatever the family. With the shape known the std itself must be that far off;
    without it, only when the claim holds for every size: Xavier's std over He's is
    gain*sqrt(2)/act_gain*sqrt(fan_in/(fan_in+fan_out)) < gain*sqrt(2)/act_gain, and an orthogonal weight's is
    gain/act_gain*sqrt(fan_in/max(rows, fan_in)) <= gain/act_gain; before no activation Xavier's is the gain."""
    gain = literal_gain(site)
    if gain is None or gain <= 0 or gain >= gain_wanted(act) / factor:
        return None
    param = "" if layer.kind == "Parameter" else "weight"
    both = main_fans(layer)
    shape = layer.params.get(param)
    if both is not None and shape:
        given = init_std(site, both[0], rows=shape[0])
        wanted = wanted_std(act, both[1])
        if given is None or given * factor >= wanted:
            return None
        return GainScale(gain, given, wanted, None)
    if act is not None and act.family == "rectifier":
        bound = gain * (math.sqrt(2.0) if site.func in catalog.XAVIER else 1.0) / act.gain
    elif act is None and site.func in catalog.XAVIER:
        bound = gain
    else:
        return None
    return GainScale(gain, None, None, bound) if bound * factor < 1 else None


def fmt(value: float) -> str:
    return catalog.fmt(value)



# Activations that end a network or gate a value rather than feed the next layer: a small init before them
# is a choice (start the gate half open, the policy near uniform), not a scale error.
GATE_ACTIVATIONS = frozenset({"sigmoid", "softmax", "hardsigmoid", catalog.GATED_UNIT})


def squashed_output(layer: Layer) -> bool:
    """The layer's activation is the last thing before the model's output (``return torch.tanh(self.mu(x))``,
    a policy's mean head): an output layer, whose scale is the designer's choice, not what keeps a signal
    alive through later layers."""
    return bool(layer.after_act) and all(kind == OUTPUT for kind in layer.after_act)


def finding_at_layer(code: str, layer: Layer, message: str, filename: str,
                     fix: Fix | None = None) -> Finding:
    """A finding reported where the layer is built (rules about an init that is missing)."""
    if layer.locator is not None and layer.node is not None:
        span = layer.locator.span(layer.node)
        return Finding(code, message, span.file or filename, span.line, span.column, span.end_line,
                       span.end_column, fingerprint=layer_fingerprint(layer), **fix_fields(elsewhere(span, fix)))
    line = layer.where() or 1
    return Finding(code, message, filename, line, 1, line, 1, fingerprint=layer_fingerprint(layer),
                   **fix_fields(fix))


def layer_diagnostic(code: str, layer: Layer, filename: str, title: str, *, notes: tuple[Note, ...] = (),
                     help: str | None = None, numbers: dict[str, Number] | None = None,
                     fix: Fix | None = None) -> Finding:
    """A structured finding reported where the layer is built (rules about an init that is missing)."""
    base = finding_at_layer(code, layer, joined_message(title, notes, help), filename, fix)
    return replace(base, title=title, notes=notes, help=help, numbers=dict(numbers or {}))


def wanted_std(act: Activation | None, fans: tuple[int, int]) -> float:
    """The std the activation after the layer calls for: He for rectifiers, LeCun for SELU, Glorot for
    saturating activations and for none (a layer straight into another layer)."""
    if act is not None and act.family == "rectifier":
        return act.gain / math.sqrt(fans[0])
    if act is not None and act.family == "selu":
        return 1 / math.sqrt(fans[0])
    return math.sqrt(2.0 / (fans[0] + fans[1]))


def layer_gain(std: float, fan_in: int, act: Activation | None) -> float:
    """How much one layer (and the rectifier after it) scales the part of the signal that depends on the
    input: ``std * sqrt(fan_in)`` for a linear map, divided by the rectifier's gain (ReLU keeps half the
    second moment: ``std * sqrt(fan_in / 2)``)."""
    gain = act.gain if act is not None and act.family == "rectifier" else 1.0
    return std * math.sqrt(fan_in) / gain


def recommended_call(prefix: str, target: str, act: Activation | None, distribution: str = "normal",
                     layer: Layer | None = None) -> str:
    """The torch.nn.init call the activation after a layer calls for (with ``mode="fan_out"`` for a weight
    applied as ``h @ W``, whose fan_in torch's fans read as fan_out)."""
    mode = kaiming_mode(layer)
    if act is not None and act.family == "rectifier":
        return f"{prefix}.kaiming_{distribution}_({target}, {mode}{act.kaiming_args()})"
    if act is not None and act.family == "selu":
        return f'{prefix}.kaiming_normal_({target}, {mode}nonlinearity="linear")'
    gain = f', gain={prefix}.calculate_gain("tanh")' if act is not None and act.name == "tanh" else ""
    return f"{prefix}.xavier_{distribution}_({target}{gain})"


def kaiming_mode(layer: Layer | None) -> str:
    """``mode="fan_out", `` for a weight applied as ``h @ W`` (stored (in, out)): torch's fan_out, size(0),
    is then the weight's real fan_in."""
    return 'mode="fan_out", ' if layer is not None and transposed(layer) else ""


def transposed(layer: Layer) -> bool:
    """A bare weight applied as ``h @ W``: torch's _calculate_fan_in_and_fan_out reads it transposed."""
    return layer.kind == "Parameter" and layer.functional == RMATMUL


def main_fans(layer: Layer) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The main weight's fans as torch computes them (what an init call uses) and as the layer's map has
    them (what the activation calls for); they differ for a weight applied as ``h @ W``."""
    param = "" if layer.kind == "Parameter" else "weight"
    computed, real = layer.fans(param), layer.signal_fans(param)
    return (computed, real) if computed is not None and real is not None else None


def transposed_note(layer: Layer) -> str:
    """What a message says of a weight applied as ``h @ W``."""
    if not transposed(layer):
        return ""
    shape = layer.params.get("")
    size = "x".join(str(d) if d is not None else "?" for d in shape) if shape else "?"
    return (f" (`{layer.path}` is {size}, applied as `h @ {layer.path}`: its fan_in is size(0), where torch's "
            f"_calculate_fan_in_and_fan_out reads size(1))")


def orthogonal_call(prefix: str, target: str, act: Activation) -> str:
    """``orthogonal_`` with the gain ``calculate_gain`` gives the activation."""
    if act.name in ("leaky_relu", "prelu", "rrelu"):
        gain = f'{prefix}.calculate_gain("leaky_relu", {fmt(act.slope or catalog.DEFAULT_LEAKY_SLOPE)})'
    elif act.family == "rectifier":
        gain = f'{prefix}.calculate_gain("relu")'
    elif act.name == "tanh":
        gain = f'{prefix}.calculate_gain("tanh")'
    else:
        return f"{prefix}.orthogonal_({target})"
    return f"{prefix}.orthogonal_({target}, gain={gain})"


def exponent(value: float) -> str:
    """``1e-16``-style magnitude for a compounded gain."""
    if value == 0 or not math.isfinite(value):
        return fmt(value)
    if 1e-3 <= value <= 1e3:
        return fmt(value)
    return f"{value:.0e}".replace("e-0", "e-").replace("e+0", "e+").replace("e+", "e")


def option_arms(picture: Picture, site: InitSite,
                effective: dict[ParamRef, list[InitSite]]) -> list[tuple[Condition, ...]]:
    """The options' arms that decide what a layer of this site meets when the call itself runs under none of
    them (``self.act = nn.Tanh() if args.use_tanh else nn.ReLU()`` with one init for both): each arm is a run
    in which the activation is known, so the site is judged once per arm and the finding names the option. Only
    arms that exclude one another: a use no option decides leaves the layer unknown in every arm."""
    arms: list[tuple[Condition, ...]] = []
    for layer in weights_set_last(picture, site, effective):
        if layer.follow_under(site.path).kind != UNKNOWN:
            continue
        kept = [f for f in layer.follows
                if not any(mine.contradicts(theirs) for mine in site.path for theirs in f.when)]
        whens = list(dict.fromkeys(f.when for f in kept))
        if len(whens) < 2 or not all(whens) or not all(
                any(a.contradicts(b) for a in one for b in other)
                for i, one in enumerate(whens) for other in whens[i + 1:]):
            continue
        arms.extend(when for when in whens if when not in arms)
    return arms


def in_arm(site: InitSite, arm: tuple[Condition, ...]) -> InitSite:
    """The site as judged in one of option_arms' arms: its path names the option, so the finding does."""
    return replace(site, path=site.path + arm) if arm else site


def follow_in_arm(layer: Layer, site: InitSite, arm: tuple[Condition, ...]) -> Follow | None:
    """What the layer's output meets in the runs of ``arm`` (every run when empty); None for a layer whose
    activation every run knows, which the pass without an arm judges once."""
    if arm and layer.follow_under(site.path).kind != UNKNOWN:
        return None
    return layer.follow_under(site.path + arm)


PER_OPTION_NO_FIX = ("the call runs whatever the option is and only this option's activation wants another init: "
                     "which call to write (or whether to choose it by the option) is the author's call")


def told_per_option(found: Finding) -> Finding:
    """A finding judged in one arm of an option (option_arms) keeps no rewrite: the call serves every arm. Its
    fingerprint names the arm, so a baseline or SARIF tells the arms of one call apart."""
    arm = found.numbers.get("scenario") if found.numbers else None
    fingerprint = f"{found.fingerprint} [{arm}]" if found.fingerprint is not None and arm else found.fingerprint
    return replace(found, fingerprint=fingerprint, **fix_fields(PER_OPTION_NO_FIX))
