"""IL403: ``calculate_gain`` and kaiming's ``nonlinearity=`` accept twelve names; any other raises ValueError."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from initlint.checks.calls import InitCall, diagnostic_at, init_calls, literal_string, text
from initlint.config import Settings
from initlint.findings import Finding, Note
from initlint.fix import Fix, make_fix, replace
from initlint.picture import catalog, facts
from initlint.picture.catalog import PRELU_INIT_SLOPE, RRELU_MEAN_SLOPE
from initlint.picture.model import Picture

# The gain g that keeps a unit-variance input at unit second moment through the activation:
# g = 1 / sqrt(E[f(z)^2]) for z ~ N(0, 1), integrated numerically with torch (tests/test_cannot_work_torch.py).
# For ReLU it gives torch's sqrt(2).
VARIANCE_PRESERVING_GAIN: dict[str, float] = {
    "gelu": 1.534,
    "silu": 1.677,
    "swish": 1.677,
    "elu": 1.245,
    "celu": 1.245,
    "mish": 1.487,
    "hardswish": 1.737,
    "softplus": 1.042,
    "softsign": 2.338,
    "hardtanh": 1.392,
    "hardsigmoid": 1.898,
}
# Smooth rectifiers: for kaiming (which takes no gain), He's ReLU gain is the usual stand-in.
SMOOTH_RECTIFIERS = frozenset({"gelu", "silu", "swish", "mish", "hardswish"})
# Leaky rectifiers and their slope (PReLU's initial slope, RReLU's mean slope at evaluation).
LEAKY_SLOPES = {"prelu": PRELU_INIT_SLOPE, "rrelu": RRELU_MEAN_SLOPE}
_SPELLINGS = {re.sub(r"[^a-z0-9]", "", name): name for name in catalog.NONLINEARITY_GAIN_NAMES}


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    if "kaiming" not in picture.source and "calculate_gain" not in picture.source:
        return
    for call in init_calls(facts.of(picture)):
        if call.func != "calculate_gain" and call.func not in catalog.KAIMING:
            continue
        node = call.args.get("nonlinearity")
        name = literal_string(node)
        if node is None or name is None or name in catalog.NONLINEARITY_GAIN_NAMES:
            continue
        fix = _fix(picture, call, node, name)
        advice = fix["message"] if isinstance(fix, dict) else fix if "`" in fix else None
        yield diagnostic_at(
            "IL403", picture, call.node, filename, f'`{call.func}` with nonlinearity "{name}": ValueError when this runs',
            notes=(Note(f'torch raises "ValueError: Unsupported nonlinearity {name}"; it accepts linear, conv*, '
                        "conv_transpose*, sigmoid, tanh, relu, leaky_relu and selu"),),
            help=advice[:1].lower() + advice[1:] if advice else None,
            numbers={"func": call.func, "nonlinearity": name}, fix=fix)


def _fix(picture: Picture, call: InitCall, node: cst.BaseExpression, name: str) -> Fix:
    quote = text(picture, node)[0] if text(picture, node)[:1] in ("'", '"') else '"'

    def string(value: str) -> str:
        return f"{quote}{value}{quote}"

    key = re.sub(r"[^a-z0-9]", "", name.lower())
    if key in _SPELLINGS:  # "ReLU", "leaky relu": torch's own name, spelled its way
        proper = _SPELLINGS[key]
        return make_fix("unsafe", f'Spell it "{proper}"', [replace(picture, node, string(proper))])
    if key == "relu6":
        return make_fix("unsafe", 'Use "relu": ReLU6 is ReLU clipped at 6, with the same gain sqrt(2)',
                        [replace(picture, node, string("relu"))])
    if key in LEAKY_SLOPES:
        slope = round(LEAKY_SLOPES[key], 3)
        if call.func == "calculate_gain":
            new = f"{text(picture, call.node.func)}({string('leaky_relu')}, {slope})"
            return make_fix("unsafe", f'Use `calculate_gain("leaky_relu", {slope})` ({name}\'s slope)',
                            [replace(picture, call.node, new)])
        # ``a`` given: it is the slope already; else nonlinearity= is a keyword, so ``, a=`` may follow it
        new = string("leaky_relu") if "a" in call.args else f"{string('leaky_relu')}, a={slope}"
        edits = [replace(picture, node, new)]
        return make_fix("unsafe", f'Use nonlinearity="leaky_relu" with a={slope} ({name}\'s slope)', edits)
    gain = VARIANCE_PRESERVING_GAIN.get(key)
    if call.func == "calculate_gain":
        if gain is None:
            return f'no variance-preserving gain is known for "{name}"'
        return make_fix("unsafe", f"Use the explicit gain {gain}, which keeps a unit-variance input at unit "
                        f"second moment through {name}", [replace(picture, call.node, str(gain))])
    if key in SMOOTH_RECTIFIERS:
        return make_fix("unsafe", f'Use nonlinearity="relu": kaiming takes no gain, and He\'s sqrt(2) is the usual '
                        f"choice for {name} (its variance-preserving gain is {gain})",
                        [replace(picture, node, string("relu"))])
    if gain is not None:
        return (f"kaiming takes no gain argument; `xavier_*_(w, gain={gain})` or `normal_(w, std={gain} / "
                "sqrt(fan_in))` gives the variance-preserving scale")
    return f'no variance-preserving gain is known for "{name}"'
