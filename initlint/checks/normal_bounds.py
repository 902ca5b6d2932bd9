"""IL409: ``normal_(w, -b, b)`` reads bounds as (mean, std): every value is shifted by -b, where
``uniform_(w, -b, b)`` was meant."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from initlint.checks.calls import (
    InitCall,
    call_name,
    calls_of,
    diagnostic_at,
    negation_of,
    text,
)
from initlint.config import Settings
from initlint.findings import Finding, Note
from initlint.fix import Fix, make_fix, replace
from initlint.picture.catalog import fmt
from initlint.picture.model import Picture
from initlint.picture.syntax import positional
from initlint.picture.values import is_number


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    for call, evaluate in calls_of(picture, "normal_"):
        if "mean" not in call.args or "std" not in call.args:
            continue
        mean_node, std_node = call.args["mean"], call.args["std"]
        mean, std = evaluate(mean_node), evaluate(std_node)
        if is_number(mean) and is_number(std):
            if std <= 0 or mean != -std:
                continue
            shown_mean, shown_std = fmt(mean), fmt(std)
        elif negation_of(picture, mean_node, std_node):
            shown_mean, shown_std = text(picture, mean_node), text(picture, std_node)
        else:
            continue
        yield diagnostic_at(
            "IL409", picture, call.node, filename,
            f"`{call_name(call)}` with mean={shown_mean}, std={shown_std}: normal_ takes (mean, std), not bounds",
            notes=(Note(f"every weight is drawn around {shown_mean} (the same offset on every unit) with std "
                        f"{shown_std}"),),
            help=f"use `uniform_({shown_mean}, {shown_std})` for the symmetric range that looks meant",
            numbers={"func": call.func, "mean": shown_mean, "std": shown_std}, fix=_fix(picture, call))


def _fix(picture: Picture, call: InitCall) -> Fix:
    """``normal_`` renamed ``uniform_`` when both numbers are positional (uniform_'s own (a, b) order)."""
    offset = 1 if call.via == "nn.init" else 0
    if len(positional(call.node)) < offset + 2:
        return "the numbers are passed by keyword (mean=, std=); rename the function and the keywords by hand"
    func = call.node.func
    if not isinstance(func, cst.Attribute):
        return "`normal_` was imported by name: import `uniform_` too and call it instead"
    return make_fix("unsafe", "Use `uniform_` with the same two numbers as its range",
                    [replace(picture, func.attr, "uniform_")])
