"""Expressions: the abstract value of names, attributes, subscripts, literals, comprehensions and arithmetic
on containers, and what a ``for`` loop iterates over."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import libcst as cst

from initlint.picture import symbolic
from initlint.picture.act_forms import callable_activation
from initlint.picture.budget import MAX_ITEMS
from initlint.picture.domain import (
    UNKNOWN,
    ActVal,
    ChoiceVal,
    ClassNameOf,
    ClassRef,
    DispatchVal,
    FuncRef,
    InRepeat,
    LayerVal,
    OpaqueVal,
    ParamSetVal,
    Repeat,
    SeqVal,
    SubVal,
    flatten,
    is_number,
    union,
    unwrap,
)
from initlint.picture.eval import arithmetic, within_float_range
from initlint.picture.frame import Frame
from initlint.picture.narrowing import option_branch
from initlint.picture.syntax import (
    class_name_subject,
    positional,
    string_value,
)


class Expressions(Frame):
    def value(self, node: cst.BaseExpression) -> Any:
        if isinstance(node, cst.Call):
            return self.call(node)
        if isinstance(node, cst.Name):
            if node.value in self.env:
                return self.env[node.value]
            if node.value in self.b.module_env:
                return self.b.module_env[node.value]
            if node.value in self.b.classes:
                return ClassRef(f"<local>.{node.value}")
            if node.value in self.b.functions:
                return FuncRef(self.b.functions[node.value], None)
            resolved = self.imports.resolve(node)
            if resolved is not None:
                return ClassRef(resolved)
            return self.number(node)
        if isinstance(node, cst.Attribute):
            if self.is_self(node.value) and self.info is not None:
                attr = node.attr.value
                if attr in self.info.attrs:
                    return self.info.attrs[attr]
                found = self.b.method(self.info, attr)
                if found is not None:
                    return FuncRef(found[0], found[1].name, True)
                return UNKNOWN
            subject = class_name_subject(node)  # ``m.__class__.__name__``, ``type(m).__name__``
            if subject is not None and not (subject[1] and ("type" in self.env or "type" in self.imports.names)):
                return ClassNameOf(subject[0])
            base = self.value(node.value) if not isinstance(node.value, cst.Name) or \
                node.value.value in self.env or node.value.value == "self" else None
            names = self.rnn_param_names(base, node.attr.value)
            if names is not None:
                return names
            if isinstance(base, LayerVal):
                children = [c for uid in base.uids for c in self.b.children.get(uid, ())
                            if self.b.child_paths[c][1] == node.attr.value]
                if children:
                    return LayerVal(tuple(children))
                clones = [c for uid in base.uids for c in self.b.children.get(uid, ())
                          if self.b.child_paths[c][1] == f"{node.attr.value}.*"]
                if clones:  # ``encoder.layers``: the ModuleList of the copies ``TransformerEncoder`` made
                    depths = {self.b.picture.layers[uid].args.get("num_layers") for uid in base.uids}
                    copies = depths.pop() if len(depths) == 1 else None
                    return SeqVal("ModuleList", [InRepeat(LayerVal(tuple(clones)),
                                                          copies if isinstance(copies, int) else None)])
            if isinstance(base, SubVal):
                info = self.b.classes.get(base.cls)
                if info is not None and node.attr.value in info.attrs:
                    return info.attrs[node.attr.value]
            if isinstance(base, SeqVal) and node.attr.value in base.keys:
                return base.keys[node.attr.value]
            resolved = self.imports.resolve(node)
            if resolved is not None and resolved.startswith("<local>.") and resolved[8:] in self.b.functions:
                return FuncRef(self.b.functions[resolved[8:]], None)  # ``util.weights_init`` (linking.py)
            if resolved is not None:
                return ClassRef(resolved)
            return self.number(node)
        if isinstance(node, cst.Subscript):
            by_name = self.parameters_item(node)
            if by_name is not None:
                return by_name
            table = self.module_dict(node.value)
            if table is not None:
                return self.dict_lookup(table, node)
            base = self.value(node.value)
            chosen = self.indexed_choice(node, base)
            if chosen is not None:
                return chosen
            if isinstance(base, SeqVal):
                items = flatten(base.items, twice=False, inline=False)
                if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                    index = self.number(node.slice[0].slice.value)
                    exact = not any(isinstance(i, InRepeat) and i.count is None for i in items)
                    if isinstance(index, int) and base.unsure_from is not None and (
                            index < 0 or index >= base.unsure_from):
                        return union([unwrap(i) for i in items])  # it may be a conditional item
                    if isinstance(index, int) and exact:
                        if -len(items) <= index < len(items):
                            return unwrap(items[index])
                        return UNKNOWN
                    if isinstance(index, str):
                        return base.keys.get(index, UNKNOWN) if base.keys else UNKNOWN
                sliced = self._slice(base, items, node)
                if sliced is not None:
                    return sliced
                return union([unwrap(i) for i in items])
            return UNKNOWN
        if isinstance(node, (cst.List, cst.Tuple)):
            items = []
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    inner = self.value(element.value)
                    if isinstance(inner, SeqVal):
                        items.extend(inner.items)
                    else:
                        items.append(OpaqueVal())
                else:
                    items.append(self.value(element.value))
            if isinstance(node, cst.Tuple) and not any(isinstance(i, (LayerVal, ActVal, SeqVal, SubVal)) for i in items):
                number = self.number(node)
                if number is not UNKNOWN:
                    return number
            return SeqVal("list", items)
        if isinstance(node, (cst.ListComp, cst.GeneratorExp)):
            count = None
            comp = node.for_in
            if isinstance(comp.iter, cst.Call) and isinstance(comp.iter.func, cst.Name) \
                    and comp.iter.func.value == "range":
                bounds = [self.number(a) for a in positional(comp.iter)]
                if len(bounds) == 1 and isinstance(bounds[0], int):
                    count = bounds[0]
            saved = dict(self.env)
            self.bind_loop_target(comp.target, self.iter_value(comp.iter))
            element = self.value(node.elt)
            self.env = saved
            return SeqVal("list", [Repeat([element], count)])
        if isinstance(node, cst.IfExp):
            test = self.number(node.test)
            if isinstance(test, bool):  # act = activation if j < len(sizes) - 2 else output_activation
                return self.value(node.body if test else node.orelse)
            arms = [self.value(node.body), self.value(node.orelse)]
            chosen = _chosen_activation(node.test, [(True, arms[0]), (False, arms[1])])
            return chosen if chosen is not None else union(arms)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Multiply)):
            left = self.value(node.left)
            right = self.value(node.right)
            if isinstance(node.operator, cst.Add) and isinstance(left, SeqVal) and isinstance(right, SeqVal) \
                    and left.kind == right.kind == "list":
                if len(left.items) + len(right.items) > MAX_ITEMS:
                    return UNKNOWN  # ``layers = layers + layers`` doubling: past the container budget
                return SeqVal("list", [*left.items, *right.items])  # [first] + [rest for _ in range(n)]
            if isinstance(node.operator, cst.Multiply) and isinstance(left, SeqVal) and left.kind == "list" \
                    and (isinstance(right, int) or right is UNKNOWN):
                return SeqVal("list", [Repeat(list(left.items), right if isinstance(right, int) else None)])
            if isinstance(left, (SeqVal, LayerVal)) or isinstance(right, (SeqVal, LayerVal)):
                return UNKNOWN
            if is_number(left) and is_number(right):
                # both sides are known already: evaluating the whole subtree again would make a long sum
                # ``1 + 1 + ... + 1`` quadratic
                return within_float_range(arithmetic(type(node.operator), left, right))
        return self.number(node)

    def indexed_choice(self, node: cst.Subscript, base: Any) -> ChoiceVal | None:
        """``[nn.ReLU(), nn.Tanh()][args.use_tanh]``: a pair of activations a flag indexes is the flag's choice
        (False picks the first, True the second), as if an ``if`` on the flag assigned each."""
        if not isinstance(node.value, (cst.List, cst.Tuple)) or not isinstance(base, SeqVal) \
                or len(base.items) != 2 or len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        index = node.slice[0].slice.value
        if not isinstance(index, (cst.Name, cst.Attribute)) or self.number(index) is not UNKNOWN:
            return None
        return _chosen_activation(index, [(False, unwrap(base.items[0])), (True, unwrap(base.items[1]))])

    def module_dict(self, node: cst.BaseExpression) -> cst.Dict | None:
        """``ACT2FN`` in ``ACT2FN[config.hidden_act]``: a dict literal the module binds once and never changes."""
        if not isinstance(node, cst.Name) or node.value in self.env or node.value in self.b.module_env:
            return None
        tables: dict[str, cst.Dict] = self.b.syntax_fact("module dicts", self.b.module, module_dicts)
        return tables.get(node.value)

    def dict_lookup(self, table: cst.Dict, node: cst.Subscript) -> Any:
        """An entry of a module-level dict of activations: the one its key names; with a key we cannot read,
        the entries' join (one activation only if every entry is that activation)."""
        key = self.number(node.slice[0].slice.value) if len(node.slice) == 1 and \
            isinstance(node.slice[0].slice, cst.Index) else UNKNOWN
        entries: list[tuple[Any, cst.BaseExpression]] = [
            (string_value(e.key), e.value) for e in table.elements if isinstance(e, cst.DictElement)]
        if isinstance(key, str):
            chosen = [value for name, value in entries if name == key]
            return self.as_module(self.value(chosen[-1])) if chosen else UNKNOWN
        return union([self.as_module(self.value(value)) for _, value in entries])

    def as_module(self, value: Any) -> Any:
        """A callable that applies a known activation (``F.gelu``, ``def swish(x)``) as an activation module."""
        act = callable_activation(value, self.imports, self.b.syntax_fact)
        return ActVal(act) if act is not None else value

    def iter_value(self, node: cst.BaseExpression) -> Any:
        if isinstance(node, cst.Call) and (kept := self.filtered_names(node)) is not None:
            return kept
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in (
            "enumerate", "reversed", "list", "sorted"
        ) and node.args:
            inner = self.iter_value(node.args[0].value)
            if node.func.value == "enumerate":
                return ("enumerate", inner)
            return inner
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            owner_value = self.value(node.func.value)
            scope = self.scope_for(owner_value)
            if scope is not None and method in ("modules", "named_modules"):
                scope = replace(scope, root_text=symbolic.text(node.func.value))
            if method in ("modules", "children"):
                return scope if scope is not None else DispatchVal((), uncertain=True)
            if method in ("named_modules", "named_children"):
                return ("named", scope if scope is not None else DispatchVal((), uncertain=True))
            if method in ("parameters", "named_parameters"):
                params = self.param_set(owner_value) if scope is not None or isinstance(owner_value, LayerVal) \
                    else ParamSetVal((), uncertain=True)
                return ("named", params) if method == "named_parameters" else params
        if isinstance(node, (cst.Tuple, cst.List)) and node.elements:
            tuple_params = self._param_tuple(node)
            if tuple_params is not None:
                return tuple_params
            modules = self._module_tuple(node)
            if modules is not None:
                return modules
        value = self.value(node)
        return value


