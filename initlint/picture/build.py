"""Build the static picture of a file: which layers exist, and which init calls touch them.

A small abstract interpreter walks ``__init__`` bodies, init methods and module-level code.  It
knows modules (layers, activations, containers, instances of the file's own classes), numbers
(for layer sizes) and "dispatch" variables (``m`` in ``self.apply(fn)`` or ``for m in
self.modules()``), narrowed by ``isinstance`` tests.  It never imports or runs the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import libcst as cst

from initlint.picture import catalog, symbolic
from initlint.picture.catalog import Activation
from initlint.picture.imports import ImportTable, dotted
from initlint.picture.model import (
    InitSite,
    Layer,
    Locator,
    ParamRef,
    Picture,
    SiteScope,
)
from initlint.picture.syntax import (
    bound_args,
    function_params,
    keyword,
    names_in,
    positional,
    statements,
    string_value,
)
from initlint.picture.values import UNKNOWN, Evaluator, gain_name, is_number

MAX_CALL_DEPTH = 4

# --------------------------------------------------------------------------- abstract values


@dataclass(frozen=True)
class LayerVal:
    uids: tuple[int, ...]


@dataclass(frozen=True)
class ActVal:
    act: Activation


@dataclass(frozen=True)
class TransVal:
    """Dropout, identity, pooling, flatten: passes its input through unchanged in kind."""


@dataclass(frozen=True)
class OpaqueVal:
    """A module we cannot see into (a factory, a config activation, another file's class)."""


@dataclass
class Repeat:
    items: list[Any]
    count: int | None


@dataclass
class SeqVal:
    kind: str  # "Sequential", "ModuleList", "ModuleDict", "list"
    items: list[Any] = field(default_factory=list)
    name: str | None = None
    keys: dict[str, Any] = field(default_factory=dict)  # OrderedDict / ModuleDict names -> item
    statement: Any = field(default=None, repr=False, compare=False)  # where it is stored, for fixes
    assigned_text: str | None = None  # what it is stored as: ``self.net``
    unsure_from: int | None = None  # items from this index on were added under an ``if``: may not exist


@dataclass(frozen=True)
class ClassRef:
    qualified: str  # "torch.nn.ReLU" or "<local>.Block"


@dataclass(frozen=True)
class SubVal:
    cls: str


@dataclass(frozen=True)
class FuncRef:
    node: cst.FunctionDef
    owner: str | None  # class name for methods
    bound_self: bool = False


@dataclass(frozen=True)
class Pred:
    """A test on a layer's kind (for dispatch) or a parameter's name/rank (for parameter loops)."""

    op: str  # "kinds", "contains", "startswith", "endswith", "equals", "rank>", "rank==", "none"
    arg: Any

    def test(self, kind: str, qualname: str, rank: int | None, uid: int | None = None) -> bool | None:
        if self.op == "uids":
            return None if uid is None else uid in self.arg
        if self.op == "any":
            results = [p.test(kind, qualname, rank, uid) for p in self.arg]
            return True if True in results else None if None in results else False
        if self.op == "oneof":
            return qualname in self.arg
        if self.op == "kinds":
            return _kind_matches(kind, self.arg)
        if self.op == "kindcontains":
            return self.arg in kind
        if self.op == "contains":
            return self.arg in qualname
        if self.op == "startswith":
            return qualname.startswith(self.arg)
        if self.op == "endswith":
            return qualname.endswith(self.arg)
        if self.op == "equals":
            return qualname == self.arg
        if self.op == "rank>":
            return None if rank is None else rank > self.arg
        if self.op == "rank==":
            return None if rank is None else rank == self.arg
        return None


class _Narrowable:
    """A loop or dispatch variable that ``if`` tests narrow (shared by the two kinds below)."""

    include: tuple[Pred, ...]
    exclude: tuple[Pred, ...]
    uncertain: bool

    def narrowed(self, include: Pred | None = None, exclude: Pred | None = None) -> Any:
        return replace(self, include=self.include + ((include,) if include else ()),  # type: ignore[type-var]
                       exclude=self.exclude + ((exclude,) if exclude else ()))

    def made_uncertain(self) -> Any:
        """After a test we cannot read: the variable may or may not be what the branch assumes."""
        return replace(self, uncertain=True)  # type: ignore[type-var]


@dataclass(frozen=True)
class DispatchVal(_Narrowable):
    """``m`` in an ``apply`` function or a ``modules()`` loop: any module of a scope, narrowed."""

    scope: tuple[tuple[int, str], ...]  # (layer uid, dotted path from the scope's root)
    include: tuple[Pred, ...] = ()
    exclude: tuple[Pred, ...] = ()
    uncertain: bool = False
    root_text: str | None = None  # how the code that uses ``m`` can name the scope's root (``self``)
    containers: tuple[tuple[str, str], ...] = ()  # (dotted path, "Sequential"/"ModuleList"/...) in the scope


@dataclass(frozen=True)
class ParamSetVal(_Narrowable):
    """``p`` in ``for name, p in self.named_parameters()``: every parameter of a scope, narrowed."""

    entries: tuple[tuple[ParamRef, str, int | None], ...]  # (ref, qualified name, rank)
    include: tuple[Pred, ...] = ()
    exclude: tuple[Pred, ...] = ()
    uncertain: bool = False


@dataclass(frozen=True)
class NameOf:
    """The name variable paired with a dispatch or parameter loop variable."""

    var: str


@dataclass(frozen=True)
class ClassNameOf:
    """``m.__class__.__name__``."""

    var: str


def _kind_matches(kind: str, kinds: frozenset[str]) -> bool:
    if "Module" in kinds:
        return True
    if kind in kinds:
        return True
    if "_ConvNd" in kinds and ("Conv" in kind):
        return True
    if "_ConvTransposeNd" in kinds and kind in catalog.CONV_TRANSPOSE:
        return True
    if "_BatchNorm" in kinds and "BatchNorm" in kind:
        return True
    if ("_NormBase" in kinds or "_InstanceNorm" in kinds) and ("Norm" in kind and "Layer" not in kind):
        return True
    if "RNNBase" in kinds and kind in catalog.RECURRENT:
        return True
    return bool("RNNCellBase" in kinds and kind in catalog.RECURRENT_CELLS)


# --------------------------------------------------------------------------- class table


@dataclass
class ClassInfo:
    name: str
    node: cst.ClassDef
    bases: list[str]
    methods: dict[str, cst.FunctionDef]
    attrs: dict[str, Any] = field(default_factory=dict)
    consts: dict[str, Any] = field(default_factory=dict)


INIT_METHOD_NAMES = ("reset_parameters", "_reset_parameters", "init_weights", "_init_weights", "initialize",
                     "_initialize_weights", "weights_init", "init_params", "_init_params")


class PictureBuilder:
    """Fills a :class:`Picture` from one parsed module."""

    def __init__(self, module: cst.Module, locator: Locator) -> None:
        self.module = module
        self.locator = locator
        self.imports = ImportTable.from_module(module)
        self.picture = Picture()
        self.module_env: dict[str, Any] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.functions: dict[str, cst.FunctionDef] = {}
        self._memo: dict[tuple[Any, ...], int] = {}
        self._next_uid = 0
        self._order = 0
        self.collecting = False
        self._applied: set[int] = set()  # ids of functions analysed with a known dispatch scope
        self._seen_sites: dict[tuple[int, str], InitSite] = {}
        self.children: dict[int, list[int]] = {}  # a layer's own sub-layers (MultiheadAttention.out_proj)
        self.containers: list[SeqVal] = []  # every Sequential/ModuleList built, stored or not

    # ------------------------------------------------------------------ entry

    def build(self) -> Picture:
        self._collect_definitions()
        # Pass 1 builds every class's attribute table so composition is known in any order;
        # pass 2 runs again (layers are memoized by syntax node) and records init sites in order.
        for info in self._class_order():
            self._run_class(info)
        self.collecting = True
        for info in self._class_order():
            info.attrs.clear()
            self._run_class(info)
        self._run_module_level()
        self._run_unapplied_functions()
        from initlint.picture.flow import FlowAnalyzer

        FlowAnalyzer(self).run()
        self.picture.init_prefix = self.imports.init_prefix()
        self.picture.nn_prefix = self.imports.nn_prefix()
        self.picture.nn_name_free = "nn" not in self.imports.names and "nn" not in self.module_env \
            and "nn" not in self.classes and "nn" not in self.functions
        self.picture.import_anchor = _last_import(self.module)
        return self.picture

    def _collect_definitions(self) -> None:
        consts = Evaluator(self.imports, [self.module_env])
        for stmt in statements(self.module.body):
            if isinstance(stmt, cst.ClassDef):
                methods = {
                    s.name.value: s for s in statements(stmt.body) if isinstance(s, cst.FunctionDef)
                }
                bases = [dotted(b.value) or "" for b in stmt.bases]
                self.classes[stmt.name.value] = ClassInfo(stmt.name.value, stmt, bases, methods)
            elif isinstance(stmt, cst.FunctionDef):
                self.functions[stmt.name.value] = stmt
            elif isinstance(stmt, cst.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0].target
                value = consts(stmt.value)
                if isinstance(target, cst.Name):
                    if value is not UNKNOWN:
                        self.module_env[target.value] = value
                elif isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, tuple) \
                        and len(value) == len(target.elements):
                    for element, item in zip(target.elements, value):
                        if isinstance(element.value, cst.Name) and item is not UNKNOWN:
                            self.module_env[element.value.value] = item

    def _class_order(self) -> list[ClassInfo]:
        """Classes with the ones they build on (bases, composed parts) first."""
        order: list[ClassInfo] = []
        seen: set[str] = set()

        def visit(name: str, depth: int = 0) -> None:
            if name in seen or name not in self.classes or depth > 50:
                return
            seen.add(name)
            info = self.classes[name]
            for dep in self._class_deps(info):
                visit(dep, depth + 1)
            order.append(info)

        for name in self.classes:
            visit(name)
        return order

    def _class_deps(self, info: ClassInfo) -> list[str]:
        deps = [b.rsplit(".", 1)[-1] for b in info.bases if b.rsplit(".", 1)[-1] in self.classes]
        init = info.methods.get("__init__")
        if init is not None:
            deps += sorted({n for n in names_in(init.body) if n in self.classes and n != info.name})
        return deps

    def _base_infos(self, info: ClassInfo) -> list[ClassInfo]:
        out = []
        for base in info.bases:
            short = base.rsplit(".", 1)[-1]
            if short in self.classes and short != info.name:
                out.append(self.classes[short])
        return out

    def method(self, info: ClassInfo, name: str, depth: int = 0) -> tuple[cst.FunctionDef, ClassInfo] | None:
        if name in info.methods:
            return info.methods[name], info
        if depth > 10:
            return None
        for base in self._base_infos(info):
            found = self.method(base, name, depth + 1)
            if found is not None:
                return found
        return None

    def _run_class(self, info: ClassInfo) -> None:
        found = self.method(info, "__init__")
        if found is None:
            return
        fn, owner = found
        interp = Interpreter(self, info, context=(info.name,))
        interp.call_function(fn, args=[], kwargs={}, self_bound=True, owner=owner)

    def _run_module_level(self) -> None:
        interp = Interpreter(self, None, context=("<module>",))
        interp.env = self.module_env
        interp.module_level = True
        interp.run(statements(self.module.body))

    def _run_unapplied_functions(self) -> None:
        """Init routines never seen applied: their dispatch variable may be any layer in the file."""
        everything = self.scope_all()
        for name, fn in self.functions.items():
            if id(fn) in self._applied:
                continue
            if _looks_like_init_routine(fn) and function_params(fn):
                self._run_dispatch_function(FuncRef(fn, None), everything, None)
            else:
                # Builders such as ``def make_mlp(): return nn.Sequential(...)``.
                self._applied.add(id(fn))
                interp = Interpreter(self, None, context=("<function>", name))
                interp.call_function(fn, [], {}, self_bound=False, owner=None)
        for info in self.classes.values():
            for name, fn in info.methods.items():
                if id(fn) in self._applied or name == "__init__" or not _looks_like_init_routine(fn):
                    continue
                params = [p for p in function_params(fn) if p.name.value != "self"]
                if params:
                    self._run_dispatch_function(FuncRef(fn, info.name, True), everything, info)
                else:
                    interp = Interpreter(self, info, context=(info.name, name))
                    interp.call_function(fn, [], {}, self_bound=True, owner=info)

    def _run_dispatch_function(self, ref: FuncRef, scope: DispatchVal, info: ClassInfo | None) -> None:
        self._applied.add(id(ref.node))
        interp = Interpreter(self, info, context=("<apply>", id(ref.node)))
        interp.call_function(ref.node, dispatch_args(ref.node, scope), {}, self_bound=ref.bound_self, owner=info)

    # ------------------------------------------------------------------ scopes

    def scope_of_class(self, name: str, prefix: str = "", depth: int = 0) -> list[tuple[int, str]]:
        info = self.classes.get(name)
        if info is None or depth > 8:
            return []
        out: list[tuple[int, str]] = []
        for attr, value in info.attrs.items():
            out += self.scope_of_value(value, f"{prefix}{attr}", depth)
        return out

    def scope_of_value(self, value: Any, path: str, depth: int = 0) -> list[tuple[int, str]]:
        if isinstance(value, LayerVal):
            out = []
            for uid in value.uids:
                out.append((uid, path))
                for child in self.children.get(uid, ()):
                    out.append((child, f"{path}.{self.picture.layers[child].path.rsplit('.', 1)[-1]}"))
            return out
        if isinstance(value, SubVal):
            return self.scope_of_class(value.cls, f"{path}.", depth + 1)
        if isinstance(value, SeqVal):
            out = []
            for label, item in seq_labels(value):
                out += self.scope_of_value(item, f"{path}.{label}", depth + 1)
            return out
        if isinstance(value, DispatchVal):
            return list(value.scope)
        return []

    def containers_of_value(self, value: Any, path: str, depth: int = 0) -> list[tuple[str, str]]:
        """The containers inside a scope, by the same paths as ``scope_of_value`` (so a fix can write
        ``m in self.body`` for the items of a loop-built Sequential)."""
        if depth > 8:
            return []
        if isinstance(value, SubVal):
            info = self.classes.get(value.cls)
            if info is None:
                return []
            return [c for attr, item in info.attrs.items()
                    for c in self.containers_of_value(item, f"{path}.{attr}" if path else attr, depth + 1)]
        if isinstance(value, SeqVal):
            out = [(path, value.kind)]
            for label, item in seq_labels(value):
                out += self.containers_of_value(item, f"{path}.{label}", depth + 1)
            return out
        if isinstance(value, DispatchVal):
            return list(value.containers)
        return []

    def scope_all(self) -> DispatchVal:
        seen: dict[int, str] = {}
        for uid, layer in self.picture.layers.items():
            seen.setdefault(uid, layer.path)
        return DispatchVal(tuple(seen.items()))

    # ------------------------------------------------------------------ layers

    def new_layer(self, key: tuple[Any, ...], kind: str, owner: str, node: cst.CSTNode) -> tuple[Layer, bool]:
        uid = self._memo.get(key)
        if uid is not None:
            return self.picture.layers[uid], False
        uid = self._next_uid
        self._next_uid += 1
        self._memo[key] = uid
        layer = Layer(uid=uid, kind=kind, owner=owner, path=f"<{kind} in {owner}>", node=node,
                      locator=self.locator)
        self.picture.layers[uid] = layer
        return layer, True

    def next_order(self) -> int:
        self._order += 1
        return self._order

    def record_site(self, site: InitSite, key: tuple[int, str]) -> None:
        """Record an init site once; a call reached again (another apply) adds its targets."""
        existing = self._seen_sites.get(key)
        if existing is not None:
            for root, order in site.root_orders.items():
                existing.root_orders.setdefault(root, order)
            for ref in site.targets:
                if ref not in existing.targets:
                    existing.targets.append(ref)
            existing.shared = existing.shared or site.shared or len(existing.targets) > 1
            if existing.scope is not None and site.scope is not None:
                existing.scope.merge(site.scope)
            elif existing.scope is not None or site.scope is not None:
                existing.scope = None  # reached as a dispatch in one run and not in another: name nothing
            existing.param_names.update(site.param_names)
            return
        self._seen_sites[key] = site
        self.picture.inits.append(site)


