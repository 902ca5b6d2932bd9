"""Calls of torch's composite modules (``nn.Transformer``, ``nn.TransformerEncoder(layer, n)`` and their
layers): the parts torch builds inside them, as torchspec.composites describes them, with their sizes, what
their outputs meet in torch's forward, and the deep copies ``TransformerEncoder`` makes of its layer."""

from __future__ import annotations

from typing import Any

import libcst as cst

from initlint.picture import torchspec
from initlint.picture.budget import MAX_DIM
from initlint.picture.domain import UNKNOWN, ActVal, ClassRef, LayerVal, ParamRef
from initlint.picture.frame import Frame
from initlint.picture.model import ACT, LINEAR, RESIDUAL, UNKNOWN_FOLLOW, Follow, Layer
from initlint.picture.syntax import bound_args, unbound_by_star


class CompositeCalls(Frame):
    def composite(self, kind: str, node: cst.Call) -> LayerVal:
        """``nn.Transformer(...)``, ``nn.TransformerEncoder(layer, n)`` and their layers: the parts torch builds
        inside them (torchspec.composites), with their sizes and what their outputs meet in torch's forward."""
        owner = self.info.name if self.info else "<module>"
        key = (self.context, id(node))
        layer, created = self.b.new_layer(key, kind, owner, node)
        if not created:
            self._copy_inits(layer.uid)
            return LayerVal((layer.uid,))
        self.place_layer(layer, node)
        names = torchspec.COMPOSITE_SIGNATURES[kind]
        raw = bound_args(node, names)
        modules = torchspec.MODULE_ARGS.get(kind, {})
        given: dict[str, object] = {}
        for name, expr in raw.items():
            if name in modules:
                continue
            value = self._activation_arg(expr) if name == "activation" else self.number(expr)
            given[name] = None if value is UNKNOWN or isinstance(value, int) and abs(value) > MAX_DIM else value
        given.update({name: None for name in unbound_by_star(node, names, raw)})
        args = torchspec.composite_args(kind, given)
        if "activation" in names:
            args["activation"] = torchspec.activation_of(args.get("activation"))
        layer.args = args
        layer.sized_by = self._sized_by(raw.values())
        layer.assumed = tuple(dict.fromkeys(self.b.cli_notes_of(*raw.values(), sources=self.sources)
                                            + (layer.sized_by.assumed if layer.sized_by is not None else ())))
        self._parts(layer, key, owner, node)
        for name, under in modules.items():
            value = self.value(raw[name]) if name in raw else None
            if isinstance(value, LayerVal):
                for uid in value.uids:
                    if under.endswith(".*"):  # ``layers``: deep copies of the layer it is given (_get_clones)
                        self.b.adopt(layer.uid, self._deep_copy(uid, layer.uid, key + (name,), node), under)
                    else:
                        self.b.adopt(layer.uid, uid, under)  # ``norm``: kept as it is
        self._copy_inits(layer.uid)
        return LayerVal((layer.uid,))

    def _deep_copy(self, uid: int, composite: int, key: tuple[Any, ...], node: cst.Call) -> int:
        """A copy of a layer and its sub-layers, as ``copy.deepcopy`` makes it: the copies are what the model
        runs; the original keeps only what it was given before (``_copy_inits`` hands that on), and what its
        parts meet no longer matters to anyone (an init of it afterwards is IL506's business)."""
        copies = self.b.clones.setdefault(composite, {})

        def copy(original: int) -> int:
            source = self.b.picture.layers[original]
            built = source.node if isinstance(source.node, cst.CSTNode) else node
            made, _ = self.b.new_layer(key + ("copy", original), source.kind, source.owner, built)
            made.args, made.params = dict(source.args), dict(source.params)
            made.follows, made.after_act = list(source.follows), list(source.after_act)
            made.sized_by, made.assumed, made.when = source.sized_by, source.assumed, source.when
            copies[original] = made.uid
            for child in self.b.children.get(original, ()):
                self.b.adopt(made.uid, copy(child), self.b.child_paths[child][1])
            return made.uid

        root = copy(uid)
        for original, made in copies.items():
            self.b.picture.layers[made].feeds = {copies.get(f, f) for f in self.b.picture.layers[original].feeds}
            self.b.picture.layers[original].follows = [UNKNOWN_FOLLOW]
            self.b.picture.layers[original].after_act = []
        return root

    def _copy_inits(self, composite: int) -> None:
        """The inits recorded so far on the layers a composite deep-copied reach the copies too (they ran before
        the copy was made)."""
        copies = self.b.clones.get(composite)
        if not copies:
            return
        for site in self.b.sites.values():
            for ref in list(site.targets):
                made = copies.get(ref.layer)
                if made is not None and ParamRef(made, ref.param) not in site.targets:
                    site.targets.append(ParamRef(made, ref.param))

    def _parts(self, layer: Layer, key: tuple[Any, ...], owner: str, node: cst.Call) -> None:
        made: dict[str, Layer] = {}
        built = torchspec.parts(layer.kind, layer.args)
        for part in built:
            within = max((path for path in made if part.path.startswith(path + ".")), key=len, default="")
            parent, under = (made[within], part.path[len(within) + 1:]) if within else (layer, part.path)
            child, _ = self.b.new_layer(key + (part.path,), part.kind, owner, node)
            args = torchspec.part_args(part, layer.args)
            child.sized_by, child.assumed = layer.sized_by, layer.assumed
            self.b.adopt(parent.uid, child.uid, under)
            made[part.path] = child
            if part.kind in torchspec.COMPOSITE_SIGNATURES:
                child.args = torchspec.composite_args(part.kind, args)
                self._parts(child, key + (part.path,), owner, node)
            else:
                child.args = args
                child.params = torchspec.layer_params(part.kind, args, star=False)
                self._own_children(child, key + (part.path,), owner, node)
        for part in built:
            child = made[part.path]
            if part.meets == torchspec.MEETS_RESIDUAL:
                child.follows.append(Follow(RESIDUAL))
            elif part.meets == torchspec.MEETS_ACTIVATION:
                act = layer.args.get("activation")
                child.follows.append(Follow(ACT, act) if isinstance(act, torchspec.Activation) else UNKNOWN_FOLLOW)
                if part.then is not None and isinstance(act, torchspec.Activation):
                    child.after_act.append(LINEAR)
                    child.feeds.add(made[part.then].uid)

    def _activation_arg(self, expr: cst.BaseExpression) -> object:
        """An ``activation=`` argument: a string, or the activation a callable stands for (``F.gelu``,
        ``nn.GELU()``); None when it is none of those."""
        value = self.value(expr)
        if isinstance(value, str):
            return value
        if isinstance(value, ActVal):
            return value.act
        if isinstance(value, ClassRef):
            space, _, name = value.qualified.rpartition(".")
            if space in ("torch.nn.functional", "torch"):
                return torchspec.activation_for_function(name)
        return None
