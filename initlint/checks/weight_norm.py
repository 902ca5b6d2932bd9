"""IL507: an init on the weight of a layer already wrapped by ``weight_norm``: torch recomputes the weight
from its magnitude and direction (``weight_g``/``weight_v``, or the parametrization's ``original0``/
``original1``), so the init never takes effect. An init before the wrapping is fine."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from initlint.checks.calls import finding_at
from initlint.checks.construction import Marked, code, kind_of, run_by, stored_as, touches
from initlint.config import Settings
from initlint.findings import Finding
from initlint.picture import facts
from initlint.picture.facts import Facts
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
    for cls in found.classes.values():
        marks = wrapped(found, cls)
        if not marks:
            continue
        for touch in touches(found, cls, marks):
            mark = touch.marked
            line = picture.locator.span(mark.call.node).line if picture.locator is not None else 0
            how = ("recomputes it from `weight_g` and `weight_v` before every forward" if mark.call.qualified == HOOK
                   else "computes it from `parametrizations.weight.original0`/`original1` each time it is read, "
                   "so the init writes to a temporary")
            node = touch.via.node if touch.via is not None and _is_apply(touch.via.node) else touch.init.node
            through = f" (through `{code(found, touch.via.node.func)}(...)`)" if touch.via is not None else ""
            yield finding_at(
                "IL507", picture, node,
                f"`{code(found, touch.init.node.func)}` on the {mark.param} of `{_shown(mark)}`{through} runs after "
                f"`weight_norm` wrapped it (line {line}): torch {how}, so this init never takes effect and the "
                f"layer keeps its default init. Initialize the layer before wrapping it.",
                filename, NO_FIX)


def _is_apply(node: cst.Call) -> bool:
    return isinstance(node.func, cst.Attribute) and node.func.attr.value == "apply"


def wrapped(found: Facts, cls: cst.ClassDef, depth: int = 0) -> list[tuple[Marked, int]]:
    """Each layer ``__init__`` wraps, with where it is wrapped: ``self.c = weight_norm(nn.Conv1d(...))``,
    ``self.ups.append(weight_norm(...))``, ``weight_norm(self.c)``; and, for ``self.apply``, the layers local
    classes built before it wrap."""
    out: list[tuple[Marked, int]] = []
    built: dict[str, str] = {}  # attr -> kind, from ``self.c = nn.Conv1d(...)``
    for call, _, order in run_by(found, cls):
        kind = kind_of(call.node, found)
        stored = stored_as(found, call.node)
        if kind is not None and stored is not None:
            built.setdefault(stored, kind)
        if call.qualified in (HOOK, PARAMETRIZATION):
            args = positional(call.node)
            name = keyword(call.node, "name")
            param = name.evaluated_value if isinstance(name, cst.SimpleString) else "weight" if name is None else None
            if not args or not isinstance(param, str):
                continue
            inner = args[0]
            if isinstance(inner, cst.Call) and stored is not None:
                out.append((Marked(stored, kind_of(inner, found), call, param), order))
            elif code(found, inner).startswith("self."):
                out.append((Marked(code(found, inner), built.get(code(found, inner)), call, param), order))
        elif depth < 2 and call.qualified is not None and call.qualified.startswith("<local>."):
            part = found.classes.get(call.qualified[len("<local>."):])
            if part is not None and part is not cls:
                # layers a part wraps are wrapped before anything after this call: ``self.apply`` reaches them
                out += [(Marked("<part>", m.kind, m.call, m.param), order) for m, _ in wrapped(found, part, depth + 1)
                        if m.kind is not None]
    return out


def _shown(mark: Marked) -> str:
    return f"a {mark.kind} built by a part of the model" if mark.attr == "<part>" else mark.attr
