"""Parameters reached by name: a recurrent module's ``_all_weights`` / ``_flat_weights_names`` walked in a
loop, and ``getattr(lstm, name)`` / ``lstm._parameters[name]`` turning a name back into the parameter.

``for names in lstm._all_weights: for name in names: if name.startswith("weight_"): getattr(lstm, name)...``
reaches exactly the weights torch lists there (``RNNBase.__init__`` appends each layer's and direction's
``weight_ih_l{k}{suffix}, weight_hh_l{k}{suffix}[, bias_ih, bias_hh][, weight_hr]`` names to both lists),
so the name loop is a parameter loop over the module's own parameters, narrowed by the tests on the name.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from initlint.picture import narrowing, torchspec
from initlint.picture.domain import DispatchVal, LayerVal, NameOf, ParamNamesVal, ParamRef, ParamSetVal
from initlint.picture.frame import Frame
from initlint.picture.syntax import positional

# RNNBase's lists of its parameters' names: per layer and direction, and flat.
NAME_LISTS = {"_all_weights": True, "_flat_weights_names": False}


class ParamNames(Frame):
    def rnn_param_names(self, base: Any, attr: str) -> ParamNamesVal | None:
        """``lstm._all_weights`` of a recurrent module (a layer, or a dispatch variable narrowed to them)."""
        if attr not in NAME_LISTS:
            return None
        uids = self._recurrent_uids(base)
        if uids is None:
            return None
        entries: list[tuple[ParamRef, str, int | None]] = []
        for uid in uids:
            for pname, shape in self.b.picture.layers[uid].params.items():
                entries.append((ParamRef(uid, pname), pname, None if shape is None else len(shape)))
        return ParamNamesVal(ParamSetVal(tuple(entries)), nested=NAME_LISTS[attr])

    def _recurrent_uids(self, base: Any) -> list[int] | None:
        """The recurrent modules ``base`` stands for, only if it stands for nothing else."""
        if isinstance(base, LayerVal):
            uids = list(base.uids)
        elif isinstance(base, DispatchVal) and not base.uncertain:
            uids = [uid for uid, path in base.scope if self._matches(base, uid, path)]
        else:
            return None
        layers = [self.b.picture.layers[uid] for uid in uids]
        if not layers or any(layer.kind not in torchspec.RECURRENT for layer in layers):
            return None
        return uids

    def bind_param_names(self, target: cst.BaseExpression, value: ParamNamesVal) -> bool:
        """``for name in lstm._flat_weights_names``: ``name`` names a parameter of the set kept beside it
        (so ``if name.startswith("weight")`` narrows that set); ``for names in lstm._all_weights``: ``names``
        is one group of such names."""
        if not isinstance(target, cst.Name):
            return False
        if value.nested:
            self.env[target.value] = ParamNamesVal(value.params, nested=False)
            return True
        key = f"{target.value}#parameter"
        self.env[key] = value.params
        self.env[target.value] = NameOf(key)
        return True

    def filtered_names(self, node: cst.Call) -> ParamNamesVal | None:
        """``filter(lambda n: "bias" in n, names)`` over parameter names: the names the test keeps (a test we
        cannot read makes the set uncertain, so nothing is said about what the loop reaches)."""
        if not (isinstance(node.func, cst.Name) and node.func.value == "filter") or "filter" in self.env \
                or self.imports.resolve(node.func) is not None:
            return None
        args = positional(node)
        if len(args) != 2 or len(node.args) != 2 or not isinstance(args[0], cst.Lambda):
            return None
        params = args[0].params.params
        names = self.iter_value(args[1])
        if len(params) != 1 or not isinstance(names, ParamNamesVal) or names.nested:
            return None
        saved = dict(self.env)
        try:
            self.bind_param_names(params[0].name, names)
            key = f"{params[0].name.value}#parameter"
            kept = narrowing.narrow(args[0].body, self.narrowing_context()).true_env.get(key)
        finally:
            self.env = saved
        if not isinstance(kept, ParamSetVal):
            kept = names.params.made_uncertain()
        return ParamNamesVal(kept, nested=False)

    def param_by_name(self, owner: cst.BaseExpression, name: cst.BaseExpression) -> ParamSetVal | None:
        """``getattr(lstm, name)`` / ``lstm._parameters[name]`` with ``name`` bound by a loop over this
        module's own parameter names (``_all_weights``, ``named_parameters()`` of the module itself)."""
        ref = self.value(name)
        if not isinstance(ref, NameOf):
            return None
        params = self.env.get(ref.var)
        if not isinstance(params, ParamSetVal) or params.uncertain:
            return None
        if any(qual != entry.param for entry, qual, _ in params.entries):
            return None  # dotted names (``fc.weight``) are not attributes of one module
        base = self.value(owner)
        owned = set(base.uids) if isinstance(base, LayerVal) else set(self._recurrent_uids(base) or ())
        if not owned or any(entry.layer not in owned for entry, _, _ in params.entries):
            return None
        return params

    def parameters_item(self, node: cst.Subscript) -> ParamSetVal | None:
        """``lstm._parameters[name]``: the module's own parameter dict, indexed by a parameter name."""
        base = node.value
        if not (isinstance(base, cst.Attribute) and base.attr.value == "_parameters") or len(node.slice) != 1 \
                or not isinstance(node.slice[0].slice, cst.Index):
            return None
        return self.param_by_name(base.value, node.slice[0].slice.value)

    def getattr_param(self, node: cst.Call) -> ParamSetVal | None:
        """``getattr(module, name)`` (the builtin, two arguments) as a parameter reached by name."""
        if not (isinstance(node.func, cst.Name) and node.func.value == "getattr") or \
                self.imports.resolve(node.func) is not None or "getattr" in self.env:
            return None
        args = positional(node)
        if len(args) != 2 or len(node.args) != 2:
            return None
        return self.param_by_name(args[0], args[1])
