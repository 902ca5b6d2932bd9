"""Helpers the rule modules share: building findings, naming layers, std formulas."""

from __future__ import annotations

import math
from typing import Any

from initlint.findings import Finding
from initlint.picture import catalog
from initlint.picture.model import InitSite, Layer
from initlint.picture.values import is_number


def finding(code: str, site: InitSite, message: str, filename: str, fix: dict[str, Any] | None = None) -> Finding:
    span = site.location
    return Finding(code, message, filename, span.line, span.column, span.end_line, span.end_column, fix=fix)


def layer_label(layer: Layer) -> str:
    return f"`{layer.path}` ({layer.signature}, line {layer.where()})"


def labels(layers: list[Layer], limit: int = 4) -> str:
    shown = [layer_label(layer) for layer in layers[:limit]]
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
    if site.func in ("normal_", "trunc_normal_"):
        std = site.args.get("std", 1.0)
        return float(std) if is_number(std) else None
    if site.func == "uniform_":
        a, b = site.args.get("a", 0.0), site.args.get("b", 1.0)
        if is_number(a) and is_number(b):
            return abs(b - a) / math.sqrt(12)
    return None


def fmt(value: float) -> str:
    return catalog.fmt(value)

