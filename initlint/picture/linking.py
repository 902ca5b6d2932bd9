"""Which definitions of other checked files a file's picture takes in, through its imports.

``from .utils import weights_init``, ``from models import *``, ``from .feed_forward import FeedForward``:
the class or function defined there (and what it needs of its own file: helpers, constants, imports) is
added to the importing file's picture as if it were written there, so ``net.apply(weights_init)`` in
``train.py`` runs ``utils.py``'s code over ``model.py``'s layers. Nothing is imported or run; the
definitions are the parsed trees of those files (parsed once, by the worker that checks them together).

A definition is taken in only when Python would give every name it uses the same meaning in the importing
file's picture as in its own file: when the importing file (or another definition taken in) binds one of
those names to something else (its own ``Block`` class, ``nn`` imported as another module), that
definition is left out and its name stays unknown, as it was before. An alias (``import x as y``), a
module object (``from models import networks``) and a name past a budget (budget.py) are not followed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from initlint.picture.budget import MAX_IMPORT_CHAIN, MAX_LINKED_DEFINITIONS, MAX_LINKED_FILES
from initlint.picture.imports import ImportTable, dotted
from initlint.picture.model import Locator, Span
from initlint.picture.syntax import statements

Resolver = Callable[[str, int, str], "str | None"]  # (importer, level, module) -> a checked file


@dataclass
class Source:
    """One parsed file of the checked tree."""

    path: str
    module: cst.Module
    locator: Locator
    text: str = ""
    _table: ModuleTable | None = None
    _uses: dict[int, list[str]] = field(default_factory=dict)

    @property
    def table(self) -> ModuleTable:
        if self._table is None:
            self._table = ModuleTable(self.module)
        return self._table

    def uses(self, node: cst.CSTNode) -> list[str]:
        """The names a definition of this file refers to, computed once (every importer asks)."""
        found = self._uses.get(id(node))
        if found is None:
            found = self._uses[id(node)] = _names_used(node)
        return found


_NO_NAMES = (cst.BaseParenthesizableWhitespace, cst.EmptyLine, cst.TrailingWhitespace, cst.Comment, cst.Newline,
             cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Comma, cst.Dot, cst.BaseBinaryOp,
             cst.BaseCompOp, cst.BaseUnaryOp, cst.BaseBooleanOp, cst.BaseAugOp, cst.LeftParen, cst.RightParen)


def _names_used(node: cst.CSTNode) -> list[str]:
    """The plain names read inside a definition (not attribute names after a dot or keyword names), sorted."""
    out: set[str] = set()
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.Name):
            out.add(current.value)
        elif isinstance(current, (cst.Attribute, cst.Arg)):
            pending.append(current.value)
        elif not isinstance(current, _NO_NAMES):
            pending.extend(current.children)
    return sorted(out)


class ModuleTable:
    """A file's top-level names: its definitions, what its imports bind, where its from-imports point."""

    def __init__(self, module: cst.Module) -> None:
        self.defs: dict[str, cst.CSTNode] = {}  # classes, functions and constant assignments
        self.from_imports: dict[str, tuple[int, str, str]] = {}  # local name -> (level, module, name there)
        self.stars: list[tuple[int, str]] = []
        self.public: list[str] | None = None  # ``__all__`` when it is a literal list of strings
        self._exported: list[str] | None = None
        self._exported_set: frozenset[str] | None = None
        self.modules: dict[str, str] = {}  # ``import util`` / ``import models.networks as nets``: local -> module
        self.imports = ImportTable.from_module(module).names
        for stmt in _top_level(module):
            if isinstance(stmt, (cst.ClassDef, cst.FunctionDef)):
                self.defs[stmt.name.value] = stmt
            elif isinstance(stmt, cst.Import):
                for alias in stmt.names:
                    full = dotted(alias.name) or ""
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        self.modules[alias.asname.name.value] = full
                    elif "." not in full:
                        self.modules[full] = full
            elif isinstance(stmt, cst.ImportFrom):
                level = len(stmt.relative)
                module_name = dotted(stmt.module) if stmt.module is not None else ""
                if isinstance(stmt.names, cst.ImportStar):
                    self.stars.append((level, module_name or ""))
                    continue
                for alias in stmt.names:
                    name = dotted(alias.name) or ""
                    local = alias.asname.name.value if alias.asname is not None and isinstance(
                        alias.asname.name, cst.Name) else name
                    self.from_imports[local] = (level, module_name or "", name)
                    self.defs.pop(local, None)
            elif isinstance(stmt, cst.Assign) and len(stmt.targets) == 1 \
                    and isinstance(stmt.targets[0].target, cst.Name):
                name = stmt.targets[0].target.value
                if name == "__all__":
                    self.public = _strings(stmt.value)
                self.defs[name] = stmt
                self.from_imports.pop(name, None)

    def exported(self) -> list[str]:
        """The names ``from this import *`` binds (``__all__``, else every public top-level name)."""
        if self.public is not None:
            return self.public
        if self._exported is None:
            names = set(self.defs) | set(self.from_imports) | set(self.imports)
            self._exported = sorted(n for n in names if not n.startswith("_"))
        return self._exported

    def exported_set(self) -> frozenset[str]:
        if self._exported_set is None:
            self._exported_set = frozenset(self.exported())
        return self._exported_set