def module_dicts(module: cst.Module) -> dict[str, cst.Dict]:
    """Module-level names bound once to a dict literal with string keys, never assigned into or rebound."""
    found: dict[str, cst.Dict] = {}
    touched: set[str] = set()
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else \
                [small.target] if isinstance(small, (cst.AnnAssign, cst.AugAssign)) else []
            for target in targets:
                if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
                    touched.add(target.value.value)  # ACT2FN["x"] = ...
                elif isinstance(target, cst.Name):
                    value = small.value if isinstance(small, (cst.Assign, cst.AnnAssign)) else None
                    if target.value in found or target.value in touched or not isinstance(value, cst.Dict) or \
                            any(not isinstance(e, cst.DictElement) or string_value(e.key) is None
                                for e in value.elements):
                        touched.add(target.value)
                    else:
                        found[target.value] = value
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) and \
                    isinstance(small.value.func, cst.Attribute) and isinstance(small.value.func.value, cst.Name):
                touched.add(small.value.func.value.value)  # ACT2FN.update(...)
    return {name: table for name, table in found.items() if name not in touched}


def _chosen_activation(test: cst.BaseExpression, arms: list[tuple[bool, Any]]) -> ChoiceVal | None:
    """Two different activations an option's test picks between, each under its branch of the test."""
    values = [value for _, value in arms]
    if not all(isinstance(v, ActVal) for v in values) or values[0] == values[1]:
        return None
    branches = [(option_branch(test, taken), value) for taken, value in arms]
    if any(condition is None for condition, _ in branches):
        return None
    return ChoiceVal(tuple(((condition,), value) for condition, value in branches if condition is not None))
