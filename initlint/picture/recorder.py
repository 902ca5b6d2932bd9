"""The init recorder: what an init call's target names (a typed :class:`Targets`), and the :class:`InitSite`
it records, with the anchors a fix needs (statement, scope, slice, deferred arguments)."""

from __future__ import annotations

import re
from typing import Any

import libcst as cst

from initlint.picture import symbolic, torchspec
from initlint.picture.domain import (
    UNKNOWN,
    DispatchVal,
    FuncRef,
    LayerVal,
    NameOf,
    ParamRef,
    ParamSetVal,
    Targets,
    is_plain,
)
from initlint.picture.eval import gain_name
from initlint.picture.frame import Frame
from initlint.picture.model import InitSite, SiteScope
from initlint.picture.returned import returned
from initlint.picture.syntax import bound_args, keyword, names_in, positional, unbound_by_star


def _tensor_base(tensor: cst.BaseExpression) -> cst.BaseExpression:
    """``m.weight`` in ``m.weight.data[0:4]``."""
    node = tensor
    while isinstance(node, cst.Subscript) or isinstance(node, cst.Attribute) and node.attr.value == "data":
        node = node.value
    return node

# ``w.uniform_(from=..., to=...)``: the names the site keeps for them (as tensor_init does)
_ARG_NAMES = {"from": "a", "to": "b"}