def _top_level(module: cst.Module) -> list[cst.CSTNode]:
    """Top-level statements, with the bodies of top-level ``try``/``if`` (a guarded import) flattened."""
    out: list[cst.CSTNode] = []
    for stmt in statements(module.body):
        if isinstance(stmt, (cst.Try, cst.If)):
            out.extend(s for s in statements(stmt.body) if isinstance(s, (cst.Import, cst.ImportFrom)))
        else:
            out.append(stmt)
    return out


def _strings(node: cst.BaseExpression) -> list[str] | None:
    if not isinstance(node, (cst.List, cst.Tuple)):
        return None
    out = []
    for element in node.elements:
        value = element.value
        if not isinstance(value, cst.SimpleString) or not isinstance(value.evaluated_value, str):
            return None
        out.append(value.evaluated_value)
    return out


@dataclass
class Linked:
    """What a file's picture takes in from the files it imports (see the module docstring)."""

    statements: list[cst.CSTNode] = field(default_factory=list)  # definitions, each after what it uses
    imports: dict[str, str] = field(default_factory=dict)  # names their code uses -> what they import
    local: set[str] = field(default_factory=set)  # names now defined in the picture (classes, functions)
    # ``util.init_linear_wt`` (``import util``) -> the definition taken in: ``<local>.init_linear_wt``
    redirects: dict[str, str] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # class or function name -> its file
    sources: list[Source] = field(default_factory=list)  # the files they come from
    table: Any = None  # the picture's import table with them (set by the builder; facts.of reads it)
    # for --explain: imported names taken in (-> their file) and not followed (-> the module and why)
    followed: dict[str, str] = field(default_factory=dict)
    unfollowed: dict[str, tuple[str, str]] = field(default_factory=dict)


# A binding: what a name means in one file. ("def", id(node)) for a definition, ("import", qualified).
Binding = tuple[str, Any]


