"""IL401: fan-based inits need a tensor of at least two dimensions; torch raises ValueError otherwise."""

from __future__ import annotations

from collections.abc import Iterator

from initlint.checks.common import finding
from initlint.config import Settings
from initlint.findings import Finding
from initlint.fix import Fix, branch_call, call_fix, init_module, make_fix
from initlint.picture import catalog
from initlint.picture.model import InitSite, ParamRef, Picture


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    for site in picture.inits:
        needed = catalog.MIN_DIMS.get(site.func)
        if needed is None or site.in_slice:
            continue
        short: list[str] = []
        short_layers: set[int] = set()
        for ref in site.targets:
            layer = picture.layer(ref.layer)
            shape = layer.params.get(ref.param)
            if shape is None or len(shape) >= needed:
                continue
            name = f"{layer.path}.{ref.param}" if ref.param else layer.path
            short.append(f"`{name}` ({len(shape)}-D, declared by {layer.signature} at line {layer.where()})")
            short_layers.add(ref.layer)
        if not short:
            continue
        fix: Fix = ("the call reaches 1-D and multi-dimensional tensors of the same layers, and no test at the "
                    "call tells them apart")
        if len(short) == len(site.targets) and site.func_prefix is None:
            fix = "the function was imported by name: import `zeros_` too and call it for the 1-D tensors"
        elif len(short) == len(site.targets) and site.func_prefix is not None:
            # Every tensor the call reaches is 1-D: zeros_ is what runs instead of the crash.
            span = site.location
            fix = make_fix("safe", "Replace with `zeros_`",
                           [(span.line, span.column, span.end_line, span.end_column,
                             f"{site.func_prefix}.zeros_({site.target_text})")])
        elif not any(ref.layer in short_layers and ref not in _short_refs(picture, site, needed)
                     for ref in site.targets):
            # The call also reaches tensors it suits: zeros_ for the 1-D ones only, split off by name or module.
            fix = call_fix(picture, site, {f"{{init}}.zeros_({site.target_text})": short_layers},
                           "Use `zeros_` for the 1-D tensors", applicability="safe", override=False)
            if isinstance(fix, str):
                fix = _rank_split(picture, site, needed) or fix
        shown = ", ".join(short[:4]) + (f" and {len(short) - 4} more" if len(short) > 4 else "")
        if site.func in ("xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"):
            why = ('torch computes fan_in/fan_out from dims 0 and 1 and raises "ValueError: Fan in and fan out '
                   'can not be computed for tensor with fewer than 2 dimensions"')
        else:
            why = f"torch's `{site.func}` accepts only tensors of {needed} or more dimensions and raises ValueError"
        yield finding(
            "IL401",
            site,
            f"`{site.func}` on {shown}: {why} when the model is built. A 1-D bias or scale has no fan; "
            f"use `nn.init.zeros_({site.target_text})` (or a constant) instead.",
            filename,
            fix,
        )


def _rank_split(picture: Picture, site: InitSite, needed: int) -> dict[str, object] | None:
    """``if p.dim() < 2: zeros_(p) else: <the call>`` for a parameter loop: the test torch itself applies."""
    target = site.target_text
    found = init_module(picture)
    if found is None or not target.isidentifier():
        return None
    prefix, imports = found
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
