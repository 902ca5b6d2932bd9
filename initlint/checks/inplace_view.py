"""IL410: an in-place op on a parameter, or on a view of one, outside ``torch.no_grad()`` raises RuntimeError:
autograd refuses to modify a leaf that requires grad. ``nn.init.*`` (which runs under no_grad itself),
``.data`` and ``with torch.no_grad():`` are fine."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from initlint.checks.calls import diagnostic_at, text
from initlint.checks.reach import layers_named, runs_with_grad
from initlint.config import Settings
from initlint.findings import Finding, Note, short_title
from initlint.fix import Fix, make_fix, replace
from initlint.picture import facts
from initlint.picture.facts import CallFact
from initlint.picture.model import Picture

INPLACE = frozenset({"normal_", "uniform_", "zero_", "fill_", "copy_", "mul_", "add_", "sub_", "div_", "clamp_",
                     "fill_diagonal_", "exponential_", "bernoulli_", "random_", "masked_fill_", "index_fill_",
                     "scatter_", "orthogonal_"})
# Methods that return a view of their tensor (``chunk``/``split``/``unbind`` several).
VIEWS = frozenset({"chunk", "split", "unbind", "narrow", "view", "view_as", "t", "transpose", "select", "diagonal",
                   "reshape", "flatten", "squeeze", "unsqueeze", "expand", "permute", "tensor_split"})
MULTI = frozenset({"chunk", "split", "unbind", "tensor_split"})
SPLIT_MESSAGE = ("... is a view and is being modified inplace. This view is the output of a function that returns "
                 "multiple views. Such functions do not allow the output views to be modified inplace.")
VIEW_MESSAGE = "a view of a leaf Variable that requires grad is being used in an in-place operation."
LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    found = facts.of(picture)
    frozen = "requires_grad" in picture.source  # a parameter may be frozen: in place is then allowed
    recorded = {id(site.node): site for site in picture.inits if site.via == "tensor"}
    for call in found.calls:
        func = call.node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in INPLACE or call.where.grad_off:
            continue
        chain = _chain(func.value)
        if chain is None:
            continue
        base, views = chain
        site = recorded.get(id(call.node))
        label = None if frozen else _parameter(picture, found, call, base, site)
        if label is None or not runs_with_grad(found, call.where.function):
            continue
        if any(v in MULTI for v in views):
            message = f'"RuntimeError: {SPLIT_MESSAGE}"'
        elif views:
            message = f'"RuntimeError: {VIEW_MESSAGE}"'
        else:
            message = f'"RuntimeError: {LEAF_MESSAGE}"'
        what = "a view of the parameter" if views else "the parameter"
        yield diagnostic_at(
            "IL410", picture, call.node, filename,
            short_title(f"`.{func.attr.value}()` on {what} {label.split(' (', 1)[0]} outside `torch.no_grad()`: "
                        "RuntimeError"),
            notes=(Note(f"on {label}: autograd refuses to change a leaf tensor that requires grad in place, so torch "
                        f"raises {message} when the model is built"),),
            help=f"use `{text(picture, base)}.data` or a `with torch.no_grad():` block",
            numbers={"method": func.attr.value}, fix=_fix(picture, base))


def _chain(node: cst.BaseExpression) -> tuple[cst.BaseExpression, list[str]] | None:
    """The tensor an in-place call works on, with the view methods and subscripts between: ``p[h:2*h]`` ->
    (``p``, ["[]"]); None when ``.data``/``.detach()`` is on the way (no autograd then)."""
    views: list[str] = []
    while True:
        if isinstance(node, cst.Subscript):
            views.append("[]")
            node = node.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in VIEWS:
            views.append(node.func.attr.value)
            node = node.func.value
        elif isinstance(node, cst.Attribute) and node.attr.value in ("data", "detach"):
            return None
        elif isinstance(node, cst.Call):
            return None  # ``x.detach()``, ``torch.empty(3)``: not the parameter itself
        else:
            return node, views


def _parameter(picture: Picture, found: facts.Facts, call: CallFact, base: cst.BaseExpression,
               site: object) -> str | None:
    """How the finding names the parameter, when ``base`` is one: a recorded init site's target (the
    interpreter resolved it), or ``self.<layer>.<param>`` of a layer the enclosing class stores."""
    targets = getattr(site, "targets", None)
    if targets:
        ref = targets[0]
        layer = picture.layer(ref.layer)
        name = f"{layer.path}.{ref.param}" if ref.param else layer.path
        more = f" (and {len(targets) - 1} more)" if len(targets) > 1 else ""
        return f"`{name}` ({layer.signature}, {layer.place()}){more}"
    if isinstance(base, cst.Attribute):
        for layer in layers_named(picture, found, call.node, text(picture, base.value)):
            if base.attr.value in layer.params:
                return f"`{layer.path}.{base.attr.value}` ({layer.signature}, {layer.place()})"
    return None


def _fix(picture: Picture, base: cst.BaseExpression) -> Fix:
    return make_fix("safe", f"Work on `{text(picture, base)}.data`", [replace(picture, base, f"{text(picture, base)}.data")])