class Linker:
    """Collects ``Linked`` for one file; see the module docstring."""

    def __init__(self, root: Source, sources: Mapping[str, Source], resolve: Resolver) -> None:
        self.root = root
        self.sources = sources
        self.resolve = resolve
        self.linked = Linked()
        self._conflict = ""  # the name whose meaning the last refused definition would change
        self._taken: set[int] = {id(node) for node in root.table.defs.values()}  # definitions in the picture
        # what each name means in the picture: the root's own bindings, its from-imports followed
        self.bindings: dict[str, Binding] = {}
        for name, qualified in root.table.imports.items():
            node = root.table.defs.get(name)
            if qualified.startswith("<local>.") and node is not None:
                self.bindings[name] = ("def", id(node))
            else:
                self.bindings[name] = ("import", qualified)
        for name in root.table.from_imports:
            found = self.lookup(root, name)
            if found is not None:
                self.bindings[name] = found[0]

    def _target(self, importer: str, level: int, module: str) -> Source | None:
        path = self.resolve(importer, level, module)
        return self.sources.get(path) if path is not None else None

    def lookup(self, source: Source, name: str, depth: int = 0) -> tuple[Binding, Source, cst.CSTNode | None] | None:
        """What ``name`` means in ``source``: a definition (and the file it is in) or an import."""
        if depth > MAX_IMPORT_CHAIN:
            return None
        table = source.table
        if name in table.defs:
            node = table.defs[name]
            return ("def", id(node)), source, node
        if name in table.from_imports:
            level, module, there = table.from_imports[name]
            target = self._target(source.path, level, module)
            if target is not None and target is not source:
                found = self.lookup(target, there, depth + 1)
                if found is not None and (found[2] is None or there == name):
                    return found
                # in the tree but not followed (an alias, a module object): it stays what the import says
                return ("import", table.imports.get(name, f"<unfollowed>.{name}")), source, None
        if name in table.imports and not table.imports[name].startswith("<"):
            return ("import", table.imports[name]), source, None
        for level, module in table.stars:
            target = self._target(source.path, level, module)
            if target is not None and target is not source and name in target.table.exported_set():
                return self.lookup(target, name, depth + 1)
        return None

    def take(self, name: str, found: tuple[Binding, Source, cst.CSTNode | None]) -> bool:
        """Bind ``name`` in the picture as ``found`` does, with all its definition needs; False (nothing
        taken) when a name would change meaning or a budget is spent."""
        plan: dict[str, Binding] = {}
        order: list[tuple[str, Source, cst.CSTNode]] = []
        imports: dict[str, str] = {}
        self._conflict = ""
        if not self._plan(name, found, plan, order, imports, 0):
            return False
        files = {id(s): s for s in self.linked.sources} | {id(s): s for _, s, _ in order}
        if len(files) > MAX_LINKED_FILES or len(self.linked.statements) + len(order) > MAX_LINKED_DEFINITIONS:
            self._conflict = ""
            return False
        self.bindings.update(plan)
        self.linked.imports.update(imports)
        for local, source, node in order:
            self._taken.add(id(node))
            self.linked.statements.append(node)
            if isinstance(node, (cst.ClassDef, cst.FunctionDef)):
                self.linked.local.add(local)
                self.linked.origin[local] = source.path
            if all(s is not source for s in self.linked.sources):
                self.linked.sources.append(source)
        return True

    def _plan(self, name: str, found: tuple[Binding, Source, cst.CSTNode | None], plan: dict[str, Binding],
              order: list[tuple[str, Source, cst.CSTNode]], imports: dict[str, str], depth: int) -> bool:
        binding, source, node = found
        if name in plan:
            return plan[name] == binding  # planned already (or being planned: a cycle between definitions)
        known = self.bindings.get(name)
        if known is not None and known != binding:
            self._conflict = name
            return False  # the name means something else in the picture already
        if node is None:
            if known is None:
                plan[name] = binding
                imports[name] = binding[1]
            return True
        if id(node) in self._taken:
            return True  # in the picture already
        plan[name] = binding
        if depth > MAX_IMPORT_CHAIN * 4 or len(order) > MAX_LINKED_DEFINITIONS:
            return False
        for used in source.uses(node):
            if used == name:
                continue
            inner = self.lookup(source, used)
            if inner is not None and not self._plan(used, inner, plan, order, imports, depth + 1):
                return False
        order.append((name, source, node))
        return True

    def run(self) -> Linked | None:
        table = self.root.table
        requests: list[tuple[str, tuple[Binding, Source, cst.CSTNode | None]]] = []
        spelled: dict[str, str] = {}  # name -> the module as the import spells it
        objects: dict[str, Source] = {}  # module objects: ``import util``, ``from models import networks``
        for local, module in table.modules.items():
            target = self._target(self.root.path, 0, module)
            if target is not None and target is not self.root:
                objects[local] = target
        for local, (level, module, there) in table.from_imports.items():
            spelled[local] = "." * level + module
            submodule = self._target(self.root.path, level, f"{module}.{there}" if module else there)
            if submodule is not None and submodule is not self.root:
                objects[local] = submodule
                continue
            target = self._target(self.root.path, level, module)
            if target is None:
                if level or not _known_library(module):
                    self.linked.unfollowed[local] = (spelled[local], "not among the checked files")
                continue
            if target is self.root:
                continue
            if local != there:
                self.linked.unfollowed[local] = (spelled[local], "imported under another name, not followed")
                continue
            found = self.lookup(target, there)
            if found is None:
                self.linked.unfollowed[local] = (spelled[local], "not defined there")
            elif found[2] is not None:
                requests.append((local, found))
        for level, module in table.stars:
            target = self._target(self.root.path, level, module)
            if target is None or target is self.root:
                continue
            for name in target.table.exported():
                if name in table.defs or name in table.imports:
                    continue  # the file's own binding wins (its imports and definitions follow the star)
                found = self.lookup(target, name)
                if found is not None:
                    spelled[name] = "." * level + module
                    requests.append((name, found))
        for local, attr in _attribute_uses(self.root.module, set(objects)) if objects else []:
            found = self.lookup(objects[local], attr)
            if found is None or found[2] is None:
                continue
            spelled[attr] = local
            if self.take(attr, found):
                self.linked.redirects[f"{table.imports.get(local, local)}.{attr}"] = f"<local>.{attr}"
                self.linked.followed[f"{local}.{attr}"] = found[1].path
            else:
                self.linked.unfollowed[f"{local}.{attr}"] = (local, self._refusal())
        for name, found in requests:
            if self.take(name, found):
                if found[2] is not None:
                    self.linked.followed[name] = found[1].path
            elif found[2] is not None:
                self.linked.unfollowed[name] = (spelled[name], self._refusal())
        return self.linked

    def _refusal(self) -> str:
        """Why the last definition asked for was not taken in."""
        if self._conflict:
            return f"it would change what `{self._conflict}` means here"
        return "past the budget of definitions taken in from other files"


