"""IL406: ``uniform_(w, a, b)`` with a > b raises RuntimeError; torch wants the range [a, b) in order."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from initlint.checks.calls import call_name, calls_of, diagnostic_at, negation_of, text
from initlint.config import Settings
from initlint.findings import Finding, Note
from initlint.picture.catalog import fmt
from initlint.picture.model import Picture
from initlint.picture.values import is_number

NO_FIX = "which of the two was meant (the bounds swapped, or normal_ with this mean and std) is the author's call"


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    for call, evaluate in calls_of(picture, "uniform_"):
        if "a" not in call.args or "b" not in call.args:
            continue
        low_node, high_node = call.args["a"], call.args["b"]
        low, high = evaluate(low_node), evaluate(high_node)
        if is_number(low) and is_number(high):
            if low <= high:
                continue
            shown_low, shown_high = fmt(low), fmt(high)
            found_text = f"from={low} > to={high}"
            if high > 0 and abs(low) > high and low in (0, 1):
                meant = f"`normal_(mean={fmt(low)}, std={fmt(high)})` (it reads as a mean and a std)"
            else:
                meant = f"`uniform_({fmt(high)}, {fmt(low)})` (the bounds in order)"
        elif negation_of(picture, high_node, low_node) and not _may_be_negative(low_node):
            shown_low, shown_high = text(picture, low_node), text(picture, high_node)
            found_text = f"from={shown_low} > to={shown_high}"
            meant = f"`uniform_({shown_high}, {shown_low})` (the bounds in order)"
        else:
            continue
        yield diagnostic_at(
            "IL406", picture, call.node, filename,
            f"`{call_name(call)}` with a={shown_low} > b={shown_high}: RuntimeError when this runs",
            notes=(Note(f"torch raises \"RuntimeError: uniform_ expects to return a [from, to) range, but found "
                        f"{found_text}\""),),
            help=f"use {meant}", numbers={"func": call.func, "a": shown_low, "b": shown_high}, fix=NO_FIX)


def _may_be_negative(node: cst.BaseExpression) -> bool:
    """``uniform_(x, -x)`` is reversed only for x > 0: a bound named or computed as a scale (``stdv``,
    ``1 / math.sqrt(n)``, ``bound``) is taken as positive; a subtraction or a call we do not know is not."""
    if isinstance(node, cst.BinaryOperation):
        return isinstance(node.operator, (cst.Subtract, cst.Add))
    return isinstance(node, cst.Subscript)
