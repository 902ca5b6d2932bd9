"""IL201: a hidden layer's weights set to one constant; nothing tells its units apart."""

from __future__ import annotations

from collections.abc import Iterator

from initlint.checks.common import (
    built_here,
    fmt,
    init_alias,
    labels,
    named_layers,
    recommended_call,
    site_diagnostic,
    weights_set_last,
)
from initlint.config import Settings
from initlint.findings import Finding, Note, Number
from initlint.fix import call_fix
from initlint.picture import catalog
from initlint.picture.model import ACT, InitSite, Layer, ParamRef, Picture

CONSTANT_FUNCS = frozenset({"zeros_", "ones_", "constant_"})


def constant_value(site: InitSite) -> float | None:
    if site.func == "zeros_":
        return 0.0
    if site.func == "ones_":
        return 1.0
    value = site.args.get("val")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    effective = picture.effective()
    for site in picture.inits:
        if site.in_slice or site.func not in CONSTANT_FUNCS:
            continue
        value = constant_value(site)
        if value is None:
            continue
        hits: list[Layer] = []
        for layer in weights_set_last(picture, site, effective):
            if not picture.hidden(layer.uid):
                continue  # output layers, residual-final layers, gates, modulation: zero on purpose
            if _scores_for_a_fixed_upsampler(picture, layer, effective):
                continue  # FCN's score_fr: per-class scores, upsampled by a fixed bilinear kernel
            if any(r.layer == layer.uid and r.param == "bias" for r in site.targets):
                continue  # weight and bias zeroed together: the zero_module idiom (a branch that starts off)
            hits.append(layer)
        if hits:
            yield _finding(picture, site, hits, value, filename)


# Inits that give a weight a fixed kernel we cannot see but that is not random: a bilinear upsampling filter
# copied in (FCN's get_upsampling_weight).
FIXED_KERNEL_FUNCS = frozenset({"copy_"})


def _scores_for_a_fixed_upsampler(picture: Picture, layer: Layer,
                                  effective: dict[ParamRef, list[InitSite]]) -> bool:
    """The layer's output goes only into transposed convs whose weights are copied in (a bilinear kernel):
    it is the model's per-class score map, an output layer, and the loss's per-class gradient tells its
    units apart, so starting it at 0 is FCN's deliberate choice."""
    if not layer.feeds:
        return False
    for uid in layer.feeds:
        upsampler = picture.layer(uid)
        if upsampler.kind not in catalog.CONV_TRANSPOSE:
            return False
        sites = effective.get(ParamRef(uid, "weight"), [])
        if not sites or any(site.func not in FIXED_KERNEL_FUNCS for site in sites):
            return False
    return True


def _above(picture: Picture, site: InitSite, hits: list[Layer]) -> tuple[Note, ...]:
    """When the same call makes the layer above constant too, nothing tells the units apart at all."""
    reached = {ref.layer for ref in site.targets if ref.param in ("weight", "")}
    if any(hit.feeds and hit.feeds <= reached for hit in hits):
        return (Note("here the same call makes the layer above constant too, so nothing tells them apart: they stay "
                     "copies, and the weight matrix keeps rank 1 however long it trains"),)
    return ()


def _finding(picture: Picture, site: InitSite, hits: list[Layer], value: float, filename: str) -> Finding:
    layer = hits[0]
    follow = layer.follow()
    act = follow.activation if follow.kind == ACT else None
    shape = layer.params.get("" if layer.kind == "Parameter" else "weight")
    units = f"{shape[0]} " if shape and shape[0] else ""
    feeds = f"{act.display} and then another layer" if act is not None else "another layer directly"
    call_text = f"`{site.func}`" if site.via == "nn.init" else ("`.zero_()`" if site.func == "zeros_" else "`.fill_()`")
    what = "0" if value == 0 else fmt(value)
    notes = [Note(f"sets every weight of {labels(hits)}, whose output feeds {feeds}: all {units}units start as the "
                  "same function of the input" + (" (with 0, one that ignores the input)" if value == 0 else "")),
             Note("only the random weights of the layer above tell their gradients apart, so they start redundant"),
             *_above(picture, site, hits)]
    if value == 0 and act is not None and act.family == "rectifier":
        notes.append(Note(f"with {act.display} every pre-activation is just the bias: units whose bias is not "
                          f"positive output 0 and get no gradient at all"))
    use = recommended_call(init_alias(picture), site.target_text, act)
    calls: dict[str, set[int]] = {}
    for hit in hits:
        hit_follow = hit.follow()
        hit_act = hit_follow.activation if hit_follow.kind == ACT else None
        calls.setdefault(recommended_call("{init}", site.target_text, hit_act), set()).add(hit.uid)
    fix = call_fix(picture, site, calls, "Replace with the init the activation calls for")
    numbers: dict[str, Number] = {"func": site.func, "value": value, "layer": layer.path, "layers": len(hits),
                                  "activation": act.name if act is not None else None}
    if shape and shape[0]:
        numbers["units"] = shape[0]
    return site_diagnostic("IL201", site, filename, f"{call_text} sets every weight of hidden "
                           f"{named_layers(hits)} to {what}", spans=built_here(site, hits), notes=tuple(notes),
                           help=f"use `{use}`", numbers=numbers, fix=fix)