def _known_library(module: str) -> bool:
    """torch and the standard library: never one of the project's modules (not worth a note in --explain)."""
    top = module.split(".", 1)[0]
    return top == "torch" or top in getattr(sys, "stdlib_module_names", ())


def _attribute_uses(module: cst.Module, names: set[str]) -> list[tuple[str, str]]:
    """``(util, init_linear_wt)`` for every ``util.init_linear_wt`` in the file, in order, once each."""
    out: dict[tuple[str, str], None] = {}
    pending: list[cst.CSTNode] = [module]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value in names:
            out.setdefault((node.value.value, node.attr.value), None)
            continue
        pending.extend(reversed(node.children))
    return list(out)


def with_definitions(module: cst.Module, linked: Linked) -> cst.Module:
    """The module with the definitions taken in before its own statements: the same nodes (positions still
    come from their own files), for the facts that walk a module's statements."""
    body: list[cst.BaseStatement] = []
    for node in linked.statements:
        if isinstance(node, cst.BaseCompoundStatement):
            body.append(node)
        elif isinstance(node, cst.BaseSmallStatement):
            body.append(cst.SimpleStatementLine([node]))
    return module.with_changes(body=[*body, *module.body])


def link(root: Source, sources: Mapping[str, Source], resolve: Resolver) -> Linked | None:
    """The definitions ``root``'s picture takes in from the other parsed files (None: nothing to take)."""
    return Linker(root, sources, resolve).run()


class ProjectLocator(Locator):
    """Positions over the file being checked and the files its picture took definitions from; a position in
    one of those says which file it is in (``Span.file``), and messages name it (``models.py:41``)."""

    spans_files = True

    def __init__(self, root: Locator, root_path: str, others: list[Source]) -> None:
        super().__init__(dict)
        self.root = root
        self.root_path = root_path
        self.others = others

    def span(self, node: object) -> Span:
        try:
            return self.root.span(node)
        except KeyError:
            pass
        for other in self.others:
            try:
                span = other.locator.span(node)
            except KeyError:
                continue
            return Span(span.line, span.column, span.end_line, span.end_column, other.path)
        raise KeyError(node)

    def place(self, node: object) -> str:
        span = self.span(node)
        return f"{self.shown(span.file or self.root_path)}:{span.line}"

    def shown(self, path: str) -> str:
        return shown(path, self.root_path)


def shown(path: str, root_path: str) -> str:
    """A file as a message about ``root_path`` names it: relative to that file's directory."""
    base = os.path.dirname(os.path.abspath(root_path))
    return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
