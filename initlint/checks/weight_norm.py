"""IL507: an init on the weight of a layer already wrapped by ``weight_norm``: torch recomputes the weight
from its magnitude and direction (``weight_g``/``weight_v``, or the parametrization's ``original0``/
``original1``), so the init never takes effect. An init before the wrapping is fine."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from initlint.checks.calls import diagnostic_at
from initlint.checks.construction import Marked, Touch, code, kind_of, run_by, stored_as, touches
from initlint.config import Settings
from initlint.findings import Finding, Note, short_title
from initlint.picture import facts
from initlint.picture.facts import CallFact, Facts
from initlint.picture.model import Picture
from initlint.picture.syntax import keyword, positional

HOOK = "torch.nn.utils.weight_norm"  # recomputes the weight in a forward pre-hook
PARAMETRIZATION = "torch.nn.utils.parametrizations.weight_norm"  # computes it on every read
NO_FIX = ("the init has to move before the `weight_norm` call (or go to `weight_v`, whose norm `weight_g` then "
          "does not follow): a reordering left to the author")


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    if "weight_norm" not in picture.source:
        return
    found = facts.of(picture)
    by_init: dict[int, list[Touch]] = {}  # one finding per init call, naming every wrapped layer it reaches
    for cls in found.classes.values():
        marks = wrapped(found, cls)
        if marks:
            for touch in touches(found, cls, marks):
                by_init.setdefault(id(touch.init.node), []).append(touch)
    for group in by_init.values():
        first = group[0]
        mark = first.marked
        line = picture.locator.place(mark.call.node) if picture.locator is not None else "line 0"
        how = ("recomputes it from `weight_g` and `weight_v` before every forward" if mark.call.qualified == HOOK
               else "computes it from `parametrizations.weight.original0`/`original1` each time it is read, "
               "so the init writes to a temporary")
        layers = sorted({_shown(t.marked) for t in group})
        applies = sorted({picture.locator.span(t.via.node).line for t in group
                          if t.via is not None and _is_apply(t.via.node)} if picture.locator is not None else set())
        through = f" (applied at line{'s' if len(applies) > 1 else ''} {', '.join(map(str, applies))})" \
            if applies else ""
        if applies and picture.locator is not None and picture.locator.spans_files:  # a picture over files
            places = sorted({picture.locator.place(t.via.node) for t in group
                             if t.via is not None and _is_apply(t.via.node)})
            through = f" (applied at {', '.join(places)})"
        names = ", ".join(f"`{n}`" for n in layers[:2]) + (f" and {len(layers) - 2} more" if len(layers) > 2 else "")
        yield diagnostic_at(
            "IL507", picture, first.init.node, filename,
            short_title(f"`{code(found, first.init.node.func)}` on the {mark.param} of {names} is undone by "
                        "`weight_norm`"),
            notes=(Note(f"it runs after `weight_norm` wrapped {', '.join(f'`{n}`' for n in layers[:4])}{through} "
                        f"({line}): torch {how}, so this init never takes effect and the layer keeps its default "
                        "init"),),
            help="initialize the layer before wrapping it", numbers={"param": mark.param, "layers": len(layers)},
            fix=NO_FIX)


def _is_apply(node: cst.Call) -> bool:
    return isinstance(node.func, cst.Attribute) and node.func.attr.value == "apply"


def wrapped(found: Facts, cls: cst.ClassDef, depth: int = 0) -> list[tuple[Marked, int]]:
    """Each layer ``__init__`` wraps, with where it is wrapped: ``self.c = weight_norm(nn.Conv1d(...))``,
    ``self.ups.append(weight_norm(...))``, ``weight_norm(self.c)``, ``c = weight_norm(c)``, a helper that
    returns ``weight_norm(nn.Conv1d(...))``; and, for ``self.apply``, the layers local classes built before it
    wrap."""
    out: list[tuple[Marked, int]] = []
    built: dict[str, str] = {}  # what a name holds, from ``self.c = nn.Conv1d(...)`` / ``c = nn.Conv1d(...)``
    for call, _, order in run_by(found, cls):
        kind = kind_of(call.node, found)
        stored = stored_as(found, call.node) or _local_name(found, call.node)
        if kind is not None and stored is not None:
            built.setdefault(stored, kind)
        wrap = _wrap(found, call)
        if wrap is not None:
            inner, param = wrap
            if isinstance(inner, cst.Call) and stored is not None:
                out.append((Marked(stored, kind_of(inner, found), call, param), order))
            elif isinstance(inner, (cst.Name, cst.Attribute)) and code(found, inner) in built:
                target = stored if stored is not None else code(found, inner)
                out.append((Marked(target, built[code(found, inner)], call, param), order))
        elif depth < 2 and call.qualified is not None and call.qualified.startswith("<local>."):
            part = found.classes.get(call.qualified[len("<local>."):])
            if part is not None and part is not cls:
                # layers a part wraps are wrapped before anything after this call: ``self.apply`` reaches them
                out += [(Marked("<part>", m.kind, m.call, m.param), order) for m, _ in wrapped(found, part, depth + 1)
                        if m.kind is not None]
    return out


def _wrap(found: Facts, call: CallFact) -> tuple[cst.BaseExpression, str] | None:
    """(the module wrapped, the parameter) for ``weight_norm(m, name=...)``, or for a call of a module-level
    helper whose ``return`` is such a call (``def WNConv1d(*a, **k): return weight_norm(nn.Conv1d(*a, **k))``)."""
    node = call.node
    if call.qualified not in (HOOK, PARAMETRIZATION):
        helper = _helper(found, call.qualified)
        if helper is None:
            return None
        return helper
    args = positional(node)
    name = keyword(node, "name")
    param: object = name.evaluated_value if isinstance(name, cst.SimpleString) else "weight" if name is None else None
    if not args or not isinstance(param, str):
        return None
    return args[0], param


def _helper(found: Facts, qualified: str | None) -> tuple[cst.BaseExpression, str] | None:
    if qualified is None or not qualified.startswith("<local>."):
        return None
    name = qualified[len("<local>."):]
    function = next((f.node for f in found.functions if f.cls is None and not f.where.functions
                     and f.node.name.value == name), None)
    if function is None:
        return None
    body = function.body.body
    last = body[-1] if body else None
    small = last.body[0] if isinstance(last, cst.SimpleStatementLine) and last.body else None
    if not isinstance(small, cst.Return) or not isinstance(small.value, cst.Call):
        return None
    returned = next((c for c in found.calls_in(function) if c.node is small.value), None)
    if returned is None or returned.qualified not in (HOOK, PARAMETRIZATION):
        return None
    args = positional(returned.node)
    if not args or keyword(returned.node, "name") is not None:
        return None
    return args[0], "weight"


def _local_name(found: Facts, node: cst.CSTNode) -> str | None:
    """``c`` in ``c = <node>``."""
    parent = found.parent(node)
    if isinstance(parent, cst.Assign) and parent.value is node and len(parent.targets) == 1 \
            and isinstance(parent.targets[0].target, cst.Name):
        return parent.targets[0].target.value
    return None


def _shown(mark: Marked) -> str:
    return f"a {mark.kind} of a part of the model" if mark.attr == "<part>" else mark.attr
