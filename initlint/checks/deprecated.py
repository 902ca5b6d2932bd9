"""IL402: torch.nn.init's non-underscore aliases are deprecated wrappers that warn on every call."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from initlint.checks.common import init_alias, site_diagnostic
from initlint.config import Settings
from initlint.findings import Finding, Note
from initlint.fix import Fix, make_fix
from initlint.picture.model import Picture


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    for site in picture.deprecated:
        fix: Fix = "the alias was imported by name: rename it in the import and in every call together"
        call = site.node
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute):
            span = site.span_of(call.func.attr)
            fix = make_fix("safe", f"Rename to `{site.func}`",
                           [(span.line, span.column, span.end_line, span.end_column, site.func)])
        prefix = site.func_prefix or init_alias(picture)
        yield site_diagnostic(
            "IL402", site, filename, f"`{prefix}.{site.alias}` is a deprecated alias of `{prefix}.{site.func}`",
            notes=(Note("it emits a FutureWarning on every call and may be removed"),),
            help=f"use `{prefix}.{site.func}({site.target_text}, ...)` with the same arguments",
            numbers={"alias": site.alias, "func": site.func}, fix=fix)
