"""Syntactic facts about one file, for the rules about init code that cannot work (IL403-IL410, IL502-IL508).

One walk over the libcst module, with names resolved through the file's imports (``imports.py``): every call
and where it sits (function, class, enclosing ``if`` tests, inside ``torch.no_grad()`` or not), every ``if``
test, every function and the names that refer to it. The interpreter (``build.py``) answers what an init
reaches; these facts answer what the code around it says, which the interpreter does not keep.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from initlint.picture.imports import ImportTable, dotted
from initlint.picture.linking import Linked, with_definitions
from initlint.picture.model import Picture

# Context managers and decorators under which autograd records nothing.
GRAD_OFF = frozenset({"torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad",
                      "torch.autograd.grad_mode.no_grad", "torch.autograd.grad_mode.inference_mode"})


@dataclass(frozen=True)
class Where:
    """Where a node sits."""

    functions: tuple[cst.FunctionDef, ...]  # enclosing functions, outermost first
    cls: cst.ClassDef | None  # the class whose method (or nested function) holds it
    grad_off: bool  # inside ``with torch.no_grad()`` or a function decorated with it
    statement: cst.BaseSmallStatement | cst.BaseCompoundStatement | None  # the innermost statement
    block: cst.CSTNode | None  # the block (IndentedBlock, SimpleStatementSuite or Module) holding it
    branches: tuple[tuple[cst.If, bool], ...]  # enclosing ``if``s of the innermost function, True: in its body
    loops: tuple[cst.For, ...]  # enclosing ``for`` loops of the innermost function
    order: int  # source order

    @property
    def function(self) -> cst.FunctionDef | None:
        return self.functions[-1] if self.functions else None


@dataclass(frozen=True)
class CallFact:
    node: cst.Call
    qualified: str | None  # what the callee resolves to through imports (``torch.nn.init.normal_``)
    where: Where
    imports: ImportTable = field(repr=False, compare=False)


@dataclass(frozen=True)
class IfFact:
    node: cst.If
    where: Where


@dataclass(frozen=True)
class FunctionFact:
    node: cst.FunctionDef
    cls: cst.ClassDef | None  # the class it is a method of
    decorators: tuple[str, ...]  # each decorator's text, resolved through imports when it can be
    where: Where


@dataclass
class Facts:
    module: cst.Module
    imports: ImportTable
    calls: list[CallFact] = field(default_factory=list)
    ifs: list[IfFact] = field(default_factory=list)
    functions: list[FunctionFact] = field(default_factory=list)
    # name -> the functions (None: module level) whose code mentions it, as a Name or an attribute
    references: dict[str, list[cst.FunctionDef | None]] = field(default_factory=dict)
    strings: set[str] = field(default_factory=set)  # every string literal's value
    classes: dict[str, cst.ClassDef] = field(default_factory=dict)
    parents: dict[int, cst.CSTNode] = field(default_factory=dict, repr=False)  # id(node) -> parent
    _by_function: dict[int, list[CallFact]] | None = field(default=None, repr=False)
    _by_name: dict[str, list[CallFact]] | None = field(default=None, repr=False)

    def calls_in(self, function: cst.FunctionDef | None) -> list[CallFact]:
        """The calls written directly in a function (not in functions nested in it)."""
        if self._by_function is None:
            self._by_function = {}
            for call in self.calls:
                self._by_function.setdefault(id(call.where.function), []).append(call)
        return self._by_function.get(id(function), [])

    def calls_naming(self, name: str) -> list[CallFact]:
        """Calls of ``name``/``x.name`` and ``x.apply(name)``/``x.apply(self.name)``."""
        if self._by_name is None:
            self._by_name = {}
            for call in self.calls:
                func = call.node.func
                names = {func.value} if isinstance(func, cst.Name) else {func.attr.value} \
                    if isinstance(func, cst.Attribute) else set()
                if isinstance(func, cst.Attribute) and func.attr.value == "apply" and len(call.node.args) == 1:
                    arg = call.node.args[0].value
                    names |= {arg.value} if isinstance(arg, cst.Name) else {arg.attr.value} \
                        if isinstance(arg, cst.Attribute) else set()
                for one in names:
                    self._by_name.setdefault(one, []).append(call)
        return self._by_name.get(name, [])

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(id(node))

    def calls_to(self, *qualified: str) -> list[CallFact]:
        return [c for c in self.calls if c.qualified in qualified]

    def calls_under(self, prefix: str) -> list[CallFact]:
        return [c for c in self.calls if c.qualified is not None and c.qualified.startswith(prefix)]

    def within(self, node: cst.CSTNode, ancestor: cst.CSTNode) -> bool:
        current: cst.CSTNode | None = node
        while current is not None:
            if current is ancestor:
                return True
            current = self.parent(current)
        return False


def facts_of(module: cst.Module, imports: ImportTable | None = None) -> Facts:
    """``imports``: the names as the picture resolves them (with definitions from other files, linking.py)."""
    imports = imports or ImportTable.from_module(module)
    collector = _Collector(module, imports)
    collector.walk(module, None)
    return collector.facts


def _concrete(base: type) -> frozenset[type]:
    out: set[type] = set()
    pending = [base]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        out.add(cls)
    return frozenset(out)


STATEMENTS = _concrete(cst.BaseSmallStatement) | _concrete(cst.BaseCompoundStatement)
BLOCKS = frozenset({cst.IndentedBlock, cst.SimpleStatementSuite})
# Tokens and whitespace: nothing below them is a fact (skipped, which makes the walk several times cheaper
# than a libcst visitor, which also visits every whitespace node).
SKIPPED = _concrete(cst.BaseParenthesizableWhitespace) | _concrete(cst.BaseBinaryOp) | _concrete(cst.BaseCompOp) \
    | _concrete(cst.BaseUnaryOp) | _concrete(cst.BaseBooleanOp) | _concrete(cst.BaseAugOp) | frozenset({
        cst.Comma, cst.Dot, cst.Colon, cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket,
        cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.Semicolon, cst.AssignEqual, cst.Newline, cst.EmptyLine,
        cst.TrailingWhitespace, cst.Comment, cst.ImportStar})
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


class _Collector:
    """One recursive walk over the syntax (statements, expressions; no whitespace) keeping the context."""

    def __init__(self, module: cst.Module, imports: ImportTable) -> None:
        self.facts = Facts(module, imports)
        self._imports = [imports]
        self._functions: list[cst.FunctionDef] = []
        self._classes: list[cst.ClassDef | None] = [None]
        self._grad_off = [False]
        self._statements: list[cst.CSTNode] = []
        self._blocks: list[cst.CSTNode] = [module]
        self._branches: list[list[tuple[cst.If, bool]]] = [[]]
        self._loops: list[list[cst.For]] = [[]]
        self._order = 0

    def where(self) -> Where:
        self._order += 1
        statement = self._statements[-1] if self._statements else None
        return Where(
            functions=tuple(self._functions),
            cls=self._classes[-1],
            grad_off=self._grad_off[-1],
            statement=statement,  # type: ignore[arg-type]
            block=self._blocks[-1],
            branches=tuple(self._branches[-1]),
            loops=tuple(self._loops[-1]),
            order=self._order,
        )

    # ---------------------------------------------------------------- the walk

    def walk(self, node: cst.CSTNode, parent: cst.CSTNode | None) -> None:
        kind = type(node)
        if kind in SKIPPED:
            return
        if parent is not None:
            self.facts.parents[id(node)] = parent
        statement = kind in STATEMENTS
        block = kind in BLOCKS
        if statement:
            self._statements.append(node)
        if block:
            self._blocks.append(node)
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, node)
        else:
            self.children(node)
        if statement:
            self._statements.pop()
        if block:
            self._blocks.pop()

    def children(self, node: cst.CSTNode, skip: tuple[str, ...] = ()) -> None:
        for name in _fields(type(node)):
            if name in skip:
                continue
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                self.walk(value, node)
            elif isinstance(value, (list, tuple)):
                for item in value:
                    if isinstance(item, cst.CSTNode):
                        self.walk(item, node)

    def _class(self, node: cst.ClassDef) -> None:
        if not self._functions:
            self.facts.classes.setdefault(node.name.value, node)
        self._classes.append(node)
        self.children(node, skip=("name",))
        self._classes.pop()

    def _function(self, node: cst.FunctionDef) -> None:
        decorators = tuple(self._decorator(d) for d in node.decorators)
        owner = self._classes[-1] if self._classes[-1] is not None and self._direct_method(node) else None
        self.facts.functions.append(FunctionFact(node, owner, decorators, self.where()))
        for decorator in node.decorators:
            self.walk(decorator, node)
        self.walk(node.params, node)
        if node.returns is not None:
            self.walk(node.returns, node)
        table = self._imports[-1].copy()
        for inner in _imports_in(node.body):
            table.add(inner)
        self._imports.append(table)
        self._grad_off.append(any(d.split("(")[0] in GRAD_OFF for d in decorators))
        self._functions.append(node)
        self._branches.append([])
        self._loops.append([])
        self.walk(node.body, node)
        self._imports.pop()
        self._grad_off.pop()
        self._functions.pop()
        self._branches.pop()
        self._loops.pop()

    def _direct_method(self, node: cst.FunctionDef) -> bool:
        cls = self._classes[-1]
        return cls is not None and any(s is node for s in cls.body.body)

    def _decorator(self, decorator: cst.Decorator) -> str:
        expr = decorator.decorator
        call = isinstance(expr, cst.Call)
        func = expr.func if isinstance(expr, cst.Call) else expr
        name = self._imports[-1].resolve(func) or dotted(func) or ""
        return f"{name}()" if call else name

    def _if(self, node: cst.If) -> None:
        self.facts.ifs.append(IfFact(node, self.where()))
        self.walk(node.test, node)
        self._branches[-1].append((node, True))
        self.walk(node.body, node)
        self._branches[-1].pop()
        if node.orelse is not None:
            self._branches[-1].append((node, False))
            self.walk(node.orelse, node)
            self._branches[-1].pop()

    def _for(self, node: cst.For) -> None:
        self.walk(node.target, node)
        self.walk(node.iter, node)
        self._loops[-1].append(node)
        self.walk(node.body, node)
        self._loops[-1].pop()
        if node.orelse is not None:
            self.walk(node.orelse, node)

    def _with(self, node: cst.With) -> None:
        for item in node.items:
            self.walk(item, node)
        self._grad_off.append(self._grad_off[-1] or any(self._turns_grad_off(item.item) for item in node.items))
        self.walk(node.body, node)
        self._grad_off.pop()

    def _turns_grad_off(self, expr: cst.BaseExpression) -> bool:
        if not isinstance(expr, cst.Call):
            return False
        name = self._imports[-1].resolve(expr.func)
        if name in GRAD_OFF:
            return True
        if name in ("torch.set_grad_enabled", "torch.autograd.set_grad_enabled") and expr.args:
            value = expr.args[0].value
            return isinstance(value, cst.Name) and value.value == "False"
        return False

    def _call(self, node: cst.Call) -> None:
        table = self._imports[-1]
        self.facts.calls.append(CallFact(node, table.resolve(node.func), self.where(), table))
        self.children(node)

    def _name(self, node: cst.Name) -> None:
        users = self.facts.references.setdefault(node.value, [])
        user = self._functions[-1] if self._functions else None
        if not users or users[-1] is not user and not any(u is user for u in users):
            users.append(user)

    def _string(self, node: cst.SimpleString) -> None:
        value = node.evaluated_value
        if isinstance(value, str):
            self.facts.strings.add(value)


_HANDLERS: dict[type, Callable[[_Collector, Any], None]] = {
    cst.ClassDef: _Collector._class,
    cst.FunctionDef: _Collector._function,
    cst.If: _Collector._if,
    cst.For: _Collector._for,
    cst.With: _Collector._with,
    cst.Call: _Collector._call,
    cst.Name: _Collector._name,
    cst.SimpleString: _Collector._string,
}


def _imports_in(body: cst.BaseSuite) -> list[cst.Import | cst.ImportFrom]:
    """The imports a function body makes itself (in its blocks, not in nested definitions)."""
    found: list[cst.Import | cst.ImportFrom] = []
    pending: list[cst.CSTNode] = [body]
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            found.append(node)
        elif isinstance(node, (cst.IndentedBlock, cst.SimpleStatementSuite, cst.SimpleStatementLine)):
            pending.extend(node.body)
        elif isinstance(node, (cst.If, cst.Else, cst.Try, cst.ExceptHandler, cst.Finally, cst.With, cst.For,
                               cst.While)):
            pending.extend(child for child in node.children
                           if isinstance(child, (cst.BaseSuite, cst.If, cst.Else, cst.ExceptHandler, cst.Finally)))
    return found


def of(picture: Picture) -> Facts:
    """The facts of a picture's file, computed on first use and kept with the picture."""
    if picture.facts is None:
        module = picture.module if isinstance(picture.module, cst.Module) else cst.parse_module(picture.source)
        linked = picture.linked
        if isinstance(linked, Linked) and linked.statements and isinstance(linked.table, ImportTable):
            # the definitions taken in from other files first, as the picture has them (same nodes)
            picture.facts = facts_of(with_definitions(module, linked), linked.table)
        else:
            picture.facts = facts_of(module)
    assert isinstance(picture.facts, Facts)
    return picture.facts