def dispatch_args(fn: cst.FunctionDef, scope: DispatchVal) -> list[Any]:
    """Arguments for an init routine run over a scope: the module, and its name if the routine takes one
    (timm's ``named_apply`` passes ``name``), so that tests on the name narrow the dispatch."""
    params = [p.name.value for p in function_params(fn) if p.name.value not in ("self", "cls")]
    args: list[Any] = [scope]
    if len(params) > 1 and "name" in params[1]:
        args.append(NameOf(params[0]))
    return args


def _looks_like_init_routine(fn: cst.FunctionDef) -> bool:
    name = fn.name.value.lower()
    return bool("init" in name or "reset" in name)


class InRepeat:
    __slots__ = ("count", "value")

    def __init__(self, value: Any, count: int | None) -> None:
        self.value = value
        self.count = count


MAX_EXPANSION = 64


def flatten(items: list[Any], twice: bool = True, inline: bool = True) -> list[Any]:
    """Container items in order, nested Sequentials inlined.

    With ``twice`` a loop-built block appears twice, so that its last item is seen followed by its first
    (what matters for "what follows"); without it a block of known count appears that many times, so that
    indices after it are torch's, and a block of unknown count once."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, Repeat):
            inner = flatten(item.items, twice, inline)
            if twice:
                times = 1 if item.count == 1 else 2
            else:
                known = item.count is not None and 0 <= item.count <= MAX_EXPANSION
                times = item.count if known and item.count is not None else 1
            for _ in range(times):
                out += [x if isinstance(x, InRepeat) else InRepeat(x, item.count) for x in inner]
        elif inline and isinstance(item, SeqVal) and item.kind == "Sequential":
            out += flatten(item.items, twice)
        else:
            out.append(item)
    return out


def seq_labels(seq: SeqVal) -> list[tuple[str, Any]]:
    """torch's child names for a container's items: its keys, else indices (``*`` inside a loop-built
    block, whose items torch names once per copy); each distinct item once."""
    by_identity = {id(v): k for k, v in seq.keys.items()}
    out: list[tuple[str, Any]] = []
    seen: set[int] = set()
    for index, item in enumerate(flatten(seq.items, twice=False, inline=False)):
        inner = unwrap(item)
        if id(inner) in seen and isinstance(item, InRepeat):
            continue
        seen.add(id(inner))
        if id(inner) in by_identity:
            label = by_identity[id(inner)]
        elif isinstance(item, InRepeat):
            label = "*"
        elif seq.unsure_from is not None and index >= seq.unsure_from:
            label = "?"  # added under an ``if``: its index is not known to exist (or to stay put)
        else:
            label = str(index)
        out.append((label, inner))
    return out


def unwrap(item: Any) -> Any:
    return item.value if isinstance(item, InRepeat) else item


# --------------------------------------------------------------------------- interpreter


class Interpreter:
    """Runs one function body abstractly; see the module docstring."""

    def __init__(self, builder: PictureBuilder, info: ClassInfo | None, context: tuple[Any, ...],
                 depth: int = 0) -> None:
        self.b = builder
        self.info = info
        self.context = context
        self.depth = depth
        self.env: dict[str, Any] = {}
        self.returns: list[Any] = []
        self.module_level = False
        self.loop_stack: list[int | None] = []
        self.shared_depth = 0
        self.imports = builder.imports  # replaced by a copy when the function imports names itself
        self.owner: ClassInfo | None = info  # the class that defines the running method (for super())
        self.sources: dict[str, cst.BaseExpression] = {}
        self.last_slice: cst.SubscriptElement | None = None  # the slice of the last init target, if any
        self.current_statement: cst.CSTNode | None = None  # the simple statement being run (for fixes)
        self.last_dispatch: DispatchVal | None = None  # the dispatch variable of the last init target
        self.last_param_names: dict[ParamRef, str] = {}  # named_parameters() names of the last target
        # ``model.apply(fn)`` running this code: the statement and how it names the model there
        self.apply_anchor: tuple[Any, str] | None = None
        self.loop_anchor: tuple[Any, str] | None = None  # the modules()/parameters() loop running this code
        self.branch_depth = 0  # inside the body of an ``if``
        self.unrolling = False  # inside a loop run item by item: ``if`` tests on its values are decided
        self.call_anchor: tuple[Any, dict[str, str]] | None = None  # the helper call running this function

    # ------------------------------------------------------------------ helpers

    @property
    def root(self) -> str | None:
        """The model class whose construction runs this code; None for module-level code and routines."""
        head = self.context[0] if self.context else None
        return head if isinstance(head, str) and head in self.b.classes else None

    @property
    def evaluator(self) -> Evaluator:
        scopes: list[dict[str, Any]] = [self.b.module_env]
        if self.info is not None:
            scopes.append(self.info.consts)
        scopes.append(self.env)
        return Evaluator(self.imports, scopes)

    def number(self, node: cst.BaseExpression | None) -> Any:
        return self.evaluator(node)

    def call_function(self, fn: cst.FunctionDef, args: list[Any], kwargs: dict[str, Any], self_bound: bool,
                      owner: ClassInfo | None) -> Any:
        self.owner = owner
        params = function_params(fn)
        if self_bound and params and params[0].name.value in ("self", "cls"):
            self.env[params[0].name.value] = SubVal(self.info.name) if self.info else UNKNOWN
            params = params[1:]
        for index, param in enumerate(params):
            name = param.name.value
            if index < len(args):
                self.env[name] = args[index]
            elif name in kwargs:
                self.env[name] = kwargs[name]
            elif param.default is not None:
                self.env[name] = self.value(param.default)
            else:
                self.env[name] = UNKNOWN
        if fn.params.star_arg and isinstance(fn.params.star_arg, cst.Param):
            self.env[fn.params.star_arg.name.value] = UNKNOWN
        self.run(statements(fn.body))
        if not self.returns:
            return UNKNOWN
        return self.returns[-1]

    def is_self(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Name) and node.value == "self" and self.info is not None

    # ------------------------------------------------------------------ statements

    def run(self, body: list[cst.CSTNode]) -> None:
        for stmt in body:
            self.statement(stmt)

    def statement(self, stmt: cst.CSTNode) -> None:
        if isinstance(stmt, (cst.Expr, cst.Assign, cst.AugAssign, cst.AnnAssign)):
            self.current_statement = stmt
        if isinstance(stmt, cst.Assign):
            value = self.value(stmt.value)
            for target in stmt.targets:
                self.assign(target.target, value, stmt.value)
                self._remember_source(target.target, stmt.value)
            if isinstance(value, SeqVal) and value.kind in ("Sequential", "ModuleList") and len(stmt.targets) == 1 \
                    and value.statement is None and isinstance(stmt.targets[0].target, (cst.Name, cst.Attribute)):
                value.statement = stmt
                value.assigned_text = symbolic.text(stmt.targets[0].target)
        elif isinstance(stmt, cst.AnnAssign):
            if stmt.value is not None:
                self.assign(stmt.target, self.value(stmt.value), stmt.value)
        elif isinstance(stmt, cst.AugAssign):
            self.aug_assign(stmt)
        elif isinstance(stmt, cst.Expr):
            self.value(stmt.value)
        elif isinstance(stmt, cst.Return):
            if stmt.value is not None:
                self.returns.append(self.value(stmt.value))
        elif isinstance(stmt, cst.If):
            self.if_statement(stmt)
        elif isinstance(stmt, cst.For):
            self.for_statement(stmt)
        elif isinstance(stmt, cst.While):
            self._forget_loop_carried(stmt.body)
            self.loop_stack.append(None)
            self.run(statements(stmt.body))
            self.loop_stack.pop()
        elif isinstance(stmt, cst.With):
            self.run(statements(stmt.body))
        elif isinstance(stmt, cst.Try):
            self.run(statements(stmt.body))
            for handler in stmt.handlers:
                self.run(statements(handler.body))
            if stmt.orelse is not None:
                self.run(statements(stmt.orelse.body))
            if stmt.finalbody is not None:
                self.run(statements(stmt.finalbody.body))
        elif isinstance(stmt, cst.FunctionDef):
            owner = self.info.name if self.info else None
            self.env[stmt.name.value] = FuncRef(stmt, owner)
        elif isinstance(stmt, (cst.Import, cst.ImportFrom)) and not self.module_level:
            if self.imports is self.b.imports:
                self.imports = self.imports.copy()
            self.imports.add(stmt)

    def scope_of_site(self, tensor: cst.BaseExpression) -> SiteScope | None:
        """For a call on ``m.weight`` with ``m`` a dispatch variable: ``m`` and how to name each module."""
        dispatch = self.last_dispatch
        node = tensor
        while isinstance(node, cst.Subscript) or isinstance(node, cst.Attribute) and node.attr.value == "data":
            node = node.value
        anchor = self.loop_anchor or self.apply_anchor
        if dispatch is not None and dispatch.root_text is not None and self.call_anchor is not None \
                and dispatch.root_text in self.call_anchor[1]:
            anchor = (self.call_anchor[0], self.call_anchor[1][dispatch.root_text])  # after the helper call
        if dispatch is None and self.last_param_names and isinstance(node, cst.Name) and self.loop_anchor:
            # ``for name, p in self.named_parameters(): ...(p)``: each parameter as ``self.<path>.<param>``
            paths = {ref.layer: qual[: -len(ref.param) - 1] if ref.param and qual.endswith("." + ref.param)
                     else qual for ref, qual in self.last_param_names.items()}
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

    def _remember_source(self, target: cst.BaseExpression, source: cst.BaseExpression) -> None:
        """The syntax last assigned to each local name, for arguments evaluated per layer (symbolic.py)."""
        if isinstance(target, cst.Name):
            self.sources[target.value] = source
        elif isinstance(target, (cst.Tuple, cst.List)) and isinstance(source, (cst.Tuple, cst.List)) \
                and len(target.elements) == len(source.elements):
            for one, two in zip(target.elements, source.elements, strict=True):
                self._remember_source(one.value, two.value)

    def deferred(self, raw: dict[str, cst.BaseExpression], tensor: cst.BaseExpression,
                 slice_node: cst.SubscriptElement | None) -> symbolic.Deferred:
        node = tensor
        while isinstance(node, cst.Subscript) or isinstance(node, cst.Attribute) and node.attr.value == "data":
            node = node.value
        layer_text = symbolic.text(node.value) if isinstance(node, cst.Attribute) else None
        bounds = None
        if slice_node is not None and isinstance(slice_node.slice, cst.Slice) and slice_node.slice.step is None:
            bounds = (slice_node.slice.lower, slice_node.slice.upper)
        return symbolic.Deferred(nodes={k: v for k, v in raw.items() if k != "tensor"}, sources=dict(self.sources), static=self.evaluator,
                        layer_text=layer_text, param_text=symbolic.text(node), slice_bounds=bounds,
                                 slice_node=slice_node.slice if slice_node is not None else None)

    def assign(self, target: cst.BaseExpression, value: Any, source: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.env[target.value] = value
            if self.module_level and isinstance(value, (LayerVal, SeqVal)):
                self.name_value(value, target.value, "<module>")
        elif isinstance(target, cst.Attribute) and self.is_self(target.value) and self.info is not None:
            attr = target.attr.value
            self.info.attrs[attr] = value
            if is_number(value) or isinstance(value, (str, tuple)):
                self.info.consts[f"self.{attr}"] = value
            self.name_value(value, attr, self.info.name)
        elif isinstance(target, (cst.Tuple, cst.List)):
            if isinstance(source, (cst.Tuple, cst.List)) and len(source.elements) == len(target.elements) \
                    and not any(isinstance(e, cst.StarredElement) for e in source.elements):
                for element, part in zip(target.elements, source.elements, strict=True):
                    self.assign(element.value, self.value(part.value), part.value)  # layers, width = [], 3
                return
            values = value if isinstance(value, tuple) and len(value) == len(target.elements) else None
            for index, element in enumerate(target.elements):
                inner = values[index] if values is not None else UNKNOWN
                self.assign(element.value, inner, source)

    def name_value(self, value: Any, path: str, owner: str) -> None:
        """Give layers their attribute path the first time they are stored."""
        if isinstance(value, LayerVal):
            for uid in value.uids:
                layer = self.b.picture.layers[uid]
                if layer.path.startswith("<"):
                    layer.path = path
                    layer.owner = owner
                    for child in self.b.children.get(uid, ()):
                        c = self.b.picture.layers[child]
                        c.path = f"{path}.{c.path.rsplit('.', 1)[-1]}"
                        c.owner = owner
        elif isinstance(value, SeqVal):
            if value.name is None:
                value.name = path
            for key, item in value.keys.items():
                self.name_value(item, f"{path}.{key}", owner)
            for label, item in seq_labels(value):
                self.name_value(item, f"{path}.{label}", owner)

    def aug_assign(self, stmt: cst.AugAssign) -> None:
        if isinstance(stmt.operator, cst.AddAssign) and isinstance(stmt.target, cst.Name):
            current = self.env.get(stmt.target.value)
            if isinstance(current, SeqVal):
                added = self.value(stmt.value)
                if isinstance(added, SeqVal):
                    current.items.extend(added.items)
                return
        added = self.value(stmt.value)
        if isinstance(stmt.target, cst.Name) and stmt.target.value in self.env:
            # ``dim *= 2``: the name's number changes (a libcst BinaryOperation with the same operator)
            binary = _AUG_TO_BINARY.get(type(stmt.operator))
            current = self.env[stmt.target.value]
            if binary is not None and is_number(current) and is_number(added):
                self.env[stmt.target.value] = self.number(cst.BinaryOperation(
                    left=stmt.target, operator=binary(), right=stmt.value))
            elif is_number(current) or current is UNKNOWN:
                self.env[stmt.target.value] = UNKNOWN

    def if_statement(self, stmt: cst.If) -> None:
        known = self.number(stmt.test) if self.unrolling else UNKNOWN
        if isinstance(known, bool):
            # inside a loop run item by item, ``if v == "M":`` has one answer per item
            if known:
                self.run(statements(stmt.body))
            elif isinstance(stmt.orelse, cst.If):
                self.if_statement(stmt.orelse)
            elif isinstance(stmt.orelse, cst.Else):
                self.run(statements(stmt.orelse.body))
            return
        true_env, false_env = self.narrow(stmt.test)
        saved = dict(self.env)
        self.env.update(true_env)
        self.branch_depth += 1
        self.run(statements(stmt.body))
        after_true = self.env
        self.env = dict(saved)
        self.env.update(false_env)
        orelse = stmt.orelse
        if isinstance(orelse, cst.If):
            self.if_statement(orelse)
        elif isinstance(orelse, cst.Else):
            self.run(statements(orelse.body))
        self.branch_depth -= 1
        # ``if not isinstance(m, nn.Linear): return`` / ``if p.dim() < 2: continue``: the code after the
        # ``if`` only runs in the branch that did not leave.
        true_exits = _always_exits(statements(stmt.body))
        false_exits = isinstance(orelse, cst.Else) and _always_exits(statements(orelse.body))
        if true_exits and not false_exits:
            return
        if false_exits and not true_exits:
            self.env = after_true
            return
        # Join: a name keeps its narrowed value only if both branches agree; otherwise the later
        # definition wins, except dispatch/param variables, which go back to their unnarrowed value.
        joined = dict(after_true)
        for name, value in self.env.items():
            if name not in joined or joined[name] is UNKNOWN:
                joined[name] = value
            elif _plain(value) and _plain(joined[name]) and value != joined[name]:
                joined[name] = UNKNOWN  # a number the two branches set differently
        for name, value in after_true.items():
            if _plain(value) and name in self.env and self.env[name] is UNKNOWN:
                joined[name] = UNKNOWN
        for name in list(joined):
            if name in true_env or name in false_env:
                joined[name] = saved.get(name, UNKNOWN)
        self.env = joined

    def _forget_loop_carried(self, body: cst.BaseSuite) -> None:
        """A number the loop body reassigns (``in_channels = v``, ``dim *= 2``) differs from one pass to the
        next: inside and after the loop it is unknown, unless the body sets it before reading it."""
        for name in _assigned_names(body):
            if name in self.env and _plain(self.env[name]):
                self.env[name] = UNKNOWN

    def for_statement(self, stmt: cst.For) -> None:
        iterable = stmt.iter
        count: int | None = None
        value = self.iter_value(iterable)
        if isinstance(iterable, cst.Call) and self.imports.resolve(iterable.func) is None \
                and isinstance(iterable.func, cst.Name) and iterable.func.value == "range":
            bound = [self.number(a) for a in positional(iterable)]
            if len(bound) == 1 and isinstance(bound[0], int):
                count = bound[0]
            elif len(bound) == 2 and all(isinstance(x, int) for x in bound):
                count = bound[1] - bound[0]
        if self._unroll(stmt, value):
            return
        self.bind_loop_target(stmt.target, value)
        saved_anchor = self.loop_anchor
        looped = value[1] if isinstance(value, tuple) and len(value) == 2 and value[0] == "named" else value
        if isinstance(looped, (DispatchVal, ParamSetVal)) and isinstance(iterable, cst.Call) \
                and isinstance(iterable.func, cst.Attribute) and iterable.func.attr.value in (
                    "modules", "named_modules", "parameters", "named_parameters"):
            # ``for m in self.modules():`` - after the loop, ``self`` names every module it visited
            self.loop_anchor = (stmt, symbolic.text(iterable.func.value))
        if count != 1:
            self._forget_loop_carried(stmt.body)
        stored = list(self.info.attrs.values()) if self.info is not None else []
        lists = [v for v in [*self.env.values(), *stored] if isinstance(v, SeqVal)]
        lists = list({id(v): v for v in lists}.values())
        lists_before = {id(v): len(v.items) for v in lists}
        self.loop_stack.append(count)
        self.shared_depth += 1 if isinstance(value, (DispatchVal, ParamSetVal, LayerVal)) else 0
        self.run(statements(stmt.body))
        self.loop_anchor = saved_anchor
        self.shared_depth -= 1 if isinstance(value, (DispatchVal, ParamSetVal, LayerVal)) else 0
        self.loop_stack.pop()
        for seq in lists:
            start = lists_before.get(id(seq), 0)
            if len(seq.items) > start:
                seq.items[start:] = [Repeat(seq.items[start:], count)]

    def _unroll(self, stmt: cst.For, value: Any) -> bool:
        """``for v in cfg:`` over a short sequence of known plain values (a VGG config): run the body once per
        item, so each layer gets its own sizes and the container its real order and length."""
        if not (isinstance(value, tuple) and 0 < len(value) <= MAX_UNROLL and isinstance(stmt.target, cst.Name)
                and all(_plain(v) and not isinstance(v, tuple) for v in value)) or stmt.orelse is not None:
            return False
        if any(isinstance(node, (cst.Break, cst.Continue, cst.Return)) for node in _walk(stmt.body)):
            return False
        base, unrolling = self.context, self.unrolling
        self.unrolling = True
        for index, item in enumerate(value):
            self.context = base + (("item", id(stmt), index),)
            self.env[stmt.target.value] = item
            self.run(statements(stmt.body))
        self.context, self.unrolling = base, unrolling
        return True

    def iter_value(self, node: cst.BaseExpression) -> Any:
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
            if not found or not found[0] or found[2]:
                return None
            for ref in found[0]:
                shape = self.b.picture.layers[ref.layer].params.get(ref.param)
                entries.append((ref, symbolic.text(element.value), len(shape) if shape is not None else None))
        return ParamSetVal(tuple(entries))

    def bind_loop_target(self, target: cst.BaseExpression, value: Any) -> None:
        if isinstance(value, tuple) and len(value) == 2 and value[0] in ("enumerate", "named"):
            element = self.element_of(value[1])
            if isinstance(target, cst.Tuple) and len(target.elements) == 2:
                first, second = (e.value for e in target.elements)
                if isinstance(second, cst.Name):
                    var = second.value
                    self.env[var] = element
                    if isinstance(first, cst.Name):
                        self.env[first.value] = NameOf(var) if value[0] == "named" else UNKNOWN
                    return
                self.bind_loop_target(first, UNKNOWN)
                self.bind_loop_target(second, element)
                return
            self.assign(target, UNKNOWN, target)
            return
        element = self.element_of(value)
        if isinstance(target, cst.Name):
            self.env[target.value] = element
        else:
            self.assign(target, UNKNOWN, target)

    def element_of(self, value: Any) -> Any:
        if isinstance(value, (DispatchVal, ParamSetVal)):
            return value
        if isinstance(value, SeqVal):
            return union([unwrap(i) for i in flatten(value.items, twice=False)])
        if isinstance(value, tuple):
            return union(list(value))
        return UNKNOWN

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

    # ------------------------------------------------------------------ narrowing

    def narrow(self, test: cst.BaseExpression) -> tuple[dict[str, Any], dict[str, Any]]:
        """Values of dispatch/param variables in the true and false branches of a test."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            true_env, false_env = self.narrow(test.expression)
            return false_env, true_env
        if isinstance(test, cst.BooleanOperation):
            left_t, left_f = self.narrow(test.left)
            right_t, right_f = self.narrow(test.right)
            if isinstance(test.operator, cst.And):
                true_env = {**left_t, **right_t}
                false_env = {k: self._uncertain(self.env[k]) for k in {**left_f, **right_f} if k in self.env}
                return true_env, false_env
            either = self._either(test.left, test.right)
            if either is not None:
                return either
            true_env = {k: self._uncertain(self.env[k]) for k in {**left_t, **right_t} if k in self.env}
            false_env = {**left_f, **right_f}
            return true_env, false_env
        found = self._predicate(test)
        if found is not None:
            var, pred, negate = found
            current = self.env.get(var)
            if isinstance(current, (LayerVal, MixedModules)) and pred.op in ("kinds", "kindcontains"):
                current = self.env[var] = self._as_dispatch(current)
            if isinstance(current, (DispatchVal, ParamSetVal)):
                positive = current.narrowed(include=pred)
                negative = current.narrowed(exclude=pred)
                if negate:
                    return {var: negative}, {var: positive}
                return {var: positive}, {var: negative}
        # A test we do not understand that mentions a dispatch variable makes both branches uncertain.
        mentioned = {n for n in names_in(test) if isinstance(self.env.get(n), (DispatchVal, ParamSetVal))}
        for name in list(names_in(test)):
            ref = self.env.get(name)
            if isinstance(ref, (NameOf, ClassNameOf)) and isinstance(self.env.get(ref.var), (DispatchVal, ParamSetVal)):
                mentioned.add(ref.var)
        if _is_presence_test(test):
            return {}, {}
        if not mentioned:
            return {}, {}
        uncertain = {name: self._uncertain(self.env[name]) for name in mentioned}
        return uncertain, dict(uncertain)

    def _either(self, left: cst.BaseExpression, right: cst.BaseExpression
                ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """``"weight" in name or "bias" in name``: two tests of one variable joined by ``or``."""
        one, two = self._predicate(left), self._predicate(right)
        if one is None or two is None or one[0] != two[0] or one[2] or two[2]:
            return None
        current = self.env.get(one[0])
        if not isinstance(current, (DispatchVal, ParamSetVal)):
            return None
        pred = Pred("any", (one[1], two[1]))
        return {one[0]: current.narrowed(include=pred)}, {one[0]: current.narrowed(exclude=pred)}

    def _as_dispatch(self, value: LayerVal | MixedModules) -> DispatchVal:
        """A loop variable over a container, as a dispatch variable so ``isinstance`` can narrow it."""
        uids = value.uids if isinstance(value, LayerVal) else tuple(
            u for v in value.values if isinstance(v, LayerVal) for u in v.uids)
        return DispatchVal(tuple((u, self.b.picture.layers[u].path) for u in uids))

    @staticmethod
    def _uncertain(value: Any) -> Any:
        return value.made_uncertain() if isinstance(value, _Narrowable) else value

    def _predicate(self, test: cst.BaseExpression) -> tuple[str, Pred, bool] | None:
        """(variable, predicate, negated) for the tests dispatch code uses."""
        if isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and test.func.value == "isinstance":
            args = positional(test)
            if len(args) == 2 and isinstance(args[0], cst.Name):
                kinds = self._type_names(args[1])
                if kinds is not None:
                    return args[0].value, Pred("kinds", kinds), False
            return None
        if isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute):
            base = test.func.value
            method = test.func.attr.value
            args = positional(test)
            if isinstance(base, cst.Name) and method in ("startswith", "endswith") and len(args) == 1:
                ref = self.env.get(base.value)
                text = string_value(args[0])
                if text is not None and isinstance(ref, NameOf):
                    return ref.var, Pred(method, text), False
                if text is not None and isinstance(ref, ClassNameOf) and method == "startswith":
                    return ref.var, Pred("kindcontains", text), False
            return None
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            comp = test.comparisons[0]
            left, right, op = test.left, comp.comparator, comp.operator
            # m in (self.fc1, self.net[0]) / m is self.fc1 / name in ("fc1.weight", "fc2.weight")
            if isinstance(left, cst.Name) and isinstance(op, (cst.In, cst.NotIn, cst.Is, cst.IsNot)):
                negated = isinstance(op, (cst.NotIn, cst.IsNot))
                ref = self.env.get(left.value)
                members = [e.value for e in right.elements] if isinstance(right, (cst.Tuple, cst.List, cst.Set)) \
                    and isinstance(op, (cst.In, cst.NotIn)) else [right] if isinstance(op, (cst.Is, cst.IsNot)) \
                    else []
                if isinstance(ref, DispatchVal) and members:
                    uids: set[int] = set()
                    for member in members:
                        value = self.value(member)
                        if not isinstance(value, LayerVal):
                            return None
                        uids.update(value.uids)
                    return left.value, Pred("uids", frozenset(uids)), negated
                if isinstance(ref, ParamSetVal) and members and all(
                        isinstance(m, (cst.Attribute, cst.Name)) for m in members):
                    # ``b is self.lstm.bias_ih`` in ``for b in (self.lstm.bias_ih, self.lstm.bias_hh)``
                    return left.value, Pred("oneof", frozenset(symbolic.text(m) for m in members)), negated
                if isinstance(ref, NameOf) and members and isinstance(op, (cst.In, cst.NotIn)):
                    names = [string_value(member) for member in members]
                    if all(n is not None for n in names):
                        return ref.var, Pred("oneof", frozenset(names)), negated
            # 'weight' in name / 'Conv' in classname
            if isinstance(op, (cst.In, cst.NotIn)) and isinstance(right, cst.Name):
                text = string_value(left)
                ref = self.env.get(right.value)
                if text is not None and isinstance(ref, NameOf):
                    return ref.var, Pred("contains", text), isinstance(op, cst.NotIn)
                if text is not None and isinstance(ref, ClassNameOf):
                    return ref.var, Pred("kindcontains", text), isinstance(op, cst.NotIn)
            # name == 'fc.weight'
            if isinstance(op, (cst.Equal, cst.NotEqual)) and isinstance(left, cst.Name):
                text = string_value(right)
                ref = self.env.get(left.value)
                if text is not None and isinstance(ref, NameOf):
                    return ref.var, Pred("equals", text), isinstance(op, cst.NotEqual)
            # classname.find('Conv') != -1
            if isinstance(left, cst.Call) and isinstance(left.func, cst.Attribute) \
                    and left.func.attr.value == "find" and isinstance(left.func.value, cst.Name):
                ref = self.env.get(left.func.value.value)
                args = positional(left)
                text = string_value(args[0]) if args else None
                if isinstance(ref, (ClassNameOf, NameOf)) and text is not None and self.number(right) == -1:
                    pred = Pred("kindcontains" if isinstance(ref, ClassNameOf) else "contains", text)
                    if isinstance(op, cst.NotEqual):
                        return ref.var, pred, False
                    if isinstance(op, cst.Equal):
                        return ref.var, pred, True
            # type(m) == nn.Linear / type(m) is nn.Linear / type(m) in (...)
            if isinstance(left, cst.Call) and isinstance(left.func, cst.Name) and left.func.value == "type":
                args = positional(left)
                if len(args) == 1 and isinstance(args[0], cst.Name):
                    kinds = self._type_names(right)
                    if kinds is not None and isinstance(op, (cst.Equal, cst.Is, cst.In)):
                        return args[0].value, Pred("kinds", kinds), False
                    if kinds is not None and isinstance(op, (cst.NotEqual, cst.IsNot, cst.NotIn)):
                        return args[0].value, Pred("kinds", kinds), True
            # p.dim() > 1, p.ndim >= 2, len(p.shape) > 1, p.dim() == 1
            var = _rank_subject(left)
            bound = self.number(right)
            if var is not None and isinstance(bound, int) and not isinstance(bound, bool):
                if isinstance(op, cst.GreaterThan):
                    return var, Pred("rank>", bound), False
                if isinstance(op, cst.GreaterThanEqual):
                    return var, Pred("rank>", bound - 1), False
                if isinstance(op, cst.LessThan):
                    return var, Pred("rank>", bound - 1), True
                if isinstance(op, cst.LessThanEqual):
                    return var, Pred("rank>", bound), True
                if isinstance(op, cst.Equal):
                    return var, Pred("rank==", bound), False
                if isinstance(op, cst.NotEqual):
                    return var, Pred("rank==", bound), True
        return None

    def _type_names(self, node: cst.BaseExpression) -> frozenset[str] | None:
        if isinstance(node, (cst.Tuple, cst.List)):
            out: set[str] = set()
            for element in node.elements:
                inner = self._type_names(element.value)
                if inner is None:
                    return None
                out |= inner
            return frozenset(out)
        resolved = self.imports.resolve(node)
        if resolved is not None and resolved.startswith("torch.nn."):
            return frozenset({resolved.rsplit(".", 1)[-1]})
        if resolved is not None:
            return frozenset({"<other>:" + resolved})
        if isinstance(node, cst.Name):
            value = self.env.get(node.value, self.b.module_env.get(node.value))
            if isinstance(value, tuple):
                return None
            return frozenset({"<other>:" + node.value})
        return None

    # ------------------------------------------------------------------ expressions

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
            if node.attr.value == "__name__" and isinstance(node.value, cst.Attribute) \
                    and node.value.attr.value == "__class__" and isinstance(node.value.value, cst.Name):
                return ClassNameOf(node.value.value.value)
            base = self.value(node.value) if not isinstance(node.value, cst.Name) or \
                node.value.value in self.env or node.value.value == "self" else None
            if isinstance(base, LayerVal):
                children = [c for uid in base.uids for c in self.b.children.get(uid, ())
                            if self.b.picture.layers[c].path.rsplit(".", 1)[-1] == node.attr.value]
                if children:
                    return LayerVal(tuple(children))
            if isinstance(base, SubVal):
                info = self.b.classes.get(base.cls)
                if info is not None and node.attr.value in info.attrs:
                    return info.attrs[node.attr.value]
            if isinstance(base, SeqVal) and node.attr.value in base.keys:
                return base.keys[node.attr.value]
            resolved = self.imports.resolve(node)
            if resolved is not None:
                return ClassRef(resolved)
            return self.number(node)
        if isinstance(node, cst.Subscript):
            base = self.value(node.value)
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
            return union([self.value(node.body), self.value(node.orelse)])
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Multiply)):
            left = self.value(node.left)
            right = self.value(node.right)
            if isinstance(node.operator, cst.Add) and isinstance(left, SeqVal) and isinstance(right, SeqVal) \
                    and left.kind == right.kind == "list":
                return SeqVal("list", [*left.items, *right.items])  # [first] + [rest for _ in range(n)]
            if isinstance(node.operator, cst.Multiply) and isinstance(left, SeqVal) and left.kind == "list" \
                    and (isinstance(right, int) or right is UNKNOWN):
                return SeqVal("list", [Repeat(list(left.items), right if isinstance(right, int) else None)])
            if isinstance(left, (SeqVal, LayerVal)) or isinstance(right, (SeqVal, LayerVal)):
                return UNKNOWN
        return self.number(node)

    def call(self, node: cst.Call) -> Any:
        func = node.func
        resolved = self.imports.resolve(func)
        if resolved is not None and resolved.startswith("torch.nn.init."):
            self.init_call(node, resolved[len("torch.nn.init."):])
            return UNKNOWN
        if isinstance(func, cst.Attribute):
            parent = self.parent_method(func)
            if parent is not None:
                return self.call_local(parent, node, skip_self=isinstance(func.value, cst.Name))
            handled, result = self.method_call(node, func)
            if handled:
                return result
        callee = self.value(func) if resolved is None else ClassRef(resolved)
        if resolved in ("copy.deepcopy", "copy.copy"):
            args = positional(node)
            return self.value(args[0]) if args else UNKNOWN  # clones(): the same kind of module
        if isinstance(func, cst.Name) and func.value == "partial" or resolved == "functools.partial":
            args = positional(node)
            return self.value(args[0]) if args else UNKNOWN
        if isinstance(callee, ClassRef):
            if not callee.qualified.startswith(("torch.", "<local>.")) and _may_initialize(func):
                self.b.picture.opaque_init.add(self.root)  # an imported init function
            return self.instantiate(callee.qualified, node)
        if isinstance(callee, FuncRef):
            return self.call_local(callee, node)
        if _may_initialize(func):
            self.b.picture.opaque_init.add(self.root)
        for arg in node.args:
            self.value(arg.value)
        return UNKNOWN

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
        if self.depth >= MAX_CALL_DEPTH or ref.node is None:
            return UNKNOWN
        args = [self.value(a.value) for a in node.args if a.keyword is None and not a.star]
        if skip_self:
            args = args[1:]  # Base.__init__(self, ...): self is bound already
        kwargs = {a.keyword.value: self.value(a.value) for a in node.args if a.keyword is not None}
        info = self.b.classes.get(ref.owner) if ref.owner else None
        owner = info
        if ref.bound_self and self.info is not None:
            info = self.info
        child = Interpreter(self.b, info, self.context + (id(node),), self.depth + 1)
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
        result = child.call_function(ref.node, args, kwargs, self_bound=ref.bound_self, owner=owner)
        return result

    def method_call(self, node: cst.Call, func: cst.Attribute) -> tuple[bool, Any]:
        method = func.attr.value
        if method in catalog.TENSOR_INIT_METHODS:
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
                interp = Interpreter(self.b, info, self.context + (id(node),), self.depth + 1)
                interp.shared_depth = 1
                params = [p for p in function_params(fn.node) if p.name.value not in ("self", "cls")]
                all_params = function_params(fn.node)
                named_self = bool(all_params) and all_params[0].name.value == "self" and not any(
                    symbolic.text(d.decorator) in ("staticmethod", "classmethod") for d in fn.node.decorators)
                if bound and named_self and self.is_self(func.value):
                    scope = replace(scope, root_text="self")  # self.apply(self._init_weights): same self
                interp.apply_anchor = (self.current_statement, symbolic.text(func.value))
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

    # ------------------------------------------------------------------ modules

    def instantiate(self, qualified: str, node: cst.Call) -> Any:
        if qualified.startswith("<local>."):
            name = qualified[len("<local>."):]
            if name in self.b.classes:
                for arg in node.args:
                    self.value(arg.value)
                return SubVal(name)
            if name in self.b.functions:
                return self.call_local(FuncRef(self.b.functions[name], None), node)
            return UNKNOWN
        if not qualified.startswith("torch.nn.") or qualified.count(".") != 2:
            if qualified in ("torch.empty", "torch.zeros", "torch.ones", "torch.randn", "torch.rand",
                             "torch.Tensor", "torch.FloatTensor", "torch.full", "torch.eye"):
                return ("tensor", qualified, node)
            return OpaqueVal() if _is_module_like(qualified) else UNKNOWN
        kind = qualified.rsplit(".", 1)[-1]
        if kind in catalog.ACTIVATION_MODULES:
            slope = None
            if kind == "LeakyReLU":
                slope_node = bound_args(node, ("negative_slope",)).get("negative_slope")
                slope = self.number(slope_node) if slope_node is not None else None
            elif kind == "PReLU":
                slope_node = bound_args(node, ("num_parameters", "init")).get("init")
                slope = self.number(slope_node) if slope_node is not None else None
            act = catalog.activation_for_module(kind, slope if is_number(slope) else None)
            if kind == "LeakyReLU" and slope is not None and not is_number(slope):
                return OpaqueVal()
            return ActVal(act) if act is not None else OpaqueVal()
        if kind in catalog.TRANSPARENT_MODULES:
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
        if kind in catalog.LAYER_SIGNATURES:
            return self.layer(kind, node)
        return OpaqueVal()

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

    def layer(self, kind: str, node: cst.Call) -> LayerVal:
        owner = self.info.name if self.info else "<module>"
        key = (self.context, id(node))
        layer, created = self.b.new_layer(key, kind, owner, node)
        if self.loop_stack:
            layer.repeat = self.loop_stack[-1]
        if created:
            statement = self.current_statement
            layer.statement = statement
            if isinstance(statement, cst.Assign) and len(statement.targets) == 1 and statement.value is node:
                layer.assigned_text = symbolic.text(statement.targets[0].target)
            names = catalog.LAYER_SIGNATURES[kind]
            raw = bound_args(node, names)
            args = {name: self.number(expr) for name, expr in raw.items()}
            layer.args = {k: (None if v is UNKNOWN else v) for k, v in args.items()}
            layer.params = _layer_params(kind, layer.args, star=any(a.star for a in node.args))
            if kind == "MultiheadAttention":
                child, _ = self.b.new_layer(key + ("out_proj",), "Linear", owner, node)
                embed = layer.args.get("embed_dim")
                child.args = {"in_features": embed, "out_features": embed}
                child.params = _layer_params("Linear", child.args, star=False)
                child.path = f"{layer.path}.out_proj"
                self.b.children.setdefault(layer.uid, []).append(child.uid)
        return LayerVal((layer.uid,))

    def parameter(self, node: cst.Call) -> Any:
        args = positional(node)
        if not args:
            return UNKNOWN
        inner = self.value(args[0])
        if not (isinstance(inner, tuple) and len(inner) == 3 and inner[0] == "tensor"):
            return OpaqueVal()
        tensor_call: cst.Call = inner[2]
        owner = self.info.name if self.info else "<module>"
        layer, created = self.b.new_layer((self.context, id(node)), "Parameter", owner, node)
        if created:
            layer.params = {"": self._tensor_shape(inner[1], tensor_call)}
        return LayerVal((layer.uid,))

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

    # ------------------------------------------------------------------ init sites

    def targets(self, node: cst.BaseExpression) -> tuple[list[ParamRef], bool, bool] | None:
        """(parameters, shared, sliced) that an init target expression names; None if not ours."""
        sliced = False
        self.last_slice = None
        self.last_dispatch = None
        self.last_param_names = {}
        while True:
            if isinstance(node, cst.Attribute) and node.attr.value == "data":
                node = node.value
            elif isinstance(node, cst.Subscript):
                sliced = True
                if self.last_slice is None and len(node.slice) == 1:
                    self.last_slice = node.slice[0]
                node = node.value
            else:
                break
        if isinstance(node, cst.Attribute):
            owner = self.value(node.value)
            pname = node.attr.value
            if isinstance(owner, LayerVal):
                refs = [ParamRef(uid, pname) for uid in owner.uids if self._has_param(uid, pname)]
                return (refs, len(owner.uids) > 1 or self.shared_depth > 0, sliced) if refs else None
            if isinstance(owner, DispatchVal):
                self.last_dispatch = owner
                if owner.uncertain:
                    self._maybe_touched(ParamRef(uid, pname) for uid, _ in owner.scope)
                    return [], True, sliced
                refs = [ParamRef(uid, pname) for uid, path in owner.scope
                        if self._matches(owner, uid, path) and self._has_param(uid, pname)]
                return refs, True, sliced
            # self.weight on a bare Parameter attribute
        value = self.value(node)
        if isinstance(value, LayerVal):
            refs = [ParamRef(uid, "") for uid in value.uids if self.b.picture.layers[uid].kind == "Parameter"]
            return (refs, len(value.uids) > 1 or self.shared_depth > 0, sliced) if refs else None
        if isinstance(value, ParamSetVal):
            if value.uncertain:
                self._maybe_touched(ref for ref, _, _ in value.entries)
                return [], True, sliced
            refs = []
            self.last_param_names = {ref: qual for ref, qual, _ in value.entries}
            for ref, qual, rank in value.entries:
                ok = all(p.test("", qual, rank) is True for p in value.include) and not any(
                    p.test("", qual, rank) is True for p in value.exclude)
                undecided = any(p.test("", qual, rank) is None for p in value.include + value.exclude)
                if undecided:
                    self._maybe_touched(r for r, _, _ in value.entries)
                    return [], True, sliced
                if ok:
                    refs.append(ref)
            return refs, True, sliced
        return None

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
        if pname in layer.params:
            return True
        match = re.fullmatch(r"(weight|bias)_(ih|hh)_l(\d+)(_reverse)?", pname)
        unknown_depth = any(key in layer.args and layer.args[key] is None for key in ("num_layers", "bidirectional"))
        if match and layer.kind in catalog.RECURRENT and "weight_ih_l0" in layer.params and unknown_depth:
            # A recurrent layer whose depth or direction we could not evaluate: accept its other layers' names.
            base = f"{match.group(1)}_{match.group(2)}_l0"
            layer.params[pname] = layer.params.get(base)
            return True
        return False

    def init_call(self, node: cst.Call, name: str) -> None:
        alias = None
        if name in catalog.DEPRECATED_ALIASES:
            alias = name
            name = catalog.DEPRECATED_ALIASES[name]
        if name not in catalog.INIT_SIGNATURES:
            return
        args_nodes = positional(node)
        tensor = args_nodes[0] if args_nodes else keyword(node, "tensor")
        raw = bound_args(node, ("tensor",) + catalog.INIT_SIGNATURES[name])
        evaluated = {k: self.number(v) for k, v in raw.items() if k != "tensor"}
        gain = gain_name(self.imports, raw.get("gain"))
        found = self.targets(tensor) if tensor is not None else None
        deferred = self.deferred(raw, tensor, self.last_slice) if tensor is not None and found else None
        site = InitSite(
            statement=self.current_statement,
            scope=self.scope_of_site(tensor) if tensor is not None else None,
            param_names=dict(self.last_param_names),
            name_var=self.name_var_of(tensor) if tensor is not None else None,
            deferred=deferred,
            func=name,
            span=None,
            node=node,
            locator=self.b.locator,
            args=evaluated,
            targets=found[0] if found else [],
            target_text=self.b.module.code_for_node(tensor) if tensor is not None else "?",
            func_prefix=self.b.module.code_for_node(node.func.value) if isinstance(node.func, cst.Attribute) else None,
            order=(self.b.next_order(),),
            root_orders={self.root: self.b._order},
            via="nn.init",
            alias=alias,
            gain_named=gain[0] if gain else None,
            shared=bool(found and found[1]),
            in_slice=bool(found and found[2]),
        )
        if not self.b.collecting:
            return
        if alias is not None:
            self.b.picture.deprecated.append(site) if not any(
                s.node is node for s in self.b.picture.deprecated) else None
        if found and found[0]:
            self.b.record_site(site, (id(node), name))

    def tensor_init(self, node: cst.Call, method: str, target: cst.BaseExpression,
                    found: tuple[list[ParamRef], bool, bool]) -> None:
        if not self.b.collecting or not found[0]:
            return
        func, names = catalog.TENSOR_INIT_METHODS[method]
        raw = bound_args(node, names)
        if method == "uniform_":
            raw = {("a" if k == "from" else "b" if k == "to" else k): v for k, v in raw.items()}
        evaluated = {k: self.number(v) for k, v in raw.items()}
        site = InitSite(
            statement=self.current_statement,
            scope=self.scope_of_site(target),
            param_names=dict(self.last_param_names),
            name_var=self.name_var_of(target),
            deferred=self.deferred(raw, target, self.last_slice),
            func=func,
            span=None,
            node=node,
            locator=self.b.locator,
            args=evaluated,
            targets=found[0],
            target_text=self.b.module.code_for_node(target),
            order=(self.b.next_order(),),
            root_orders={self.root: self.b._order},
            via="tensor",
            shared=found[1],
            in_slice=found[2],
        )
        self.b.record_site(site, (id(node), func))


