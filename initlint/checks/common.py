"""Helpers the rule modules share: building findings, naming layers, std formulas."""

from __future__ import annotations

import math
from collections.abc import Iterator

from initlint.findings import Finding
from initlint.fix import Fix, fix_fields
from initlint.picture import catalog
from initlint.picture.catalog import Activation
from initlint.picture.model import InitSite, Layer, ParamRef, Picture
from initlint.picture.values import is_number

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
    """A finding at an init call; ``fix`` is the fix, or (a string) the reason there is none."""
    span = site.location
    return Finding(code, message, filename, span.line, span.column, span.end_line, span.end_column,
                   **fix_fields(fix))


def layer_label(layer: Layer, qualified: bool = False) -> str:
    name = f"{layer.owner}.{layer.path}" if qualified else layer.path
    return f"`{name}` ({layer.signature}, line {layer.where()})"


def labels(layers: list[Layer], limit: int = 4) -> str:
    paths = [layer.path for layer in layers]
    shown = [layer_label(layer, qualified=paths.count(layer.path) > 1) for layer in layers[:limit]]
    if len(layers) > limit:
        shown.append(f"and {len(layers) - limit} more")
    return ", ".join(shown)


def site_gain(site: InitSite) -> float | None:
    """The gain an xavier/kaiming/orthogonal call uses, when it can be known."""
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


def init_std(site: InitSite, fans: tuple[int, int] | None) -> float | None:
    """The std a call gives a weight of these fans (uniform(-b, b) has std b/sqrt(3))."""
    if fans is None:
        return None
    gain = site_gain(site)
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


def fmt(value: float) -> str:
    return catalog.fmt(value)



# Activations that end a network or gate a value rather than feed the next layer: a small init before them
# is a choice (start the gate half open, the policy near uniform), not a scale error.
GATE_ACTIVATIONS = frozenset({"sigmoid", "softmax", "hardsigmoid"})


def finding_at_layer(code: str, layer: Layer, message: str, filename: str,
                     fix: Fix | None = None) -> Finding:
    """A finding reported where the layer is built (rules about an init that is missing)."""
    if layer.locator is not None and layer.node is not None:
        span = layer.locator.span(layer.node)
        return Finding(code, message, filename, span.line, span.column, span.end_line, span.end_column,
                       **fix_fields(fix))
    line = layer.where() or 1
    return Finding(code, message, filename, line, 1, line, 1, **fix_fields(fix))


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


def recommended_call(prefix: str, target: str, act: Activation | None, distribution: str = "normal") -> str:
    """The torch.nn.init call the activation after a layer calls for."""
    if act is not None and act.family == "rectifier":
        return f"{prefix}.kaiming_{distribution}_({target}, {act.kaiming_args()})"
    if act is not None and act.family == "selu":
        return f'{prefix}.kaiming_normal_({target}, nonlinearity="linear")'
    gain = f', gain={prefix}.calculate_gain("tanh")' if act is not None and act.name == "tanh" else ""
    return f"{prefix}.xavier_{distribution}_({target}{gain})"


def exponent(value: float) -> str:
    """``1e-16``-style magnitude for a compounded gain."""
    if value == 0 or not math.isfinite(value):
        return fmt(value)
    if 1e-3 <= value <= 1e3:
        return fmt(value)
    return f"{value:.0e}".replace("e-0", "e-").replace("e+0", "e+").replace("e+", "e")
