"""IL506: an init of a layer after ``nn.TransformerEncoder(layer, N)``/``nn.TransformerDecoder`` deep-copied
it: the N copies the model runs were made before the init, so none of them gets it."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from initlint.checks.calls import diagnostic_at
from initlint.checks.construction import code, init_target, run_by
from initlint.config import Settings
from initlint.findings import Finding, Note, short_title
from initlint.picture import facts
from initlint.picture.facts import CallFact
from initlint.picture.model import Picture
from initlint.picture.syntax import keyword, positional

CLONERS = {"torch.nn.TransformerEncoder": "encoder_layer", "torch.nn.TransformerDecoder": "decoder_layer"}
NO_FIX = ("the init has to move before the encoder is built, or loop over the copies "
          "(`for layer in self.encoder.layers: ...`): a reordering left to the author")


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    if "TransformerEncoder(" not in picture.source and "TransformerDecoder(" not in picture.source:
        return
    found = facts.of(picture)
    for cls in found.classes.values():
        clones: list[tuple[str, CallFact, int]] = []
        for call, via, order in run_by(found, cls):
            if call.qualified in CLONERS:
                args = positional(call.node)
                layer = args[0] if args else keyword(call.node, CLONERS[call.qualified])
                if isinstance(layer, (cst.Name, cst.Attribute)):
                    clones.append((code(found, layer), call, order))
                continue
            for spelled, cloner, at in clones:
                if order > at and _touches(found, call, spelled):
                    line = picture.locator.place(cloner.node) if picture.locator is not None else "line 0"
                    count = positional(cloner.node)[1:2]
                    copies = f"{code(found, count[0])} " if count else ""
                    name = cloner.qualified.rsplit(".", 1)[-1] if cloner.qualified else "TransformerEncoder"
                    yield diagnostic_at(
                        "IL506", picture, call.node, filename,
                        short_title(f"`{code(found, call.node.func)}` initializes `{spelled}` after `nn.{name}` "
                                    "deep-copied it"),
                        notes=(Note(f"`nn.{name}` copies it at {line}: the {copies}layers the model runs are copies "
                                    "made before this init, so none of them gets it (they all keep the same default "
                                    "values)"),),
                        help=f"initialize the copies in the `nn.{name}`'s `.layers` after it is built",
                        numbers={"cloner": name, "layer": spelled}, fix=NO_FIX)
                    break


def _touches(found: facts.Facts, call: CallFact, spelled: str) -> bool:
    """An init on ``<layer>.<...>``, ``<layer>.apply(...)``, or an init inside a loop over ``<layer>``'s
    parameters or modules."""
    func = call.node.func
    if isinstance(func, cst.Attribute) and func.attr.value == "apply" and code(found, func.value) == spelled:
        return True
    target = init_target(call)
    if target is None:
        return False
    written = code(found, target[0])
    if written.startswith(spelled + "."):
        return True
    for loop in call.where.loops:
        if code(found, loop.iter).startswith(spelled + ".") and isinstance(loop.target, (cst.Name, cst.Tuple)):
            names = {n.value for n in _names(loop.target)}
            if written.split(".")[0] in names:
                return True
    return False


def _names(target: cst.BaseExpression) -> list[cst.Name]:
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, cst.Tuple):
        return [n for e in target.elements for n in _names(e.value)]
    return []