def _last_import(module: cst.Module) -> cst.CSTNode | None:
    """The last top-level import line before the first class or function (where a fix adds one)."""
    last = None
    for stmt in module.body:
        if isinstance(stmt, (cst.ClassDef, cst.FunctionDef)):
            break
        if isinstance(stmt, cst.SimpleStatementLine) and any(
                isinstance(small, (cst.Import, cst.ImportFrom)) for small in stmt.body):
            last = stmt
    return last


_AUG_TO_BINARY: dict[type, type] = {
    cst.AddAssign: cst.Add,
    cst.SubtractAssign: cst.Subtract,
    cst.MultiplyAssign: cst.Multiply,
    cst.DivideAssign: cst.Divide,
    cst.FloorDivideAssign: cst.FloorDivide,
    cst.PowerAssign: cst.Power,
}


MAX_UNROLL = 32


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    out: list[cst.CSTNode] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        if not isinstance(current, (cst.FunctionDef, cst.ClassDef)):
            stack.extend(current.children)
    return out


def _plain(value: Any) -> bool:
    """A number, string or tuple of them: what a loop or branch can change without our knowing."""
    return is_number(value) or isinstance(value, (str, tuple))


def _assigned_names(body: cst.CSTNode) -> set[str]:
    names: set[str] = set()
    stack: list[cst.CSTNode] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.For)):
            names |= _target_names(node.target)
        stack.extend(node.children)
    return names


