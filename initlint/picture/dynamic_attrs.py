"""Layers registered and read under computed names: ``setattr(self, 'fc%i' % i, nn.Linear(...))`` in
``__init__`` and ``getattr(self, 'fc%i' % i)(x)`` in ``forward`` (issue 16, item 4).

A name we can compute is that attribute. A name built from a format whose fields we do not know (the loop
variable of a loop that is not unrolled) is kept under the format itself (``fc%i``), and read back by the
same format; a read by a format also matches every attribute the format can spell (``fc0``, ``fc1``, ...).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import libcst as cst

from initlint.picture.syntax import string_value

_PERCENT_FIELD = re.compile(r"%[-+ #0]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")


def attribute_key(node: cst.BaseExpression, evaluate: Callable[[cst.BaseExpression], Any]) -> str | None:
    """The attribute name ``node`` computes, or its format with ``*`` for each field (``fc*`` for
    ``'fc%i' % i`` or ``f'fc{i}'``, as torch's loop-built children are shown) when the fields are unknown;
    None for anything else."""
    value = evaluate(node)
    if isinstance(value, str):
        return value
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
        text = string_value(node.left)  # 'fc%i' % i
        if text is not None and _PERCENT_FIELD.search(text) and "*" not in text:
            return _PERCENT_FIELD.sub("*", text)
        return None
    if isinstance(node, cst.FormattedString):  # f'fc{i}'
        parts = ["*" if not isinstance(p, cst.FormattedStringText) else p.value for p in node.parts]
        if "*" in parts and not any("*" in p for p in parts if p != "*"):
            return "".join(parts)
    return None


def matching(key: str, names: Iterable[str]) -> list[str]:
    """The attribute names a key can be: itself, or every name its format spells."""
    names = list(names)
    if key in names:
        return [key]
    if "*" not in key:
        return []
    pattern = re.compile(".+".join(re.escape(piece) for piece in key.split("*")))
    return [name for name in names if pattern.fullmatch(name)]
