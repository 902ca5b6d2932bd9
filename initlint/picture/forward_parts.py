"""Split outputs in ``forward()``: ``a, b = h.chunk(2, dim=1)`` names the parts of a layer's output, and what
the layer feeds is what every part meets (``model.combined``: tanh in one part and sigmoid in another is a
gated unit)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import libcst as cst

from initlint.picture.flow import EMPTY, Flow
from initlint.picture.forward_syntax import split_targets, split_tensor
from initlint.picture.model import UNKNOWN, Follow


class SplitParts:
    """The split part of ``forward.MethodFlow`` (which provides what is declared here)."""

    b: Any  # the PictureBuilder
    env: dict[str, Any]
    reads: Counter[str]  # how often each name is written in the method (forward_syntax.name_counts)
    ev: Callable[[cst.BaseExpression], Any]
    consume: Callable[[Any, Follow], None]

    def split_assignment(self, stmt: cst.Assign) -> bool:
        """``a, b = x.chunk(2, dim=1)`` (``.split``, ``torch.split``, ``torch.chunk``) with ``x`` a layer's
        output: each name is one part of it, so what the layer meets is what every part meets (``combined``).
        A part bound to ``_`` or never read again, or a part split again, leaves the split an unknown use.
        False: not such a split, for the ordinary assignment to read."""
        names = split_targets(stmt)
        tensor = split_tensor(stmt.value, self.b.imports.resolve) if names else None
        if names is None or tensor is None or not isinstance(stmt.value, cst.Call):
            return False
        if not isinstance(tensor, cst.Call):
            probe = self.ev(tensor)  # a name or an attribute: reading it twice changes nothing
            if not isinstance(probe, Flow):
                return False
        value = self.ev(tensor)
        for arg in stmt.value.args:
            if arg.value is not tensor:
                self.consume(self.ev(arg.value), Follow(UNKNOWN))
        parts = isinstance(value, Flow) and value.pending and value.part is None and not any(
            name.startswith("_") or self.reads[name] < 2 for name in names)
        if not parts:
            self.consume(value, Follow(UNKNOWN))  # as any other method of the output: an unknown use
        for index, name in enumerate(names):
            self.env[name] = replace(value, part=(index, len(names))) if parts else EMPTY
        return True