class Recorder(Frame):
    def targets(self, node: cst.BaseExpression) -> Targets | None:
        """What an init target expression names; None if it is none of our parameters."""
        sliced = False
        first_slice: cst.SubscriptElement | None = None
        while True:
            if isinstance(node, cst.Attribute) and node.attr.value == "data":
                node = node.value
            elif isinstance(node, cst.Subscript) and (by_name := self.parameters_item(node)) is not None:
                return self.param_targets(by_name, sliced, first_slice)  # lstm._parameters[name]
            elif isinstance(node, cst.Subscript):
                sliced = True
                if first_slice is None and len(node.slice) == 1:
                    first_slice = node.slice[0]
                node = node.value
            else:
                break
        if isinstance(node, cst.Attribute):
            owner = self.value(node.value)
            pname = node.attr.value
            if isinstance(owner, LayerVal):
                refs = [ParamRef(uid, pname) for uid in owner.uids if self._has_param(uid, pname)]
                shared = len(owner.uids) > 1 or self.shared_depth > 0
                return Targets(refs, shared, sliced, first_slice) if refs else None
            if isinstance(owner, DispatchVal):
                if owner.uncertain:
                    self._maybe_touched(ParamRef(uid, pname) for uid, _ in owner.scope)
                    return Targets([], True, sliced, first_slice, owner)
                refs = [ParamRef(uid, pname) for uid, path in owner.scope
                        if self._matches(owner, uid, path) and self._has_param(uid, pname)]
                return Targets(refs, True, sliced, first_slice, owner)
            # self.weight on a bare Parameter attribute
        value = self.value(node)
        if isinstance(value, LayerVal):
            refs = [ParamRef(uid, "") for uid in value.uids if self.b.picture.layers[uid].kind == "Parameter"]
            shared = len(value.uids) > 1 or self.shared_depth > 0
            return Targets(refs, shared, sliced, first_slice) if refs else None
        if isinstance(value, ParamSetVal):
            return self.param_targets(value, sliced, first_slice)
        return None

    def param_targets(self, value: ParamSetVal, sliced: bool, first_slice: cst.SubscriptElement | None) -> Targets:
        """The parameters of a (narrowed) parameter loop variable an init call reaches."""
        if value.uncertain:
            self._maybe_touched(ref for ref, _, _ in value.entries)
            return Targets([], True, sliced, first_slice)
        names = {ref: qual for ref, qual, _ in value.entries}
        refs = []
        for ref, qual, rank in value.entries:
            ok = all(p.test("", qual, rank) is True for p in value.include) and not any(
                p.test("", qual, rank) is True for p in value.exclude)
            undecided = any(p.test("", qual, rank) is None for p in value.include + value.exclude)
            if undecided:
                self._maybe_touched(r for r, _, _ in value.entries)
                return Targets([], True, sliced, first_slice, param_names=names)
            if ok and ref.param not in self.b.picture.layers[ref.layer].reparametrized:
                refs.append(ref)
        return Targets(refs, True, sliced, first_slice, param_names=names)

    def _maybe_touched(self, refs: Any) -> None:
        """An init call whose targets we cannot narrow down may reach these parameters: never say they keep
        PyTorch's default."""
        if self.b.collecting:
            self.b.picture.maybe_touched.update(refs)

    def _matches(self, dispatch: DispatchVal, uid: int, path: str) -> bool:
        kind = self.b.picture.layers[uid].kind
        if any(p.test(kind, path, None, uid) is not True for p in dispatch.include):
            return False
        return not any(p.test(kind, path, None, uid) is True for p in dispatch.exclude)

    def _has_param(self, uid: int, pname: str) -> bool:
        layer = self.b.picture.layers[uid]
        if pname in layer.reparametrized:
            return False  # ``weight_norm`` recomputes it (IL507 says so): the init does not set the layer
        if pname in layer.params:
            return True
        match = re.fullmatch(r"(weight|bias)_(ih|hh)_l(\d+)(_reverse)?", pname)
        unknown_depth = any(key in layer.args and layer.args[key] is None for key in ("num_layers", "bidirectional"))
        if match and layer.kind in torchspec.RECURRENT and "weight_ih_l0" in layer.params and unknown_depth:
            # A recurrent layer whose depth or direction we could not evaluate: accept its other layers' names.
            base = f"{match.group(1)}_{match.group(2)}_l0"
            layer.params[pname] = layer.params.get(base)
            return True
        return False

    def init_call(self, node: cst.Call, name: str) -> None:
        """``nn.init.<name>(tensor, ...)``: record the site (and a deprecated alias, whatever it reaches)."""
        alias = None
        if name in torchspec.DEPRECATED_ALIASES:
            alias = name
            name = torchspec.DEPRECATED_ALIASES[name]
        if name not in torchspec.INIT_SIGNATURES:
            return
        args_nodes = positional(node)
        tensor = args_nodes[0] if args_nodes else keyword(node, "tensor")
        found = self.targets(tensor) if tensor is not None else None
        order = self.b.next_order()
        key = (id(node), name)
        if not self.b.collecting:
            return
        signature = torchspec.INIT_SIGNATURES[name]
        raw = bound_args(node, ("tensor",) + signature)
        if tensor is not None and found is not None and found.refs and key in self.b.sites:
            self.same_inputs(key, raw, found.refs)
            self.b.record_site(self._reached_again(found, tensor, order), key)  # what a repeat needs
            return
        expanded = self.starred_return(node, ("tensor",) + signature)
        if expanded is not None:
            raw = {**expanded[0], **raw}
        evaluated = {k: self.number(v) for k, v in raw.items() if k != "tensor"}
        evaluated.update({k: UNKNOWN for k in unbound_by_star(node, signature, raw)})
        gain = gain_name(self.imports, raw.get("gain"))
        site = InitSite(
            func=name,
            span=None,
            args=evaluated,
            targets=found.refs if found else [],
            target_text=self.b.module.code_for_node(tensor) if tensor is not None else "?",
            order=(order,),
            via="nn.init",
            alias=alias,
            gain_named=gain[0] if gain else None,
            shared=bool(found and found.shared),
            in_slice=bool(found and found.sliced),
            func_prefix=self.b.module.code_for_node(node.func.value) if isinstance(node.func, cst.Attribute) else None,
            root_orders={self.root: order},
            path=self.path,
            node=node,
            locator=self.b.locator,
            deferred=self.deferred(raw, tensor, found, expanded[1] if expanded else None)
            if tensor is not None and found else None,
            statement=self.current_statement,
            name_var=self.name_var_of(tensor) if tensor is not None else None,
            scope=self.scope_of_site(tensor, found) if tensor is not None and found is not None else None,
            param_names=dict(found.param_names) if found else {},
        )
        if alias is not None and not any(s.node is node for s in self.b.picture.deprecated):
            self.b.picture.deprecated.append(site)
        if found and found.refs:
            self.b.site_inputs[key] = self.inputs(bound_args(node, ("tensor",) + signature))
            self.b.site_reaches[key] = [(dict(evaluated), list(found.refs))]
            self.b.record_site(site, key)

    def data_driven_init(self, node: cst.Call) -> Any:
        """``lsuv_init(model, batch)`` (torchspec.DATA_DRIVEN_INITS): every Linear/Conv weight and bias of the
        model is initialized again, later than anything its construction did. A target we cannot resolve to a
        model of this file is init code we cannot see: its layers are never said to keep the default."""
        args = positional(node)
        target = args[0] if args else keyword(node, "model")
        model = self.value(target) if target is not None else UNKNOWN
        scope = self.scope_for(model)
        order = self.b.next_order()
        if scope is None or not scope.scope:
            self.b.picture.opaque_init.add(self.root)
            return model
        if not self.b.collecting:
            return model
        refs = []
        for uid, _ in scope.scope:
            layer = self.b.picture.layers[uid]
            if torchspec.is_instance(layer.kind, torchspec.DATA_DRIVEN_KINDS):
                refs += [ParamRef(uid, pname) for pname in ("weight", "bias") if pname in layer.params]
        assert target is not None
        site = InitSite(func=torchspec.DATA_DRIVEN_FUNC, span=None, args={}, targets=refs,
                        target_text=self.b.module.code_for_node(target), order=(order,), via="data-driven",
                        shared=True, root_orders={self.root: order}, path=self.path, node=node,
                        locator=self.b.locator, statement=self.current_statement)
        if refs:
            self.b.record_site(site, (id(node), torchspec.DATA_DRIVEN_FUNC))
        return model

    def tensor_init(self, node: cst.Call, method: str, target: cst.BaseExpression, found: Targets) -> None:
        """``w.data.normal_(0, 0.01)`` and the other in-place init methods."""
        if not self.b.collecting or not found.refs:
            return
        func, names = torchspec.TENSOR_INIT_METHODS[method]
        order = self.b.next_order()
        key = (id(node), func)
        raw = bound_args(node, names)
        if key in self.b.sites:
            self.same_inputs(key, raw, found.refs)
            self.b.record_site(self._reached_again(found, target, order), key)
            return
        expanded = self.starred_return(node, names)
        if expanded is not None:
            raw = {**expanded[0], **raw}
        if method == "uniform_":
            raw = {("a" if k == "from" else "b" if k == "to" else k): v for k, v in raw.items()}
        evaluated = {k: self.number(v) for k, v in raw.items()}
        evaluated.update({k: UNKNOWN for k in unbound_by_star(node, names, raw)})
        site = InitSite(
            func=func,
            span=None,
            args=evaluated,
            targets=found.refs,
            target_text=self.b.module.code_for_node(target),
            order=(order,),
            via="tensor",
            shared=found.shared,
            in_slice=found.sliced,
            root_orders={self.root: order},
            path=self.path,
            node=node,
            locator=self.b.locator,
            deferred=self.deferred(raw, target, found, expanded[1] if expanded else None),
            statement=self.current_statement,
            name_var=self.name_var_of(target),
            scope=self.scope_of_site(target, found),
            param_names=dict(found.param_names),
        )
        self.b.site_inputs[key] = self.inputs(bound_args(node, names))
        self.b.site_reaches[key] = [(dict(evaluated), list(found.refs))]
        self.b.record_site(site, key)

    def inputs(self, raw: dict[str, cst.BaseExpression]) -> dict[str, object]:
        """What an init call's arguments (the tensor aside) read here: their values and the names in them."""
        out: dict[str, object] = {}
        for arg, node in raw.items():
            if arg == "tensor":
                continue
            out[arg] = self.number(node)
            for name in names_in(node):
                value = self.env.get(name, UNKNOWN)
                if is_plain(value) or value is None:
                    out[f"{arg}:{name}"] = value  # modules and dispatch variables are evaluated per layer
        return out

    def same_inputs(self, key: tuple[int, str], raw: dict[str, cst.BaseExpression], refs: list[ParamRef]) -> None:
        """A call reached again (a helper called once per layer) whose arguments read other values than the
        first time (``layer_init(layer, std=0.01)`` after ``layer_init(layer)``): the one site's differing
        arguments become unknown and nothing is evaluated per layer; what this reach gave which parameters is
        kept, for the site to be split by its callers' arguments once the picture is built (split_by_callers)."""
        first = self.b.site_inputs.get(key)
        if first is None:
            return
        reaches = self.b.site_reaches.get(key)
        if reaches is not None:
            values = {_ARG_NAMES.get(k, k): self.number(v) for k, v in raw.items() if k != "tensor"}
            reaches.append((values, list(refs)))
        now = self.inputs(raw)
        differ = {k.split(":", 1)[0] for k in set(first) | set(now) if first.get(k, UNKNOWN) != now.get(k, UNKNOWN)}
        if not differ:
            return
        site = self.b.sites[key]
        for arg in differ:
            site.args[arg] = UNKNOWN
        site.deferred = None
        self.b.site_inputs[key] = {**first, **{k: UNKNOWN for k in now}}

    def _reached_again(self, found: Targets, tensor: cst.BaseExpression, order: int) -> InitSite:
        """A call recorded before, reached again (another apply, another helper call): only what merging into
        the first record reads (record_site), without the syntax work of a new site."""
        return InitSite(func="", span=None, args={}, targets=found.refs, target_text="", order=(order,),
                        shared=found.shared, root_orders={self.root: order}, path=self.path,
                        scope=self.scope_of_site(tensor, found), param_names=dict(found.param_names))

    def scope_of_site(self, tensor: cst.BaseExpression, found: Targets) -> SiteScope | None:
        """For a call on ``m.weight`` with ``m`` a dispatch variable: ``m`` and how to name each module."""
        dispatch = found.dispatch
        node = _tensor_base(tensor)
        anchor = self.loop_anchor or self.apply_anchor
        if dispatch is not None and dispatch.root_text is not None and self.call_anchor is not None \
                and dispatch.root_text in self.call_anchor[1]:
            anchor = (self.call_anchor[0], self.call_anchor[1][dispatch.root_text])  # after the helper call
        if dispatch is None and found.param_names and isinstance(node, cst.Name) and self.loop_anchor:
            # ``for name, p in self.named_parameters(): ...(p)``: each parameter as ``self.<path>.<param>``
            paths = {ref.layer: qual[: -len(ref.param) - 1] if ref.param and qual.endswith("." + ref.param)
                     else qual for ref, qual in found.param_names.items()}
            return SiteScope(node.value, {uid: self.loop_anchor[1] for uid in paths}, paths,
                             {uid: self.loop_anchor for uid in paths}, params=True)
        if dispatch is None or not isinstance(node, cst.Attribute) or not isinstance(node.value, cst.Name):
            return None
        paths = dict(dispatch.scope)
        return SiteScope(node.value.value, {uid: dispatch.root_text for uid in paths}, paths,
                         {uid: anchor for uid in paths} if anchor else {}, containers=dict(dispatch.containers))

    def name_var_of(self, tensor: cst.BaseExpression) -> str | None:
        """``name`` in ``for name, p in model.named_parameters()`` when the init's target is ``p``."""
        node = tensor
        while isinstance(node, (cst.Attribute, cst.Subscript)):
            node = node.value
        if not isinstance(node, cst.Name):
            return None
        for key, value in self.env.items():
            if isinstance(value, NameOf) and value.var == node.value:
                return key
        return None

    def starred_return(self, node: cst.Call, names: tuple[str, ...]
                       ) -> tuple[dict[str, cst.BaseExpression], dict[str, cst.BaseExpression]] | None:
        """``uniform_(*hidden_init(self.fc1))``: the parameters the starred helper's returned tuple fills,
        each with its expression, and the syntax of the names those read (returned.py)."""
        stars = [i for i, a in enumerate(node.args) if a.star]
        if len(stars) != 1 or node.args[stars[0]].star != "*" or \
                any(a.keyword is not None for a in node.args[:stars[0]]):
            return None
        inner = node.args[stars[0]].value
        if not isinstance(inner, cst.Call):
            return None
        ref = self.value(inner.func)
        if not isinstance(ref, FuncRef) or ref.node is None:
            return None
        found = returned(ref.node, inner, set(self.sources) | set(self.env),
                         skip_self=ref.bound_self and isinstance(inner.func, cst.Attribute))
        if found is None:
            return None
        value = found.value
        if isinstance(value, cst.Name) and value.value in found.sources:
            value = found.sources[value.value]
        if not isinstance(value, (cst.Tuple, cst.List)) or \
                any(isinstance(e, cst.StarredElement) for e in value.elements):
            return None
        free = names[stars[0]:]
        if len(value.elements) > len(free):
            return None
        return dict(zip(free, (e.value for e in value.elements), strict=False)), found.sources

    def deferred(self, raw: dict[str, cst.BaseExpression], tensor: cst.BaseExpression,
                 found: Targets, helper_sources: dict[str, cst.BaseExpression] | None = None) -> symbolic.Deferred:
        """The arguments' syntax and the names they read, for evaluation per target layer."""
        node = _tensor_base(tensor)
        layer_text = symbolic.text(node.value) if isinstance(node, cst.Attribute) else None
        slice_node = found.slice
        bounds = None
        if slice_node is not None and isinstance(slice_node.slice, cst.Slice) and slice_node.slice.step is None:
            bounds = (slice_node.slice.lower, slice_node.slice.upper)
        sources = {**self.sources, **(helper_sources or {})}
        return symbolic.Deferred(nodes={k: v for k, v in raw.items() if k != "tensor"}, sources=sources,
                                 static=self.snapshot_evaluator(), layer_text=layer_text,
                                 param_text=symbolic.text(node), slice_bounds=bounds,
                                 slice_node=slice_node.slice if slice_node is not None else None)
