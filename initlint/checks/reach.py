"""What several rules about init code that cannot work ask of the picture and the facts together: the init
sites inside a piece of syntax, the layers a name stands for, whether a function runs while the model is
built with autograd on."""

from __future__ import annotations

import libcst as cst

from initlint.picture.facts import GRAD_OFF, Facts
from initlint.picture.model import InitSite, Layer, Picture

MAX_CALLERS_DEPTH = 6


def sites_in(picture: Picture, found: Facts, ancestor: cst.CSTNode) -> list[InitSite]:
    """The recorded init sites whose call lies inside ``ancestor``."""
    return [site for site in picture.inits if isinstance(site.node, cst.CSTNode) and found.within(site.node, ancestor)]


def enclosing_class(found: Facts, node: cst.CSTNode) -> cst.ClassDef | None:
    current = found.parent(node)
    while current is not None and not isinstance(current, cst.ClassDef):
        current = found.parent(current)
    return current


def layers_named(picture: Picture, found: Facts, context: cst.CSTNode, spelled: str) -> list[Layer]:
    """The layer stored as ``spelled`` (``self.fc``) by the class whose code holds ``context``."""
    cls = enclosing_class(found, context)
    if cls is None or not spelled.startswith("self."):
        return []
    return [layer for layer in picture.layers.values()
            if layer.owner == cls.name.value and layer.assigned_text == spelled]


def references(found: Facts, function: cst.FunctionDef) -> list[tuple[cst.Call, bool, cst.FunctionDef | None]]:
    """Where a function is called or handed to ``apply``: (call, under no_grad, the function holding it).
    Methods are matched as ``self.name``/``cls.name`` within their class, functions by their plain name."""
    name = function.name.value
    owner = next((f.cls for f in found.functions if f.node is function), None)
    out: list[tuple[cst.Call, bool, cst.FunctionDef | None]] = []
    for call in found.calls_naming(name):
        func = call.node.func
        named = _names(func, name, owner is not None)
        applied = isinstance(func, cst.Attribute) and func.attr.value == "apply" and len(call.node.args) == 1 \
            and _names(call.node.args[0].value, name, owner is not None)
        if not (named or applied):
            continue
        if owner is not None and call.where.cls is not owner:
            continue
        out.append((call.node, call.where.grad_off, call.where.function))
    return out


def _names(node: cst.BaseExpression, name: str, method: bool) -> bool:
    if method:
        return isinstance(node, cst.Attribute) and node.attr.value == name and isinstance(node.value, cst.Name) \
            and node.value.value in ("self", "cls")
    return isinstance(node, cst.Name) and node.value == name


def runs_with_grad(found: Facts, function: cst.FunctionDef | None, depth: int = 0) -> bool:
    """The code runs while a model is built with autograd on: module-level code, an ``__init__``, or a function
    called (or applied) from such code outside ``torch.no_grad()``. Unknown callers (a framework hook, another
    file) mean False."""
    if function is None:
        return True
    if any(f.node is function and f.where.grad_off for f in found.functions):
        return False
    if any(f.node is function and any(d.split("(")[0] in GRAD_OFF for d in f.decorators) for f in found.functions):
        return False
    if function.name.value == "__init__":
        return True
    if depth >= MAX_CALLERS_DEPTH:
        return False
    return any(not off and caller is not function and runs_with_grad(found, caller, depth + 1)
               for _, off, caller in references(found, function))
