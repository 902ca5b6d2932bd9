"""IL405 (off by default): torch's ``trunc_normal_`` bounds ``a``/``b`` are absolute (default -2, 2), not in
units of ``std``; with a small ``std`` and the default bounds nothing is truncated."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from initlint.checks.calls import calls_of, diagnostic_at, text
from initlint.config import Settings
from initlint.findings import Finding, Note
from initlint.fix import Fix, make_fix
from initlint.picture import catalog
from initlint.picture.model import Picture
from initlint.picture.values import is_number

# Default bounds at this many standard deviations or more cut off less than 6.4e-5 of the mass.
MIN_SIGMAS = 4.0


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    for call, evaluate in calls_of(picture, "trunc_normal_"):
        if call.via != "nn.init" or "a" in call.args or "b" in call.args:
            continue
        std_node = call.args.get("std")
        std = evaluate(std_node) if std_node is not None else 1.0
        mean = evaluate(call.args["mean"]) if "mean" in call.args else 0.0
        if not is_number(std) or not is_number(mean) or std <= 0:
            continue
        sigmas = (2.0 - abs(mean)) / std
        if sigmas < MIN_SIGMAS:
            continue
        assert std_node is not None
        std_text = text(picture, std_node)
        bound = catalog.fmt(2 * std) if std_text.replace(".", "", 1).isdigit() else f"2 * {std_text}"
        fix: Fix = "the call's last argument has a trailing comma; add `a=` and `b=` by hand"
        last = call.node.args[-1]
        if isinstance(last.comma, cst.MaybeSentinel) and picture.locator is not None:
            end = picture.locator.span(last)
            fix = make_fix("unsafe", f"Truncate at two standard deviations: a=-{bound}, b={bound}",
                           [(end.end_line, end.end_column, end.end_line, end.end_column, f", a=-{bound}, b={bound}")])
        yield diagnostic_at(
            "IL405", picture, call.node, filename,
            f"`trunc_normal_` with std={catalog.fmt(std)} and the default bounds a=-2, b=2 truncates nothing",
            notes=(Note(f"torch's bounds are absolute values, not multiples of std: they sit {catalog.fmt(sigmas)} "
                        "standard deviations out, so this is a plain normal_"),
                   Note("timm's `trunc_normal_tf_` takes bounds in units of std")),
            help=f"pass a=-{bound}, b={bound} to cut at two standard deviations",
            numbers={"std": float(std), "mean": float(mean), "sigmas": sigmas}, fix=fix)
