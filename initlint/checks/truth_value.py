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
from initlint.picture.torchspec.layers import layer_params

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
            reached = _reached(picture, found, fact.node, spelled)
            if not reached and fact.where.functions and not sites_in(picture, found, fact.where.functions[-1]):
                kind = _routine_kind(found, fact, spelled, param)
                if kind is not None:
                    yield _in_routine(picture, filename, node, where, spelled, param, kind, negated)
                continue
            layers = [layer for layer in reached if (count := _numel(layer, param)) is not None and count > 1]
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


def _in_routine(picture: Picture, filename: str, node: cst.Attribute, where: cst.BaseExpression, spelled: str,
                param: str, kind: str, negated: bool) -> Finding:
    """The test in a routine written for any network: judged on the layer kind, for every size it can have."""
    replaced = f"{spelled} is None" if negated else f"{spelled} is not None"
    size = "output channel" if "Conv" in kind else "output feature" if kind in {"Linear", "Bilinear"} else "element"
    return diagnostic_at(
        "IL408", picture, node, filename,
        f"`{'not ' if negated else ''}{spelled}` tests the truth value of a tensor: RuntimeError on any "
        f"nn.{kind} with more than one {size}",
        notes=(Note(f"`{spelled.rpartition('.')[0]}` is an nn.{kind} here (the `isinstance` test above) and the "
                    "routine is written for any network; with more than one element torch raises \"RuntimeError: "
                    "Boolean value of Tensor with more than one value is ambiguous\", with exactly one the test asks "
                    f"whether its value is non-zero: neither asks whether the layer has a `{param}`"),),
        help=f"use `{replaced}`, a presence test",
        numbers={"kind": kind, "param": param},
        fix=make_fix("safe", f"Use `{replaced}`", [replace(picture, where, replaced)]))


def _routine_kind(found: facts.Facts, fact: facts.IfFact, spelled: str, param: str) -> str | None:
    """The torch layer kind an ``isinstance`` test above gives ``m`` in ``if m.bias:``, when ``m`` is a module
    of a network the routine is handed (its parameter, or a loop over its ``modules()``/``children()``) and no
    checked model ran it: the routine is for whatever network it is given, so no model's sizes decide for it."""
    root, _, attr = spelled.rpartition(".")
    if attr != param or not root.isidentifier() or not fact.where.functions:
        return None
    function = fact.where.functions[-1]
    params = {p.name.value for p in function.params.params}
    if root not in params and not any(_over_modules_of(loop, root, params) for loop in fact.where.loops):
        return None
    for branch, in_body in fact.where.branches:
        test = branch.test
        if not in_body or not isinstance(test, cst.Call) or not isinstance(test.func, cst.Name) \
                or test.func.value != "isinstance" or len(test.args) != 2 \
                or not isinstance(test.args[0].value, cst.Name) or test.args[0].value.value != root:
            continue
        classes = test.args[1].value
        options = [e.value for e in classes.elements] if isinstance(classes, cst.Tuple) else [classes]
        kinds = [_torch_kind(found, option) for option in options]
        if kinds and all(k is not None and param in layer_params(k, {}, False) for k in kinds):
            return kinds[0]
    return None


def _over_modules_of(loop: cst.For, root: str, params: set[str]) -> bool:
    call = loop.iter
    return isinstance(loop.target, cst.Name) and loop.target.value == root and isinstance(call, cst.Call) \
        and isinstance(call.func, cst.Attribute) and call.func.attr.value in {"modules", "children"} \
        and isinstance(call.func.value, cst.Name) and call.func.value.value in params


def _torch_kind(found: facts.Facts, node: cst.BaseExpression) -> str | None:
    resolved = found.imports.resolve(node)
    if resolved is None or not resolved.startswith("torch.nn."):
        return None
    kind = resolved.rpartition(".")[2]
    return kind if kind[:1].isupper() else None


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
