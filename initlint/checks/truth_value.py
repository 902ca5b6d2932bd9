"""IL408: ``if m.bias:`` on a parameter of more than one element raises RuntimeError: a tensor's truth value
is defined for one element only. ``is not None`` is what such a test means."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

import libcst as cst

from initlint.checks.calls import diagnostic_at, text
from initlint.checks.reach import layers_named, sites_in
from initlint.config import Settings
from initlint.findings import Finding, Note
from initlint.fix import make_fix, replace
from initlint.picture import facts
from initlint.picture.model import Layer, Picture

# ``if m.bias:``, ``if not self.fc.weight and ...``: a parameter-looking attribute used as a truth value
MAY_HAPPEN = re.compile(r"\b(?:if|elif|and|or)\s+(?:not\s+)?[\w.\[\]]+\.\w+\s*(?::|\band\b|\bor\b)")


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    if not MAY_HAPPEN.search(picture.source):
        return
    found = facts.of(picture)
    for fact in found.ifs:
        for where, node, negated in _truth_tested(fact.node.test):
            if not isinstance(node.value, (cst.Name, cst.Attribute)):
                continue
            param = node.attr.value
            spelled = text(picture, node)
            layers = [layer for layer in _reached(picture, found, fact.node, spelled)
                      if (count := _numel(layer, param)) is not None and count > 1]
            if not layers:
                continue
            layer = layers[0]
            shape = layer.params[param]
            replaced = f"{spelled} is None" if negated else f"{spelled} is not None"
            yield diagnostic_at(
                "IL408", picture, node, filename,
                f"`{'not ' if negated else ''}{spelled}` tests the truth value of a tensor: RuntimeError when this runs",
                notes=(Note(f"`{layer.path}.{param}` ({layer.signature}, {layer.place()}) has shape "
                            f"{tuple(shape or ())}; torch raises \"RuntimeError: Boolean value of Tensor with more "
                            "than one value is ambiguous\""),),
                help=f"use `{replaced}`, a presence test",
                numbers={"layer": layer.path, "param": param, "elements": _numel(layer, param)},
                fix=make_fix("safe", f"Use `{replaced}`", [replace(picture, where, replaced)]))


def _truth_tested(test: cst.BaseExpression) -> Iterator[tuple[cst.BaseExpression, cst.Attribute, bool]]:
    """The attributes whose truth value the test takes (the test itself, ``and``/``or`` operands, ``not``'s
    operand): the expression to rewrite, the attribute, and whether it is negated."""
    if isinstance(test, cst.BooleanOperation):
        yield from _truth_tested(test.left)
        yield from _truth_tested(test.right)
    elif isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not) \
            and isinstance(test.expression, cst.Attribute) and not test.lpar:
        yield test, test.expression, True
    elif isinstance(test, cst.Attribute) and not test.lpar:
        yield test, test, False


def _reached(picture: Picture, found: facts.Facts, statement: cst.If, spelled: str) -> list[Layer]:
    """The layers the tested attribute can belong to: those of the inits on it inside the ``if`` (the
    interpreter's narrowing), else a layer stored under that name by the enclosing class."""
    out: list[Layer] = []
    for site in sites_in(picture, found, statement.body):
        if site.target_text.split(".data")[0].split("[")[0] == spelled:
            out += [picture.layer(ref.layer) for ref in site.targets]
    if not out:
        owner, _, _ = spelled.rpartition(".")
        out = layers_named(picture, found, statement, owner)
    return out


def _numel(layer: Layer, param: str) -> int | None:
    shape = layer.params.get(param)
    if not shape or any(d is None for d in shape):
        return None
    return math.prod(int(d) for d in shape if d is not None)
