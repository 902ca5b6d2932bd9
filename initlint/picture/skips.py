"""Which side of a sum in ``forward()`` is the skip connection, so that the other side's layers end a
residual branch (``Follow(RESIDUAL)``): ``x + self.block(x)`` on the forward's input, and a branch added back
to the value it ran on (``features = self.extra(hidden); features + hidden``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from initlint.picture.flow import Flow

BRANCH_HOPS = 3  # how many layers deep a branch off a value may be and still be recognized


def skip_add(left: Flow, right: Flow) -> tuple[Flow, Flow] | None:
    """``x + self.up(...)`` with ``x`` the forward's input and nothing else: a skip connection, so the other
    side's layers end a residual branch (as when the input was not followed); the sum carries the input on.
    The sum and the branch, or None."""
    for skip, branch in ((left, right), (right, left)):
        if skip.input_of and skip == Flow(input_of=skip.input_of) and (branch.pending or branch.acted
                                                                        or branch.outputs_of or branch.acted_of):
            return Flow(input_of=skip.input_of | branch.input_of), replace(branch, input_of=frozenset())
    return None


def branch_add(left: Flow, right: Flow, layers: Mapping[int, Any]) -> tuple[Flow, Flow] | None:
    """``features + hidden`` with ``features = self.extra(hidden)``: one side's layers all run on the other's
    output (within a few layers), so it is a residual branch off it, added back to its own input. Only plain
    layer flows (no module class's result or forward input, no split part): the sum carries the skip on and
    the branch ends there. The sum and the branch, or None."""
    for skip, branch in ((left, right), (right, left)):
        if not _plain(skip) or not _plain(branch):
            continue
        starts = skip.pending | skip.acted
        ends = branch.pending | branch.acted
        if starts and ends and not starts & ends and _downstream(starts, ends, layers):
            return skip, branch
    return None


def _plain(flow: Flow) -> bool:
    return not (flow.outputs_of or flow.acted_of or flow.input_of or flow.const) and flow.part is None


def _downstream(starts: frozenset[int], ends: frozenset[int], layers: Mapping[int, Any]) -> bool:
    """Every layer of ``ends`` is reached from ``starts`` through what each layer feeds."""
    frontier, seen = set(starts), set(starts)
    for _ in range(BRANCH_HOPS):
        frontier = {other for uid in frontier for other in layers[uid].feeds} - seen
        seen |= frontier
    return ends <= seen - set(starts)