def _target_names(target: cst.BaseExpression) -> set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return {n for e in target.elements for n in _target_names(e.value)}
    return set()


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


# Parts of the names of calls that (re)initialize weights; ``init_hidden``/``init_state`` make tensors.
_INIT_NAME_PARTS = ("init_weight", "weights_init", "weight_init", "init_param", "initializ", "reset_param",
                    "post_init", "init_model", "init_module", "init_layer", "load_state", "load_pretrained",
                    "from_pretrained", "load_weights", "load_checkpoint")


def union(values: list[Any]) -> Any:
    """Join of several possible values: layers merge; identical values stay; anything else is unknown."""
    values = [v for v in values if v is not None]
    if not values:
        return UNKNOWN
    if all(isinstance(v, LayerVal) for v in values):
        uids: list[int] = []
        for v in values:
            uids += [u for u in v.uids if u not in uids]
        return LayerVal(tuple(uids))
    first = values[0]
    if all(v == first for v in values):
        return first
    if all(isinstance(v, (LayerVal, ActVal, TransVal, OpaqueVal, SubVal, SeqVal)) for v in values):
        return MixedModules(tuple(values))
    return UNKNOWN


@dataclass(frozen=True)
class MixedModules:
    """A variable that holds one of several different modules (a heterogeneous ModuleList)."""

    values: tuple[Any, ...]


