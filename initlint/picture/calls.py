"""Calls: torch constructors (through torchspec), the file's own classes and helpers, ``super()``,
``apply(fn)``, in-place init methods; a call we cannot follow is UNKNOWN, and marks the model's init opaque
when its name says it may initialize."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import libcst as cst

from initlint.picture import symbolic, torchspec
from initlint.picture.act_forms import activation_of_function
from initlint.picture.budget import MAX_CALL_DEPTH, MAX_DIM, MAX_RNN_LAYERS, MAX_SOURCE_NAMES
from initlint.picture.domain import (
    UNKNOWN,
    ActVal,
    ClassInfo,
    ClassRef,
    DispatchVal,
    FuncRef,
    LayerVal,
    NameOf,
    OpaqueVal,
    SeqVal,
    SubVal,
    TransVal,
    is_number,
)
from initlint.picture.dynamic_attrs import attribute_key
from initlint.picture.eval import numeric_function
from initlint.picture.frame import Frame
from initlint.picture.imports import dotted
from initlint.picture.model import Binding, Condition, InstanceCall, Layer
from initlint.picture.syntax import (
    assigned_names,
    bound_args,
    function_params,
    names_in,
    positional,
    string_value,
    unbound_by_star,
)

COPIES = ("copy.deepcopy", "copy.copy")


class Calls(Frame):
    def call(self, node: cst.Call) -> Any:
        func = node.func
        by_name = self.getattr_param(node)
        if by_name is not None:
            return by_name
        resolved = self.imports.resolve(func)
        if resolved is not None and resolved.startswith("torch.nn.init."):
            self.init_call(node, resolved[len("torch.nn.init."):])
            return UNKNOWN
        if resolved is not None and resolved in torchspec.DATA_DRIVEN_INITS:
            return self.data_driven_init(node)
        if isinstance(func, cst.Attribute):
            parent = self.parent_method(func)
            if parent is not None:
                return self.call_local(parent, node, skip_self=isinstance(func.value, cst.Name))
            handled, result = self.method_call(node, func)
            if handled:
                return result
        if isinstance(func, cst.Name) and func.value == "setattr" and resolved is None and self.setattr_self(node):
            return UNKNOWN
        if isinstance(func, cst.Call):
            chosen = self.nn_class_by_name(func)
            if chosen is not None:
                return self.layers_by_name(chosen, node)
        if numeric_function(resolved) is not None:
            return self.number(node)  # ``std=np.sqrt(2)``, ``math.sqrt(5)``: a number when its arguments are
        callee = self.value(func) if resolved is None else ClassRef(resolved)
        if resolved in COPIES or isinstance(callee, ClassRef) and callee.qualified in COPIES:
            # ``copy.deepcopy(ff)`` or an alias of it (``c = copy.deepcopy; c(ff)``): the same kind of module
            args = positional(node)
            return self.value(args[0]) if args else UNKNOWN
        if resolved in torchspec.SCALE_KEEPING_WRAPPERS:
            return self.weight_normed(node)
        if isinstance(func, cst.Name) and func.value == "partial" or resolved == "functools.partial":
            args = positional(node)
            inner = self.value(args[0]) if args else UNKNOWN
            if len(node.args) > 1 and _is_activation_ref(inner):
                return OpaqueVal()  # partial(nn.LeakyReLU, 0.2): not the defaults, and we keep no arguments
            return inner
        if isinstance(callee, ClassRef):
            if not callee.qualified.startswith(("torch.", "<local>.")) and _may_initialize(func):
                self.b.picture.opaque_init.add(self.root)  # an imported init function
            return self.instantiate(callee.qualified, node)
        if isinstance(callee, FuncRef):
            return self.call_local(callee, node)
        if isinstance(func, cst.Name) and resolved is None and callee is UNKNOWN:
            number = self.number(node)  # ``nc = int(opt.nc)``, ``n = max(k, 1)``: the builtin of known numbers
            if number is not UNKNOWN:
                return number
        if _may_initialize(func):
            self.b.picture.opaque_init.add(self.root)
        for arg in node.args:
            self.value(arg.value)
        return UNKNOWN

    def instance_call(self, cls: str, node: cst.Call) -> InstanceCall:
        """The call building an instance of the file's class ``cls``, with the ``__init__`` parameters it
        passes (by keyword, or by position after ``self``)."""
        found = self.b.method(self.b.classes[cls], "__init__")
        if found is None or any(arg.star for arg in node.args):
            return InstanceCall(cls, None, self.b.module.code_for_node(node), node)
        init = found[0]
        params = [p.name.value for p in function_params(init)]
        params = params[1:] if params and params[0] in ("self", "cls") else params
        count = len([a for a in node.args if a.keyword is None])
        keywords = {a.keyword.value for a in node.args if a.keyword is not None}
        passed = frozenset(params[:count]) | frozenset(keywords) if count <= len(params) else None
        calls, assigned = self.b.syntax_fact("calls and locals of a function", init, calls_and_locals)
        return InstanceCall(cls, passed, self.b.module.code_for_node(node), node, calls, assigned)

    def weight_normed(self, node: cst.Call) -> Any:
        """``weight_norm(m)`` is ``m``, computing the weight it had (torchspec.SCALE_KEEPING_WRAPPERS); from
        now on its ``weight`` (or the ``name=`` it wraps) is computed, so later inits on it set nothing."""
        bound = bound_args(node, ("module", "name", "dim"))
        module = self.value(bound["module"]) if "module" in bound else UNKNOWN
        name = string_value(bound["name"]) if "name" in bound else "weight"
        if isinstance(module, LayerVal) and name is not None and self.b.collecting:
            for uid in module.uids:
                self.b.picture.layers[uid].reparametrized.add(name)
        return module

    def setattr_self(self, node: cst.Call) -> bool:
        """``setattr(self, 'fc%i' % i, nn.Linear(...))`` (the builtin): an attribute like ``self.fc0 = ...``,
        under its format (``fc*``) when the name is not known (dynamic_attrs.py)."""
        args = positional(node)
        if "setattr" in self.env or "setattr" in self.b.functions or len(args) != 3 or len(node.args) != 3 \
                or not self.is_self(args[0]) or self.info is None:
            return False
        key = attribute_key(args[1], self.number)
        value = self.value(args[2])
        if key is None:
            return False
        self.info.attrs[key] = value
        self.name_value(value, key, self.info.name)
        return True

    def activation_class(self, name: str) -> torchspec.Activation | None:
        """A file's module class that builds nothing and whose forward computes a torch activation
        (act_forms.py)."""
        info = self.b.classes[name]
        if any(isinstance(v, (LayerVal, SeqVal, SubVal, OpaqueVal)) for v in info.attrs.values()):
            return None
        found = self.b.method(info, "forward")
        if found is None:
            return None
        act: torchspec.Activation | None = self.b.syntax_fact(
            "activation form of a method", found[0], lambda fn: activation_of_function(fn, self.imports, method=True))
        return act

    def parent_method(self, func: cst.Attribute) -> FuncRef | None:
        """``super().__init__`` / ``Base.__init__(self, ...)``: the base-class method, run on this object."""
        if self.info is None or self.owner is None:
            return None
        target = func.value
        bases: list[ClassInfo] = []
        if isinstance(target, cst.Call) and isinstance(target.func, cst.Name) and target.func.value == "super":
            bases = self.b._base_infos(self.owner)
        elif isinstance(target, cst.Name) and target.value in self.b.classes \
                and target.value in [b.rsplit(".", 1)[-1] for b in self.owner.bases]:
            bases = [self.b.classes[target.value]]
        for base in bases:
            found = self.b.method(base, func.attr.value)
            if found is not None:
                return FuncRef(found[0], found[1].name, True)
        return None

    def call_local(self, ref: FuncRef, node: cst.Call, skip_self: bool = False) -> Any:
        if self.depth >= MAX_CALL_DEPTH or ref.node is None or not self.work.call():
            return UNKNOWN
        args = [self.value(a.value) for a in node.args if a.keyword is None and not a.star]
        if skip_self:
            args = args[1:]  # Base.__init__(self, ...): self is bound already
        kwargs = {a.keyword.value: self.value(a.value) for a in node.args if a.keyword is not None}
        info = self.b.classes.get(ref.owner) if ref.owner else None
        owner = info
        if ref.bound_self and self.info is not None:
            info = self.info
        child = type(self)(self.b, info, self.context + (id(node),), self.depth + 1)
        child.path = self.path
        child.shared_depth = self.shared_depth
        child.apply_anchor = self.apply_anchor
        if not ref.bound_self and isinstance(self.current_statement, cst.Expr) \
                and self.current_statement.value is node:
            # ``_xavier_init(self.extra)`` as a statement: after it, ``self.extra`` names what the helper's
            # parameter named inside it
            names = [p.name.value for p in function_params(ref.node)]
            texts = [symbolic.text(a.value) for a in node.args if a.keyword is None and not a.star]
            child.call_anchor = (self.current_statement, dict(zip(names, texts, strict=False)))
        self.b._applied.add(id(ref.node))
        child.enter(ref)
        child.passed_defaults = self._passed_defaults(node, skip_self)
        child.passed_literals = _literal_arguments(node, skip_self)
        result = child.call_function(ref.node, args, kwargs, self_bound=ref.bound_self, owner=owner)
        return result

    def _passed_defaults(self, node: cst.Call, skip_self: bool) -> dict[int | str, str]:
        """Arguments that pass on a name holding an option's default unchanged (``init_weights(net,
        init_type)`` inside ``init_net(net, init_type='normal')``): by position or keyword."""
        out: dict[int | str, str] = {}
        index = -1 if skip_self else 0
        for arg in node.args:
            if arg.star:
                break
            where = self._default_of(arg.value)
            if arg.keyword is not None:
                if where is not None:
                    out[arg.keyword.value] = where
                continue
            if where is not None and index >= 0:
                out[index] = where
            index += 1
        return out

    def _default_of(self, node: cst.BaseExpression) -> str | None:
        if isinstance(node, cst.Name):
            return self.defaults.get(node.value)
        return None

    def method_call(self, node: cst.Call, func: cst.Attribute) -> tuple[bool, Any]:
        method = func.attr.value
        if method in torchspec.TENSOR_INIT_METHODS:
            refs = self.targets(func.value)
            if refs is not None:
                self.tensor_init(node, method, func.value, refs)
                return True, UNKNOWN
        if method == "apply" and len(node.args) == 1:
            owner = self.value(func.value)
            scope = self.scope_for(owner)
            fn = self.value(node.args[0].value)
            if isinstance(fn, FuncRef) and scope is not None:
                bound = fn.bound_self or fn.owner is not None and self.info is not None
                info = self.b.classes.get(fn.owner) if fn.owner else None
                if bound and self.info is not None:
                    info = self.info
                self.b._applied.add(id(fn.node))
                interp = type(self)(self.b, info, self.context + (id(node),), self.depth + 1)
                interp.path = self.path
                interp.shared_depth = 1
                params = [p for p in function_params(fn.node) if p.name.value not in ("self", "cls")]
                all_params = function_params(fn.node)
                named_self = bool(all_params) and all_params[0].name.value == "self" and not any(
                    symbolic.text(d.decorator) in ("staticmethod", "classmethod") for d in fn.node.decorators)
                if bound and named_self and self.is_self(func.value):
                    scope = replace(scope, root_text="self")  # self.apply(self._init_weights): same self
                interp.apply_anchor = (self.current_statement, symbolic.text(func.value))
                interp.enter(fn)
                if params:
                    interp.call_function(fn.node, dispatch_args(fn.node, scope), {}, self_bound=bool(bound),
                                         owner=info)
                return True, owner
            self.b.picture.opaque_init.add(self.root)  # apply(fn) of a function we cannot see
            return True, owner
        if method in ("append", "extend", "add_module", "insert"):
            target = self._container(func.value)
            if target is not None:
                self._mutate(target, method, positional(node))
                if isinstance(func.value, cst.Attribute) and self.info is not None:
                    self.name_value(target, func.value.attr.value, self.info.name)
                return True, UNKNOWN
        if method == "add_module" and self.is_self(func.value) and self.info is not None:
            args = positional(node)
            if len(args) == 2:
                name = string_value(args[0])
                value = self.value(args[1])
                if name is not None:
                    self.info.attrs[name] = value
                    self.name_value(value, name, self.info.name)
                return True, UNKNOWN
        return False, None

    def instantiate(self, qualified: str, node: cst.Call) -> Any:
        if qualified.startswith("<local>."):
            name = qualified[len("<local>."):]
            if name in self.b.classes:
                evaluated = [(arg, self.value(arg.value)) for arg in node.args]
                if self.b.scout is not None:
                    self.b.scout.record(name, node, evaluated,
                                        self.b.cli_notes_of(*(a.value for a in node.args), sources=self.sources))
                act = self.activation_class(name)
                if act is not None:
                    return ActVal(act)  # class Swish(nn.Module): forward returns x * torch.sigmoid(x)
                if self.b.collecting:
                    self.b.picture.instances.setdefault(id(node), self.instance_call(name, node))
                return SubVal(name, made_by=id(node))
            if name in self.b.functions:
                return self.call_local(FuncRef(self.b.functions[name], None), node)
            return UNKNOWN
        if not qualified.startswith("torch.nn.") or qualified.count(".") != 2:
            if qualified in ("torch.empty", "torch.zeros", "torch.ones", "torch.randn", "torch.rand",
                             "torch.Tensor", "torch.FloatTensor", "torch.full", "torch.eye"):
                return ("tensor", qualified, node)
            return OpaqueVal() if _is_module_like(qualified) else UNKNOWN
        kind = qualified.rsplit(".", 1)[-1]
        if kind in torchspec.ACTIVATION_MODULES:
            slope = None
            if kind == "LeakyReLU":
                slope_node = bound_args(node, ("negative_slope",)).get("negative_slope")
                slope = self.number(slope_node) if slope_node is not None else None
            elif kind == "PReLU":
                slope_node = bound_args(node, ("num_parameters", "init")).get("init")
                slope = self.number(slope_node) if slope_node is not None else None
            act = torchspec.activation_for_module(kind, slope if is_number(slope) else None)
            if kind == "LeakyReLU" and slope is not None and not is_number(slope):
                return OpaqueVal()
            return ActVal(act) if act is not None else OpaqueVal()
        if kind in torchspec.TRANSPARENT_MODULES:
            return TransVal()
        if kind in ("Sequential", "ModuleList"):
            return self.container(kind, node)
        if kind == "ModuleDict":
            args = positional(node)
            seq = SeqVal("ModuleDict")
            if args and isinstance(args[0], cst.Dict):
                for element in args[0].elements:
                    if isinstance(element, cst.DictElement):
                        item = self.value(element.value)
                        seq.items.append(item)
                        key = string_value(element.key)
                        if key is not None:
                            seq.keys[key] = item
            return seq
        if kind == "Parameter":
            return self.parameter(node)
        if kind in torchspec.LAYER_SIGNATURES:
            return self.layer(kind, node)
        if kind in torchspec.COMPOSITE_SIGNATURES:
            return self.composite(kind, node)
        return OpaqueVal()

    def nn_class_by_name(self, node: cst.Call) -> list[tuple[str, tuple[Condition, ...]]] | None:
        """``getattr(nn, rnn_type)`` (the builtin, on torch.nn as the imports name it): the class names it can
        be, each with the option it is chosen under: one for a known string or an ``if rnn_type == 'LSTM':``
        arm, one per item in an ``if rnn_type in ['LSTM', 'GRU']:`` arm; none when nothing says; None when the
        call is not one."""
        func = node.func
        if not (isinstance(func, cst.Name) and func.value == "getattr") or self.imports.resolve(func) is not None \
                or "getattr" in self.env:
            return None
        args = positional(node)
        if len(args) != 2 or len(node.args) != 2 or self.imports.resolve(args[0]) != "torch.nn":
            return None
        value = self.value(args[1])
        if isinstance(value, str):
            return [(value, ())]
        subject = symbolic.text(args[1])
        for condition in reversed(self.path):
            option = condition.option
            if option is None or option[0] != subject or not option[2]:
                continue
            if isinstance(option[1], str):
                return [(option[1], ())]
            if isinstance(option[1], tuple) and option[1] and all(isinstance(v, str) for v in option[1]):
                return [(v, (replace(condition, test=f"{subject} == {v!r}", taken=True, value=v, flipped=False,
                                     key=hash((condition.key, v))),)) for v in dict.fromkeys(option[1])]
        return []

    def layers_by_name(self, chosen: list[tuple[str, tuple[Condition, ...]]], node: cst.Call) -> Any:
        """The layers ``getattr(nn, name)(...)`` builds, one per class the name can be (each under its option)."""
        if len(chosen) == 1 and not chosen[0][1]:
            return self.instantiate(f"torch.nn.{chosen[0][0]}", node)
        if not chosen or any(name not in torchspec.LAYER_SIGNATURES for name, _ in chosen):
            return OpaqueVal()
        uids = tuple(uid for name, when in chosen for uid in self.layer(name, node, (name,), when).uids)
        return LayerVal(uids)

    def layer(self, kind: str, node: cst.Call, variant: tuple[str, ...] = (),
              option: tuple[Condition, ...] = ()) -> LayerVal:
        owner = self.info.name if self.info else "<module>"
        key = (self.context, id(node), *variant)
        layer, created = self.b.new_layer(key, kind, owner, node)
        if self.loop_stack:
            layer.repeat = self.loop_stack[-1]
        if created:
            layer.when = self.path + option
            self.place_layer(layer, node)
            names = torchspec.LAYER_SIGNATURES[kind]
            raw = bound_args(node, names)
            args = {name: self.number(expr) for name, expr in raw.items()}
            args.update({name: UNKNOWN for name in unbound_by_star(node, names, raw)})
            layer.args = {k: (None if v is UNKNOWN or isinstance(v, int) and abs(v) > MAX_DIM else v)
                          for k, v in args.items()}
            depth = layer.args.get("num_layers")
            if isinstance(depth, int) and depth > MAX_RNN_LAYERS:
                layer.args["num_layers"] = None  # past the budget: its per-layer parameters are not spelled out
            layer.params = torchspec.layer_params(kind, layer.args, star=any(a.star for a in node.args))
            layer.sized_by = self._sized_by(raw.values())
            layer.assumed = tuple(dict.fromkeys(self.b.cli_notes_of(*raw.values(), sources=self.sources)
                                                + (layer.sized_by.assumed if layer.sized_by is not None else ())))
            self._own_children(layer, key, owner, node)
        return LayerVal((layer.uid,))

    def _own_children(self, layer: Layer, key: tuple[Any, ...], owner: str, node: cst.Call) -> None:
        """The sub-layers a torch layer builds itself (``MultiheadAttention.out_proj``)."""
        for child_name, child_kind in torchspec.CHILDREN.get(layer.kind, ()):
            child, _ = self.b.new_layer(key + (child_name,), child_kind, owner, node)
            child.args = torchspec.child_args(layer.kind, child_name, layer.args)
            child.params = torchspec.layer_params(child_kind, child.args, star=False)
            self.b.adopt(layer.uid, child.uid, child_name)

    def _sized_by(self, exprs: Any) -> Binding | None:
        """The binding of the class being built (``SimpleNet(100, 100, 10)``) when these size arguments read
        its bound parameters, directly or through local names (a helper's arguments count as reading them)."""
        binding = self.b.picture.bindings.get(self.root) if self.root is not None else None
        if binding is None or not binding.values:
            return None  # (a binding of passed modules only says nothing of sizes)
        if self.depth > 0:
            return binding
        pending = [name for expr in exprs for name in names_in(expr)]
        seen: set[str] = set()
        while pending and len(seen) < MAX_SOURCE_NAMES:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in binding.values:
                return binding
            source = self.sources.get(name)
            if source is not None:
                pending.extend(names_in(source))
        return None

    def parameter(self, node: cst.Call) -> Any:
        args = positional(node)
        if not args:
            return UNKNOWN
        inner = self._drawn_tensor(args[0], 0)
        if not (isinstance(inner, tuple) and len(inner) == 3 and inner[0] == "tensor"):
            return OpaqueVal()
        tensor_call: cst.Call = inner[2]
        owner = self.info.name if self.info else "<module>"
        layer, created = self.b.new_layer((self.context, id(node)), "Parameter", owner, node)
        if created:
            layer.params = {"": self._tensor_shape(inner[1], tensor_call)}
        return LayerVal((layer.uid,))

    def _drawn_tensor(self, node: cst.BaseExpression, depth: int) -> Any:
        """The tensor factory a Parameter's value comes from: ``torch.rand(n, m)``, also scaled or shifted
        (``torch.rand(n, m) * 2 * r - r``, through the local names it was assigned to): the shape is the
        factory's."""
        if depth < 6 and isinstance(node, cst.Name) and node.value in self.sources:
            return self._drawn_tensor(self.sources[node.value], depth + 1)
        if depth < 6 and isinstance(node, cst.BinaryOperation) and isinstance(
                node.operator, (cst.Multiply, cst.Divide, cst.Add, cst.Subtract)):
            for side in (node.left, node.right):
                found = self._drawn_tensor(side, depth + 1)
                if isinstance(found, tuple):
                    return found
            return UNKNOWN
        value = self.value(node)
        return value if isinstance(value, tuple) and len(value) == 3 and value[0] == "tensor" else UNKNOWN

    def _tensor_shape(self, factory: str, call: cst.Call) -> tuple[int | None, ...] | None:
        if any(a.star for a in call.args):
            return None
        args = positional(call)
        if factory == "torch.full":
            args = args[:1]
        if factory == "torch.eye":
            return (self._dim(args[0]), self._dim(args[1] if len(args) > 1 else args[0])) if args else None
        if len(args) == 1:
            single = args[0]
            if isinstance(single, (cst.Tuple, cst.List)):
                return tuple(self._dim(e.value) for e in single.elements)
            value = self.number(single)
            if isinstance(value, tuple):
                return tuple(v if isinstance(v, int) else None for v in value)
            if isinstance(value, int):
                return (value,)
            if _looks_scalar(single):
                return (None,)
            return None
        if not args:
            return None
        return tuple(self._dim(a) for a in args)

    def _dim(self, node: cst.BaseExpression) -> int | None:
        value = self.number(node)
        return value if isinstance(value, int) and not isinstance(value, bool) else None


def dispatch_args(fn: cst.FunctionDef, scope: DispatchVal) -> list[Any]:
    """Arguments for an init routine run over a scope: the module, and its name if the routine takes one
    (timm's ``named_apply`` passes ``name``), so that tests on the name narrow the dispatch."""
    params = [p.name.value for p in function_params(fn) if p.name.value not in ("self", "cls")]
    args: list[Any] = [scope]
    if len(params) > 1 and "name" in params[1]:
        args.append(NameOf(params[0]))
    return args


def _is_activation_ref(value: object) -> bool:
    """An activation class or function named as a value (``nn.LeakyReLU``, ``F.leaky_relu``)."""
    if not isinstance(value, ClassRef):
        return False
    space, _, name = value.qualified.rpartition(".")
    return space == "torch.nn" and name in torchspec.ACTIVATION_MODULES or \
        space in ("torch.nn.functional", "torch") and name in torchspec.ACTIVATION_FUNCTIONS


def _may_initialize(func: cst.BaseExpression) -> bool:
    """A call we cannot follow whose name says it may (re)initialize weights: ``post_init()``,
    ``init_weights(model)``, ``reset_parameters()``, ``named_apply(...)``, ``load_state_dict(...)``."""
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    if name.startswith("__") and name.endswith("__"):
        return False  # super().__init__() and other dunders
    lowered = name.lower().strip("_")
    if lowered in ("init", "reset", "initialize", "init_fn", "initializer"):
        return True
    return any(key in lowered for key in _INIT_NAME_PARTS) or lowered.endswith("apply")


_INIT_NAME_PARTS = ("init_weight", "weights_init", "weight_init", "init_param", "initializ", "reset_param",
                    "post_init", "init_model", "init_module", "init_layer", "load_state", "load_pretrained",
                    "from_pretrained", "load_weights", "load_checkpoint")


def _looks_scalar(node: cst.BaseExpression) -> bool:
    """A single size argument that is a plain count (``out_features``), not a shape variable."""
    if isinstance(node, cst.BinaryOperation):
        return True
    path = dotted(node)
    if path is None:
        return False
    last = path.rsplit(".", 1)[-1].lower()
    return not (last.endswith(("shape", "_sizes")) or last in ("size", "sizes", "dims", "shp"))


def _is_module_like(qualified: str) -> bool:
    return qualified[:1].isupper() or "." in qualified and qualified.rsplit(".", 1)[-1][:1].isupper()


def _literal_arguments(node: cst.Call, skip_self: bool) -> set[int | str]:
    """The arguments written as a literal (``'kaiming'``, ``0.02``, ``True``, ``-1``), by position (after
    ``self`` when it is skipped) or keyword: values the call fixes, unlike a name that may hold an option."""
    out: set[int | str] = set()
    index = -1 if skip_self else 0
    for arg in node.args:
        if arg.star:
            break
        if _is_literal(arg.value):
            out.add(arg.keyword.value if arg.keyword is not None else index)
        if arg.keyword is None:
            index += 1
    return out


def _is_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        node = node.expression
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    return isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.ConcatenatedString))


def calls_and_locals(fn: cst.FunctionDef) -> tuple[frozenset[int], frozenset[str]]:
    """The ids of the calls written in ``fn`` itself (not in a nested function) and the names it assigns."""
    calls: set[int] = set()
    stack: list[cst.CSTNode] = [fn.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Call):
            calls.add(id(node))
        stack.extend(node.children)
    return frozenset(calls), frozenset(assigned_names(fn.body))
