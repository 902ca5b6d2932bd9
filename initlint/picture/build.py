"""Build the static picture of a file: which layers exist, and which init calls touch them.

A small abstract interpreter walks ``__init__`` bodies, init methods and module-level code.  It
knows modules (layers, activations, containers, instances of the file's own classes), numbers
(for layer sizes) and "dispatch" variables (``m`` in ``self.apply(fn)`` or ``for m in
self.modules()``), narrowed by ``isinstance`` tests.  It never imports or runs the code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import libcst as cst

from initlint.picture.bindings import Mentions, Scout, has_unfilled_sizes, mentions
from initlint.picture.budget import MAX_NESTING, MAX_SOURCE_NAMES, Work
from initlint.picture.callers import Reaches, split_by_callers
from initlint.picture.calls import dispatch_args
from initlint.picture.cli_options import CliOptions
from initlint.picture.domain import (
    UNKNOWN,
    ClassInfo,
    DispatchVal,
    FuncRef,
    LayerVal,
    MixedModules,
    SeqVal,
    SubVal,
    seq_labels,
)
from initlint.picture.eval import Evaluator
from initlint.picture.flow import FlowAnalyzer
from initlint.picture.forward import MethodFlow
from initlint.picture.imports import ImportTable, dotted
from initlint.picture.inherited import helpers_given_self, inherited_init_methods, initializes_self_wholesale
from initlint.picture.interpreter import Interpreter
from initlint.picture.linking import Linked
from initlint.picture.model import Binding, InitSite, Layer, Locator, Picture
from initlint.picture.syntax import (
    dotted_names,
    function_params,
    names_in,
    statements,
)

# --------------------------------------------------------------------------- class table


class PictureBuilder:
    """Fills a :class:`Picture` from one parsed module."""

    def __init__(self, module: cst.Module, locator: Locator, linked: Linked | None = None,
                 syntax_memo: dict[tuple[str, int], Any] | None = None, scout: Scout | None = None) -> None:
        self.module = module
        self.locator = locator
        self.linked = linked or Linked()  # definitions taken in from the files it imports (linking.py)
        self.own_imports = ImportTable.from_module(module)  # the file's own (fixes may spell only these)
        self.imports = self.own_imports.copy()
        for name, qualified in self.linked.imports.items():
            self.imports.names.setdefault(name, qualified)
        for stmt in self.linked.statements:
            if isinstance(stmt, cst.Assign) and isinstance(stmt.targets[0].target, cst.Name):
                self.imports.names.pop(stmt.targets[0].target.value, None)  # a constant, now in module_env
        for name in self.linked.local:
            self.imports.names[name] = f"<local>.{name}"
        self.imports.links.update(self.linked.redirects)
        self.linked.table = self.imports
        self.picture = Picture()
        self.module_env: dict[str, Any] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.functions: dict[str, cst.FunctionDef] = {}
        self._memo: dict[tuple[Any, ...], int] = {}
        self._next_uid = 0
        self._order = 0
        self.collecting = False
        self._applied: set[int] = set()  # ids of functions analysed with a known dispatch scope
        self.sites: dict[tuple[int, str], InitSite] = {}  # init sites by (call node, function)
        self.site_inputs: dict[tuple[int, str], dict[str, object]] = {}  # what each site's arguments read
        # per site: the evaluated arguments of each reach and the parameters it reached (recorder.same_inputs)
        self.site_reaches: dict[tuple[int, str], Reaches] = {}
        self.children: dict[int, list[int]] = {}  # a layer's own sub-layers (MultiheadAttention.out_proj)
        self.child_paths: dict[int, tuple[int, str]] = {}  # sub-layer -> (parent, path under it: "layers.*")
        self.clones: dict[int, dict[int, int]] = {}  # TransformerEncoder uid -> {original layer: its copy}
        self.containers: list[SeqVal] = []  # every Sequential/ModuleList built, stored or not
        self.work = Work()  # what the running entry point has spent (budget.py)
        # facts about pieces of syntax; ``syntax_memo`` shares them between the pictures of files checked
        # together (a definition taken in by several importers is read once; its nodes live as long)
        self._syntax_facts: dict[tuple[str, int], Any] = syntax_memo if syntax_memo is not None else {}
        self.scout = scout  # a scouting run (bindings.py) records where each class is built, nothing else
        self._order_cache: list[ClassInfo] | None = None
        self.cli = CliOptions()  # module-level argparse defaults
        # module names and ``opt.x`` paths whose value is a command-line default: name -> how to say so
        self.cli_notes: dict[str, tuple[str, ...]] = {}

    # ------------------------------------------------------------------ entry

    def build(self) -> Picture:
        self._collect_definitions()
        self.picture.bindings = self._scouted_bindings()
        # Pass 1 builds every class's attribute table so composition is known in any order;
        # pass 2 runs again (layers are memoized by syntax node) and records init sites in order.
        for info in self._class_order():
            self._run_class(info)
        self.collecting = True
        for info in self._class_order():
            info.attrs.clear()
            info.attr_paths.clear()
            self._run_class(info)
        self._run_module_level()
        self._run_unapplied_functions()
        self.picture.inits = split_by_callers(self.picture.inits, self.sites, self.site_reaches)
        analyzer = FlowAnalyzer(self)
        analyzer.sequences()
        for info in self.classes.values():
            for name, method in analyzer.data_flow_methods(info):
                MethodFlow(analyzer, info, is_forward=(name == "forward")).run_method(method)
        analyzer.finish()
        self.picture.init_prefix = self.own_imports.init_prefix()
        self.picture.nn_prefix = self.own_imports.nn_prefix()
        self.picture.linked = self.linked
        self.picture.nn_name_free = "nn" not in self.imports.names and "nn" not in self.module_env \
            and "nn" not in self.classes and "nn" not in self.functions
        self.picture.import_anchor = _last_import(self.module)
        return self.picture

    def _scouted_bindings(self) -> dict[str, Binding]:
        """Constructor arguments from where the file builds each class, found by a scouting run on a
        throwaway builder: module-level code and builder functions first, then classes parents first, so
        ``Model(256)`` reaches ``Tower(dim)`` and from there ``FeedForward(dim, 4 * dim)``."""
        if not has_unfilled_sizes(self.classes):
            return {}
        scout = Scout()
        runner = PictureBuilder(self.module, self.locator, self.linked, scout=scout)
        runner._syntax_facts = self._syntax_facts  # facts of the same syntax nodes: shared
        runner._collect_definitions()
        runner._run_module_level()
        for name, fn in runner.functions.items():
            if id(fn) not in runner._applied and not _looks_like_init_routine(fn):
                runner._applied.add(id(fn))
                runner.interpreter(None, ("<function>", name)).call_function(fn, [], {}, self_bound=False,
                                                                            owner=None)
        def source() -> Mentions:
            found: Mentions = self.syntax_fact("mentions", self.module, mentions)
            return found

        local = set(self.classes) | set(self.functions)
        for mine in reversed(self._class_order()):
            info = runner.classes[mine.name]
            found = runner.method(info, "__init__")
            if found is None:
                continue
            binding = scout.binding(info.name, found[0], source)
            if binding is not None:
                runner.picture.bindings[info.name] = binding
            if self.body_names(found[0]) & local:
                runner._run_class(info)  # a leaf class builds none of the file's classes: nothing to record
        return runner.picture.bindings

    def _collect_definitions(self) -> None:
        consts = Evaluator(self.imports, [self.module_env])
        self.cli.read(self.module, self.imports, consts)
        for path, default in self.cli.defaults.items():
            self.module_env[path] = default.value  # ``opt.ndf``: dotted, so no plain name is shadowed
            self.cli_notes[path] = (default.note,)
        for stmt in self.linked.statements + statements(self.module.body):
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
                        notes = self.cli_notes_of(stmt.value)
                        if notes:
                            self.cli_notes[target.value] = notes  # ``ndf = int(opt.ndf)``
                elif isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, tuple) \
                        and len(value) == len(target.elements):
                    for element, item in zip(target.elements, value):
                        if isinstance(element.value, cst.Name) and item is not UNKNOWN:
                            self.module_env[element.value.value] = item

    def cli_notes_of(self, *exprs: cst.BaseExpression, sources: dict[str, cst.BaseExpression] | None = None
                     ) -> tuple[str, ...]:
        """The command-line defaults these expressions read (``opt.ndf``, or ``ndf = int(opt.ndf)``),
        through the local names they are assigned from."""
        if not self.cli_notes:
            return ()
        found: dict[str, None] = {}
        pending = list(exprs)
        seen: set[str] = set()
        while pending and len(seen) < MAX_SOURCE_NAMES:
            node = pending.pop()
            for path in dotted_names(node):
                if path in seen:
                    continue
                seen.add(path)
                for note in self.cli_notes.get(path, ()):
                    found[note] = None
                source = (sources or {}).get(path)
                if source is not None:
                    pending.append(source)
        return tuple(found)

    def _class_order(self) -> list[ClassInfo]:
        """Classes with the ones they build on (bases, composed parts) first (computed once)."""
        if self._order_cache is not None:
            return self._order_cache
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
        self._order_cache = order
        return order

    def body_names(self, fn: cst.FunctionDef) -> frozenset[str]:
        """The plain names a function body uses (once per node)."""
        found: frozenset[str] = self.syntax_fact("names", fn.body, lambda body: frozenset(names_in(body)))
        return found

    def _class_deps(self, info: ClassInfo) -> list[str]:
        deps = [b.rsplit(".", 1)[-1] for b in info.bases if b.rsplit(".", 1)[-1] in self.classes]
        init = info.methods.get("__init__")
        if init is not None:
            deps += sorted({n for n in self.body_names(init) if n in self.classes and n != info.name})
        return deps

    def _base_infos(self, info: ClassInfo) -> list[ClassInfo]:
        """The file's classes (its own and those taken in) that ``info``'s bases name, through the imports:
        ``networks.BaseNetwork`` is the local ``BaseNetwork`` only when ``networks`` leads to it."""
        out = []
        for base in info.node.bases:
            resolved = self.imports.resolve(base.value)
            if resolved is None or not resolved.startswith("<local>."):
                continue
            short = resolved[len("<local>."):]
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

    def syntax_fact(self, kind: str, node: cst.CSTNode, compute: Callable[[Any], Any]) -> Any:
        """A fact about a piece of syntax (the names a loop body assigns), computed once per node: loops run
        item by item ask again for each item."""
        key = (kind, id(node))
        if key not in self._syntax_facts:
            self._syntax_facts[key] = compute(node)
        return self._syntax_facts[key]

    def interpreter(self, info: ClassInfo | None, context: tuple[Any, ...]) -> Interpreter:
        """An interpreter for one entry point, with a fresh work budget its nested calls share."""
        self.work = Work()
        return Interpreter(self, info, context=context)

    def _run_class(self, info: ClassInfo) -> None:
        found = self.method(info, "__init__")
        if found is None:
            return
        fn, owner = found
        interp = self.interpreter(info, (info.name,))
        binding = self.picture.bindings.get(info.name)
        kwargs = {**binding.values, **binding.modules} if binding is not None else {}
        interp.call_function(fn, args=[], kwargs=kwargs, self_bound=True, owner=owner)

    def _run_module_level(self) -> None:
        interp = self.interpreter(None, ("<module>",))
        interp.env = self.module_env
        interp.module_level = True
        interp.run(statements(self.module.body))

    def _run_unapplied_functions(self) -> None:
        """Init routines never seen applied: their dispatch variable may be any layer in the file. Callers
        run before the functions they call (``init_weights(net, init_type)`` applies ``weights_init_xavier``
        under ``init_type == 'xavier'``), so a helper is first reached under its caller's options."""
        everything = self.scope_all()
        local = set(self.functions)
        callers = [name for name, fn in self.functions.items() if self.body_names(fn) & (local - {name})]
        order = callers + [name for name in self.functions if name not in callers]
        for name in order:
            fn = self.functions[name]
            if id(fn) in self._applied or name in self.linked.local:
                continue  # (a function taken in from another file is that file's picture's to run alone)
            if _looks_like_init_routine(fn) and function_params(fn):
                self._run_dispatch_function(FuncRef(fn, None), everything, None)
            else:
                # Builders such as ``def make_mlp(): return nn.Sequential(...)``.
                self._applied.add(id(fn))
                interp = self.interpreter(None, ("<function>", name))
                interp.call_function(fn, [], {}, self_bound=False, owner=None)
        called = set(self._applied)  # init routines some run of this picture calls already
        for info in self.classes.values():
            if info.name in self.linked.local:
                continue
            for fn, owner in inherited_init_methods(info, self._base_infos, _looks_like_init_routine,
                                                    self._wholesale):
                if id(fn) not in called:
                    self._run_inherited(fn, info, owner)
            for name, fn in info.methods.items():
                if id(fn) in self._applied or name == "__init__" or not _looks_like_init_routine(fn):
                    continue
                params = [p for p in function_params(fn) if p.name.value != "self"]
                if params:
                    self._run_dispatch_function(FuncRef(fn, info.name, True), everything, info)
                else:
                    interp = self.interpreter(info, (info.name, name))
                    interp.call_function(fn, [], {}, self_bound=True, owner=info)

    def _wholesale(self, fn: cst.FunctionDef) -> bool:
        """``fn`` initializes all of ``self``: ``self.apply(...)``, ``self.modules()`` loops, or ``self`` handed
        to one of the picture's functions (inherited.py)."""
        if self.syntax_fact("initializes self wholesale", fn, initializes_self_wholesale):
            return True
        helpers: frozenset[str] = self.syntax_fact("helpers given self", fn, helpers_given_self)
        return any(name in self.functions and self.imports.names.get(name) == f"<local>.{name}" for name in helpers)

    def _run_inherited(self, fn: cst.FunctionDef, info: ClassInfo, owner: ClassInfo) -> None:
        """A base class's init method run with ``self`` the subclass ``info`` (inherited.py), its parameters
        at their defaults (each option of them still judged as its own scenario)."""
        interp = self.interpreter(info, (info.name, "<inherited>", id(fn)))
        interp.call_function(fn, [], {}, self_bound=True, owner=owner)

    def _run_dispatch_function(self, ref: FuncRef, scope: DispatchVal, info: ClassInfo | None) -> None:
        self._applied.add(id(ref.node))
        interp = self.interpreter(info, ("<apply>", id(ref.node)))
        interp.call_function(ref.node, dispatch_args(ref.node, scope), {}, self_bound=ref.bound_self, owner=info)

    def constant(self, info: ClassInfo | None, node: cst.BaseExpression | None) -> Any:
        """The constant value of an expression in a class's methods (module and class constants only)."""
        scopes: list[dict[str, Any]] = [self.module_env] + ([info.consts] if info is not None else [])
        return Evaluator(self.imports, scopes)(node)

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
                out += self.sub_layers(uid, path)
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
        if isinstance(value, MixedModules):
            # ``SELayer(c) if use_se else nn.Identity()``: ``modules()`` visits whichever one is there
            return [entry for option in value.values for entry in self.scope_of_value(option, path, depth + 1)]
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
        """Every layer of the file (not those of classes taken in from other files: an init routine never
        seen applied is not assumed to reach them)."""
        seen: dict[int, str] = {}
        for uid, layer in self.picture.layers.items():
            if layer.owner in self.linked.local:
                continue
            seen.setdefault(uid, layer.path)
        return DispatchVal(tuple(seen.items()))

    # ------------------------------------------------------------------ layers

    def adopt(self, parent: int, child: int, under: str) -> None:
        """``child`` is a sub-layer of ``parent`` at ``under`` (``out_proj``; ``layers.*`` for the layer a
        ``TransformerEncoder`` clones)."""
        self.children.setdefault(parent, []).append(child)
        self.child_paths[child] = (parent, under)
        self.rename_sub_layers(parent)

    def rename_sub_layers(self, uid: int, depth: int = 0) -> None:
        """Derive the paths of a layer's sub-layers, at every depth, from its own."""
        if depth > MAX_NESTING:
            return
        path = self.picture.layers[uid].path
        for child in self.children.get(uid, ()):
            self.picture.layers[child].path = f"{path}.{self.child_paths[child][1]}"
            self.rename_sub_layers(child, depth + 1)

    def sub_layers(self, uid: int, path: str, depth: int = 0) -> list[tuple[int, str]]:
        """A layer's sub-layers at every depth, with their paths under ``path``."""
        out: list[tuple[int, str]] = []
        if depth > MAX_NESTING:
            return out
        for child in self.children.get(uid, ()):
            under = f"{path}.{self.child_paths[child][1]}"
            out.append((child, under))
            out += self.sub_layers(child, under, depth + 1)
        return out

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
        existing = self.sites.get(key)
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
            # reached under several paths: it runs under what they have in common (at least)
            existing.path = tuple(c for c in existing.path if c in site.path)
            return
        self.sites[key] = site
        self.picture.inits.append(site)




def _looks_like_init_routine(fn: cst.FunctionDef) -> bool:
    name = fn.name.value.lower()
    return bool("init" in name or "reset" in name)






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












# Parts of the names of calls that (re)initialize weights; ``init_hidden``/``init_state`` make tensors.






