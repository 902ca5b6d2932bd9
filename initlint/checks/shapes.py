"""IL401: fan-based inits need a tensor of at least two dimensions; torch raises ValueError otherwise."""

from __future__ import annotations

from collections.abc import Iterator

from initlint.checks.common import built_here, init_alias, site_diagnostic
from initlint.config import Settings
from initlint.findings import Finding, Note, short_title
from initlint.fix import (
    Fix,
    branch_call,
    call_fix,
    call_statement,
    fix_builder,
    init_module,
    make_fix,
    statement_text,
)
from initlint.picture import catalog
from initlint.picture.model import InitSite, ParamRef, Picture


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    for site in picture.inits:
        needed = catalog.MIN_DIMS.get(site.func)
        if needed is None or site.in_slice:
            continue
        short: list[str] = []
        short_layers: dict[int, None] = {}
        dims: list[int] = []
        for ref in site.targets:
            layer = picture.layer(ref.layer)
            shape = layer.params.get(ref.param)
            if shape is None or len(shape) >= needed:
                continue
            name = f"{layer.path}.{ref.param}" if ref.param else layer.path
            short.append(f"`{name}` ({len(shape)}-D, declared by {layer.signature} at {layer.place()})")
            short_layers[ref.layer] = None
            dims.append(len(shape))
        if not short:
            continue
        short_refs = _short_refs(picture, site, needed)
        scales = {ref for ref in short_refs if _starts_at_one(picture, ref)}
        fix = _fix(picture, site, needed, short_refs, scales, set(short_layers))
        names = [entry.split(" ", 1)[0] for entry in short]
        shown = ", ".join(names[:2]) + (f" and {len(names) - 2} more" if len(names) > 2 else "")
        if site.func in ("xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"):
            why = ('torch computes fan_in/fan_out from dims 0 and 1 and raises "ValueError: Fan in and fan out '
                   'can not be computed for tensor with fewer than 2 dimensions"')
        else:
            why = f"torch's `{site.func}` accepts only tensors of {needed} or more dimensions and raises ValueError"
        init = init_alias(picture)
        help_text = f"use `{init}.zeros_({site.target_text})` (or a constant) instead"
        notes = [Note(why), Note("on " + ", ".join(short[:4]) + (f" and {len(short) - 4} more" if len(short) > 4
                                                                  else ""))]
        if scales:
            notes.append(Note("a norm's weight is a scale that starts at 1 (torch's default), a bias starts at 0; "
                              "zeroing a norm's weight would zero its output"))
            help_text = f"use `{init}.ones_(...)` for a norm's weight and `{init}.zeros_(...)` for a bias"
        layers = [picture.layer(uid) for uid in short_layers]
        yield site_diagnostic(
            "IL401", site, filename,
            short_title(f"`{site.func}` on {min(dims)}-D {shown}: ValueError when the model is built"),
            spans=built_here(site, layers), notes=tuple(notes), help=help_text,
            numbers={"func": site.func, "needed_dims": needed, "dims": min(dims), "tensors": len(short)}, fix=fix)


def _starts_at_one(picture: Picture, ref: ParamRef) -> bool:
    """A normalization layer's weight: a per-channel scale torch starts at 1."""
    return ref.param == "weight" and picture.layer(ref.layer).is_norm


@fix_builder
def _fix(picture: Picture, site: InitSite, needed: int, short_refs: set[ParamRef], scales: set[ParamRef],
         short_layers: set[int]) -> Fix:
    """What runs instead of the crash: ``zeros_`` for biases and ``ones_`` for norm weights (torch's own
    defaults for them), in place of the call or split off from the tensors it suits; in a parameter loop that
    reaches both kinds, the call is kept for the tensors of ``needed`` dimensions and the others keep the values
    torch gave them."""
    reached = set(site.targets)
    func = "ones_" if scales else "zeros_"
    if short_refs == reached and (not scales or scales == reached):
        if site.func_prefix is None:
            return f"the function was imported by name: import `{func}` too and call it for the 1-D tensors"
        span = site.location
        return make_fix("safe", f"Replace with `{func}`", [
            (span.line, span.column, span.end_line, span.end_column, f"{site.func_prefix}.{func}({site.target_text})")])
    fix: Fix = ("the call reaches 1-D and multi-dimensional tensors of the same layers, and no test at the call "
                "tells them apart")
    if not scales and not any(ref.layer in short_layers and ref not in short_refs for ref in site.targets):
        # The call also reaches tensors it suits: zeros_ for the 1-D ones only, split off by name or module.
        fix = call_fix(picture, site, {f"{{init}}.zeros_({site.target_text})": short_layers},
                       "Use `zeros_` for the 1-D tensors", applicability="safe", override=False)
    if isinstance(fix, str):
        fix = _rank_split(picture, site, needed, keep_defaults=bool(scales)) or fix
    return fix


def _rank_split(picture: Picture, site: InitSite, needed: int, keep_defaults: bool) -> Fix | None:
    """For a parameter loop, the test torch itself applies: ``if p.dim() < 2: zeros_(p) else: <the call>``;
    or, when the loop also reaches norm weights (which must not start at 0), the call only for ``p.dim() >= 2``
    so the 1-D tensors keep the values torch gave them (norm weights 1, biases as built)."""
    target = site.target_text
    found = init_module(picture)
    if found is None or not target.isidentifier():
        return None
    prefix, imports = found
    if keep_defaults:
        old = statement_text(picture, site.statement) if call_statement(site) else "\n"
        edit = branch_call(picture, site, [(f"{target}.dim() >= {needed}", [old])], keep_old=False) \
            if "\n" not in old else None
        if edit is None:
            return None
        return make_fix("safe", f"Apply `{site.func}` only to tensors of {needed} or more dimensions", [edit])
    edit = branch_call(picture, site, [(f"{target}.dim() < {needed}", [f"{prefix}.zeros_({target})"])])
    if edit is None:
        return None
    return make_fix("safe", f"Use `zeros_` for tensors with fewer than {needed} dimensions", [edit, *imports])


def _short_refs(picture: Picture, site: InitSite, needed: int) -> set[ParamRef]:
    out: set[ParamRef] = set()
    for ref in site.targets:
        shape = picture.layer(ref.layer).params.get(ref.param)
        if shape is not None and len(shape) < needed:
            out.add(ref)
    return out
