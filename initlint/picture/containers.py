"""Containers: ``nn.Sequential``/``ModuleList``/``ModuleDict`` and lists being built (``append``, ``extend``,
``insert``, ``add_module``), their slices and items, and the module or parameter scopes they span."""

from __future__ import annotations

from typing import Any

import libcst as cst

from initlint.picture import symbolic
from initlint.picture.domain import (
    UNKNOWN,
    DispatchVal,
    InRepeat,
    LayerVal,
    OpaqueVal,
    ParamRef,
    ParamSetVal,
    Repeat,
    SeqVal,
    SubVal,
    flatten,
    union,
    unwrap,
)
from initlint.picture.frame import Frame
from initlint.picture.syntax import (
    positional,
    string_value,
)


class Containers(Frame):
    def _container(self, node: cst.BaseExpression) -> SeqVal | None:
        """The list/Sequential/ModuleList a local name or ``self.x`` holds, if any."""
        if isinstance(node, cst.Name):
            value = self.env.get(node.value)
        elif isinstance(node, cst.Attribute) and self.is_self(node.value) and self.info is not None:
            value = self.info.attrs.get(node.attr.value)
        else:
            return None
        return value if isinstance(value, SeqVal) else None

    def _mutate(self, target: SeqVal, method: str, args: list[cst.BaseExpression]) -> None:
        """``append``/``extend``/``add_module``/``insert`` on a container being built."""
        if self.branch_depth:
            # ``if highres: extra.append(...)``: the items from here on may or may not be there
            start = 0 if method == "insert" else len(target.items)
            target.unsure_from = start if target.unsure_from is None else min(target.unsure_from, start)
        if method == "append" and args:
            target.items.append(self.value(args[0]))
        elif method == "extend" and args:
            added = self.value(args[0])
            target.items.extend(added.items if isinstance(added, SeqVal) else [OpaqueVal()])
        elif method == "add_module" and len(args) == 2:
            target.items.append(self.value(args[1]))
        elif method == "insert" and len(args) == 2:
            index = self.number(args[0])
            value = self.value(args[1])
            if isinstance(index, int) and not any(isinstance(i, Repeat) for i in target.items):
                target.items.insert(index, value)
            else:
                target.items.append(OpaqueVal())

    def container(self, kind: str, node: cst.Call) -> SeqVal:
        items: list[Any] = []
        keys: dict[str, Any] = {}
        for arg in node.args:
            if arg.keyword is not None:
                continue
            value = self.value(arg.value)
            if arg.star:
                items.extend(value.items if isinstance(value, SeqVal) else [OpaqueVal()])
            elif kind == "ModuleList" and isinstance(value, SeqVal):
                items.extend(value.items)
            elif isinstance(arg.value, cst.Call) and self.imports.resolve(arg.value.func) == "collections.OrderedDict":
                ordered = self._ordered_dict_items(arg.value)
                items.extend(ordered.items)
                keys.update(ordered.keys)
            else:
                items.append(value)
        seq = SeqVal(kind, items, keys=keys)
        if self.b.collecting:
            self.b.containers.append(seq)
        return seq

    def _ordered_dict_items(self, node: cst.Call) -> SeqVal:
        args = positional(node)
        out = SeqVal("list")
        if args and isinstance(args[0], (cst.List, cst.Tuple)):
            for element in args[0].elements:
                pair = element.value
                if isinstance(pair, cst.Tuple) and len(pair.elements) == 2:
                    item = self.value(pair.elements[1].value)
                    out.items.append(item)
                    key = string_value(pair.elements[0].value)
                    if key is not None:
                        out.keys[key] = item
                else:
                    out.items.append(OpaqueVal())
        else:
            out.items.append(OpaqueVal())
        return out

    def _slice(self, base: SeqVal, items: list[Any], node: cst.Subscript) -> SeqVal | None:
        """``self.net[:-1]``: a container of the same kind holding those items, when every item is known."""
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Slice) or base.unsure_from is not None \
                or base.keys or any(isinstance(i, InRepeat) and i.count is None for i in items):
            return None
        part = node.slice[0].slice
        bounds = [None if b is None else self.number(b) for b in (part.lower, part.upper, part.step)]
        if any(b is not None and not isinstance(b, int) for b in bounds):
            return None
        lower, upper, step = bounds
        return SeqVal(base.kind, [unwrap(i) for i in items][lower:upper:step])

    def element_of(self, value: Any) -> Any:
        if isinstance(value, (DispatchVal, ParamSetVal)):
            return value
        if isinstance(value, SeqVal):
            return union([unwrap(i) for i in flatten(value.items, twice=False)])
        if isinstance(value, tuple):
            return union(list(value))
        return UNKNOWN

    def scope_for(self, value: Any) -> DispatchVal | None:
        if isinstance(value, SubVal):
            return DispatchVal(tuple(self.b.scope_of_class(value.cls)),
                               containers=tuple(self.b.containers_of_value(value, "")))
        if isinstance(value, (LayerVal, SeqVal)):
            return DispatchVal(tuple(self.b.scope_of_value(value, "")),
                               containers=tuple(self.b.containers_of_value(value, "")))
        if isinstance(value, DispatchVal):
            return value
        if value is UNKNOWN and not self.module_level:
            return None
        return None

    def param_set(self, owner_value: Any) -> ParamSetVal:
        entries: list[tuple[ParamRef, str, int | None]] = []
        if isinstance(owner_value, LayerVal):
            scope = [(uid, "") for uid in owner_value.uids]
        else:
            dispatch = self.scope_for(owner_value)
            scope = list(dispatch.scope) if dispatch else []
        for uid, path in scope:
            layer = self.b.picture.layers[uid]
            for pname, shape in layer.params.items():
                qual = ".".join(x for x in (path, pname) if x)
                entries.append((ParamRef(uid, pname), qual, None if shape is None else len(shape)))
        return ParamSetVal(tuple(entries))

    def _module_tuple(self, node: cst.Tuple | cst.List) -> DispatchVal | None:
        """``for conv in (self.filter_conv, self.gate_conv)``: a dispatch over those modules, each named by its
        own expression (so a fix can write ``if conv is self.filter_conv``)."""
        scope: list[tuple[int, str]] = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                return None
            value = self.value(element.value)
            if not isinstance(value, LayerVal) or len(value.uids) != 1:
                return None
            scope.append((value.uids[0], symbolic.text(element.value)))
        return DispatchVal(tuple(scope), root_text="")

    def _param_tuple(self, node: cst.Tuple | cst.List) -> ParamSetVal | None:
        """``for b in (self.lstm.bias_ih, self.lstm.bias_hh)``: a loop over named parameters."""
        entries: list[tuple[ParamRef, str, int | None]] = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement) or not isinstance(element.value, cst.Attribute):
                return None
            found = self.targets(element.value)
            if not found or not found.refs or found.sliced:
                return None
            for ref in found.refs:
                shape = self.b.picture.layers[ref.layer].params.get(ref.param)
                entries.append((ref, symbolic.text(element.value), len(shape) if shape is not None else None))
        return ParamSetVal(tuple(entries))
