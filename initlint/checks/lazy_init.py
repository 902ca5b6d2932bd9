"""IL508: an init of a ``LazyLinear``/``LazyConv*`` parameter before the layer's first forward: through
``.data`` it is silently replaced when the layer materializes (``reset_parameters`` runs then); through
``nn.init.*`` it raises ValueError on the uninitialized parameter."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from initlint.checks.calls import diagnostic_at
from initlint.checks.construction import Marked, code, kind_of, run_by, stored_as, touches
from initlint.config import Settings
from initlint.findings import Finding, Note, short_title
from initlint.picture import facts
from initlint.picture.facts import Facts
from initlint.picture.model import Picture

LAZY = re.compile(r"\bLazy(?:Linear|Conv|BatchNorm|InstanceNorm)")
CRASH = ("Attempted to use an uninitialized parameter in <method ...>. This error happens when you are using a "
         "`LazyModule` or explicitly manipulating `torch.nn.parameter.UninitializedParameter` objects")
NO_FIX = ("the init has to run after the first forward (a dummy batch in `__init__`) or go into a "
          "`reset_parameters` override, which torch calls when the layer materializes")


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    if not LAZY.search(picture.source):
        return
    found = facts.of(picture)
    for cls in found.classes.values():
        marks = lazy_layers(found, cls)
        if not marks:
            continue
        for touch in touches(found, cls, marks, materialized=_first_forward(found, cls, marks)):
            mark = touch.marked
            through = f" (through `{code(found, touch.via.node.func)}(...)`)" if touch.via is not None else ""
            if touch.data:
                what = ("is written to the empty placeholder and silently replaced: when the layer materializes at "
                        "its first forward, torch allocates the parameter and runs `reset_parameters`, so the "
                        "layer keeps its default init")
            else:
                what = f'raises "ValueError: {CRASH}" when the model is built'
            yield diagnostic_at(
                "IL508", picture, touch.init.node, filename,
                short_title(f"`{code(found, touch.init.node.func)}` on `{mark.attr}.{mark.param}` of {mark.kind} "
                            "before its first forward"),
                notes=(Note(f"the parameter{through} is still uninitialized, so this init {what}"),),
                help="run the init after a first forward on a sample batch, or override `reset_parameters`",
                numbers={"kind": mark.kind, "param": mark.param, "crash": not touch.data}, fix=NO_FIX)


def lazy_layers(found: Facts, cls: cst.ClassDef) -> list[tuple[Marked, int]]:
    out: list[tuple[Marked, int]] = []
    for call, _, order in run_by(found, cls):
        kind = kind_of(call.node, found)
        stored = stored_as(found, call.node)
        if kind is not None and kind.startswith("Lazy") and stored is not None:
            out += [(Marked(stored, kind, call, param), order) for param in ("weight", "bias")]
    return out


def _first_forward(found: Facts, cls: cst.ClassDef, marks: list[tuple[Marked, int]]) -> int | None:
    """Where ``__init__`` first runs the model or a lazy layer on a batch (it materializes then)."""
    attrs = {mark.attr for mark, _ in marks}
    for call, _, order in run_by(found, cls):
        func = code(found, call.node.func)
        if func in ("self", "self.forward") or func in attrs:
            return order
    return None