def _always_exits(body: list[cst.CSTNode]) -> bool:
    return bool(body) and isinstance(body[-1], (cst.Return, cst.Continue, cst.Break, cst.Raise))


def _is_presence_test(test: cst.BaseExpression) -> bool:
    """``m.bias is not None``, ``hasattr(m, "weight")``: tests that only ask whether a parameter exists."""
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comp = test.comparisons[0]
        if isinstance(comp.operator, (cst.IsNot, cst.Is)) and isinstance(comp.comparator, cst.Name) \
                and comp.comparator.value == "None":
            return isinstance(test.left, (cst.Attribute, cst.Call))
    if isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and test.func.value in ("hasattr", "getattr"):
        return True
    return bool(isinstance(test, cst.Attribute) and test.attr.value in ("bias", "weight", "affine", "elementwise_affine"))


def _rank_subject(node: cst.BaseExpression) -> str | None:
    """The variable in ``p.dim()``, ``p.ndim``, ``p.ndimension()``, ``len(p.shape)``, ``len(p.size())``."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
            and node.func.attr.value in ("dim", "ndimension") and isinstance(node.func.value, cst.Name):
        return node.func.value.value
    if isinstance(node, cst.Attribute) and node.attr.value == "ndim" and isinstance(node.value, cst.Name):
        return node.value.value
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "len":
        args = positional(node)
        if args:
            inner = args[0]
            if isinstance(inner, cst.Attribute) and inner.attr.value == "shape" and isinstance(inner.value, cst.Name):
                return inner.value.value
            if isinstance(inner, cst.Call) and isinstance(inner.func, cst.Attribute) \
                    and inner.func.attr.value == "size" and isinstance(inner.func.value, cst.Name):
                return inner.func.value.value
    return None


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


def _conv_kernel(args: dict[str, object], dims: int) -> tuple[int | None, ...]:
    k = args.get("kernel_size")
    if isinstance(k, int):
        return (k,) * dims
    if isinstance(k, tuple) and len(k) == dims:
        return tuple(x if isinstance(x, int) else None for x in k)
    return (None,) * dims


def _div(a: object, b: object) -> int | None:
    if isinstance(a, int) and isinstance(b, int) and b and a % b == 0:
        return a // b
    return None


def _layer_params(kind: str, args: dict[str, object], star: bool) -> dict[str, tuple[int | None, ...] | None]:
    """Declared parameter shapes, as each layer's ``__init__`` creates them."""

    def n(name: str, default: object = None) -> int | None:
        value = args.get(name, default)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    has_bias = args.get("bias", True) is not False
    params: dict[str, tuple[int | None, ...] | None] = {}
    if kind == "Linear":
        params["weight"] = (n("out_features"), n("in_features"))
        if has_bias:
            params["bias"] = (n("out_features"),)
    elif kind == "Bilinear":
        params["weight"] = (n("out_features"), n("in1_features"), n("in2_features"))
        if has_bias:
            params["bias"] = (n("out_features"),)
    elif kind in catalog.CONV:
        dims = catalog.CONV[kind]
        groups = n("groups", 1)
        params["weight"] = (n("out_channels"), _div(n("in_channels"), groups), *_conv_kernel(args, dims))
        if has_bias:
            params["bias"] = (n("out_channels"),)
    elif kind in catalog.CONV_TRANSPOSE:
        dims = catalog.CONV_TRANSPOSE[kind]
        groups = n("groups", 1)
        params["weight"] = (n("in_channels"), _div(n("out_channels"), groups), *_conv_kernel(args, dims))
        if has_bias:
            params["bias"] = (n("out_channels"),)
    elif kind in ("Embedding", "EmbeddingBag"):
        params["weight"] = (n("num_embeddings"), n("embedding_dim"))
    elif kind in catalog.RECURRENT or kind in catalog.RECURRENT_CELLS:
        gates = catalog.RECURRENT.get(kind) or catalog.RECURRENT_CELLS[kind]
        hidden = n("hidden_size")
        rows = hidden * gates if hidden is not None else None
        if kind in catalog.RECURRENT_CELLS:
            params["weight_ih"] = (rows, n("input_size"))
            params["weight_hh"] = (rows, hidden)
            if has_bias:
                params["bias_ih"] = (rows,)
                params["bias_hh"] = (rows,)
        else:
            layers = n("num_layers", 1) or 1
            bidirectional = args.get("bidirectional", False) is True
            directions = ["", "_reverse"] if bidirectional else [""]
            proj = n("proj_size", 0) if kind == "LSTM" else 0
            out_width = proj if proj else hidden  # an LSTM with proj_size projects h_t to proj_size
            for index in range(layers):
                width_in = n("input_size") if index == 0 else (
                    out_width * len(directions) if out_width is not None else None)
                for suffix in directions:
                    params[f"weight_ih_l{index}{suffix}"] = (rows, width_in)
                    params[f"weight_hh_l{index}{suffix}"] = (rows, out_width)
                    if has_bias:
                        params[f"bias_ih_l{index}{suffix}"] = (rows,)
                        params[f"bias_hh_l{index}{suffix}"] = (rows,)
                    if proj:
                        params[f"weight_hr_l{index}{suffix}"] = (proj, hidden)
    elif kind == "MultiheadAttention":
        embed = n("embed_dim")
        kdim, vdim = args.get("kdim"), args.get("vdim")
        if (kdim is not None and kdim != embed) or (vdim is not None and vdim != embed):
            # separate projections when key/value widths differ from embed_dim
            params["q_proj_weight"] = (embed, embed)
            params["k_proj_weight"] = (embed, kdim if isinstance(kdim, int) else None)
            params["v_proj_weight"] = (embed, vdim if isinstance(vdim, int) else None)
        else:
            params["in_proj_weight"] = (embed * 3 if embed else None, embed)
        if has_bias:
            params["in_proj_bias"] = (embed * 3 if embed else None,)
        if args.get("add_bias_kv") is True:
            params["bias_k"] = (1, 1, embed)
            params["bias_v"] = (1, 1, embed)
    elif kind in catalog.NORMS:
        if kind == "LocalResponseNorm":
            return {}
        affine_default = not kind.startswith("InstanceNorm")
        affine_key = "elementwise_affine" if kind in ("LayerNorm", "RMSNorm") else "affine"
        affine = args.get(affine_key, affine_default)
        if affine is False or (affine is None and not affine_default):
            return {}
        if kind in ("LayerNorm", "RMSNorm"):
            shape = args.get("normalized_shape")
            rank: tuple[int | None, ...] | None
            if isinstance(shape, int):
                rank = (shape,)
            elif isinstance(shape, tuple):
                rank = tuple(s if isinstance(s, int) else None for s in shape)
            else:
                rank = (None,) if not star else None
            params["weight"] = rank
            if kind == "LayerNorm" and args.get("bias", True) is not False:
                params["bias"] = rank
        elif kind == "GroupNorm":
            params["weight"] = (n("num_channels"),)
            params["bias"] = (n("num_channels"),)
        else:
            params["weight"] = (n("num_features"),)
            params["bias"] = (n("num_features"),)
    return params

