"""IL504: ``if "a" or "b" in name:`` in init code is always true (a non-empty string is truthy): every
parameter takes the branch and the other arms are dead."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import libcst as cst

from initlint.checks.calls import diagnostic_at, text
from initlint.config import Settings
from initlint.findings import Finding, Note, short_title
from initlint.fix import Fix, make_fix, replace
from initlint.picture import facts
from initlint.picture.facts import Facts
from initlint.picture.model import Picture

INIT_NAME = re.compile(r"init|reset", re.IGNORECASE)
INIT_METHODS = frozenset({"normal_", "uniform_", "zero_", "fill_", "copy_", "orthogonal_"})


# ``if "a" or ...`` / ``... or "b":``: a string right after ``if``/``elif`` or right before the colon
MAY_HAPPEN = re.compile(r"""\b(?:if|elif)\s+(?:'[^'\n]*'|"[^"\n]*"|\d+)\s+or\b|\bor\s+(?:'[^'\n]*'|"[^"\n]*"|\d+)\s*:""")


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    if not MAY_HAPPEN.search(picture.source):
        return
    found = facts.of(picture)
    for fact in found.ifs:
        function = fact.where.function
        if function is None or not _is_init_code(found, function):
            continue
        test = fact.node.test
        operands = _or_operands(test)
        constant = next((o for o in operands if _truthy_constant(o)), None)
        if len(operands) < 2 or constant is None:
            continue
        meant = _rewrite(picture, operands)
        yield diagnostic_at(
            "IL504", picture, test, filename, short_title(f"`{text(picture, test)}` is always true"),
            notes=(Note(f"`{text(picture, constant)}` is a non-empty constant, so `or` never looks at the rest: every "
                        "module or parameter takes this branch and the code after it in the `if`/`elif` chain never "
                        "runs"),),
            help=f"test each name: `{meant}`" if meant else "test each constant against what it was meant for",
            numbers={"constant": text(picture, constant)}, fix=_fix(picture, test, operands))


def _is_init_code(found: Facts, function: cst.FunctionDef) -> bool:
    """A function named like an init routine, or one that calls torch.nn.init or an in-place init method
    (``load_weights`` is not init code)."""
    if INIT_NAME.search(function.name.value):
        return True
    for call in found.calls_in(function):
        if call.qualified is not None and call.qualified.startswith("torch.nn.init."):
            return True
        if isinstance(call.node.func, cst.Attribute) and call.node.func.attr.value in INIT_METHODS:
            return True
    return False


def _or_operands(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or) and not node.lpar:
        return [*_or_operands(node.left), *_or_operands(node.right)]
    return [node]


def _truthy_constant(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString):
        return bool(node.evaluated_value)
    if isinstance(node, (cst.Integer, cst.Float)):
        return float(node.value.replace("_", "")) != 0
    return isinstance(node, cst.Name) and node.value == "True"


def _rewrite(picture: Picture, operands: list[cst.BaseExpression]) -> str | None:
    """``"a" or "b" in name`` -> ``"a" in name or "b" in name``; ``name == "a" or "b"`` ->
    ``name in ("a", "b")``. None for any other shape."""
    last, first = operands[-1], operands[0]
    strings = [o for o in operands if isinstance(o, cst.SimpleString)]
    if isinstance(last, cst.Comparison) and len(last.comparisons) == 1 \
            and isinstance(last.comparisons[0].operator, cst.In) and isinstance(last.left, cst.SimpleString) \
            and len(strings) == len(operands) - 1:
        subject = text(picture, last.comparisons[0].comparator)
        return " or ".join(f"{text(picture, o)} in {subject}" for o in operands[:-1]) + f" or {text(picture, last)}"
    if isinstance(first, cst.Comparison) and len(first.comparisons) == 1 \
            and isinstance(first.comparisons[0].operator, cst.Equal) \
            and isinstance(first.comparisons[0].comparator, cst.SimpleString) and len(strings) == len(operands) - 1:
        values = [first.comparisons[0].comparator, *operands[1:]]
        shown = ", ".join(json.dumps(v.evaluated_value) if isinstance(v, cst.SimpleString) else "" for v in values)
        return f"{text(picture, first.left)} in ({shown})"
    return None


def _fix(picture: Picture, test: cst.BaseExpression, operands: list[cst.BaseExpression]) -> Fix:
    meant = _rewrite(picture, operands)
    if meant is None:
        return "what each constant was meant to be tested against is not written in the condition"
    return make_fix("safe", f"Test each name: `{meant}`", [replace(picture, test, meant)])
