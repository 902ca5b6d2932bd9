"""IL502: an init routine whose type tests match no module it can reach (``isinstance(m, nn.Conv2d)`` in a
model of ``nn.Conv1d``; a ``children()`` loop over blocks whose layers sit one level deeper): the whole
routine is dead code and the model keeps PyTorch's default init."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from initlint.checks.calls import diagnostic_at
from initlint.checks.construction import (
    applied_function,
    code,
    first_param,
    init_target,
    reaches,
    run_by,
    stored_as,
)
from initlint.config import Settings
from initlint.findings import Finding, Note, short_title
from initlint.picture import facts
from initlint.picture.facts import Facts
from initlint.picture.model import Picture

MAX_PARTS = 4
# Calls whose value is never a module (so storing it keeps the model's contents known).
PLAIN_CALLS = frozenset({"range", "len", "int", "float", "bool", "str", "list", "tuple", "dict", "set", "zip",
                         "enumerate", "sum", "min", "max", "abs", "round", "isinstance", "sorted", "reversed"})
NO_FIX = "which layers the routine was meant for is the author's call"


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    source = picture.source
    if "isinstance" not in source and "__name__" not in source or not any(
            word in source for word in (".apply(", ".modules()", ".children()")):
        return
    found = facts.of(picture)
    for cls in found.classes.values():
        for anchor, label, inits, var, direct in _routines(found, cls):
            kinds = _contents(found, cls, direct)
            if kinds is None or not inits:
                continue
            if any(reaches(found, init, var, kind) is not False for init in inits for kind in kinds):
                continue
            what = "direct children" if direct else "modules"
            shown = ", ".join(sorted(kinds)[:6]) + (", ..." if len(kinds) > 6 else "")
            yield diagnostic_at(
                "IL502", picture, anchor, filename, short_title(f"{label} never initializes anything"),
                notes=(Note(f"the type tests around its {len(inits)} init call{'s' if len(inits) != 1 else ''} match "
                            f"none of the {what} of `{cls.name.value}` ({shown}), so the whole routine is dead code "
                            "and every layer keeps PyTorch's default init"),),
                help="use `modules()`, which recurses (`children()` yields only direct children)" if direct else
                f"test for the layer types `{cls.name.value}` builds ({shown})",
                numbers={"class": cls.name.value, "init_calls": len(inits), "direct": direct}, fix=NO_FIX)


def _routines(found: Facts, cls: cst.ClassDef) -> Iterator[tuple[cst.CSTNode, str, list, str, bool]]:
    """(where to report, the init calls, the module variable, direct children only) for each
    ``self.apply(fn)`` and each ``for m in self.modules()``/``self.children()`` loop ``__init__`` runs."""
    seen: set[int] = set()
    for call, _, _ in run_by(found, cls):
        func = call.node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "apply" and code(found, func.value) == "self":
            function = applied_function(found, cls, call.node)
            var = first_param(function) if function is not None else None
            if function is None or var is None or id(call.node) in seen:
                continue
            seen.add(id(call.node))
            inits = [c for c in found.calls_in(function) if init_target(c) is not None]
            yield call.node, f"`{function.name.value}`, applied to the model here,", inits, var, False
        for loop in call.where.loops:
            iterable = code(found, loop.iter)
            if id(loop) in seen or not isinstance(loop.target, cst.Name) \
                    or iterable not in ("self.modules()", "self.children()"):
                continue
            seen.add(id(loop))
            inits = [c for c in found.calls if found.within(c.node, loop.body) and init_target(c) is not None]
            yield loop, f"the `for {loop.target.value} in {iterable}` loop", inits, loop.target.value, \
                iterable == "self.children()"


def _contents(found: Facts, cls: cst.ClassDef, direct: bool, depth: int = 0) -> set[str] | None:
    """The class names of the modules ``cls`` holds (itself included unless ``direct``); None when any stored
    value may be a module we cannot name (an argument, a factory, an imported class)."""
    kinds: set[str] = set() if direct else {cls.name.value}
    for base in cls.bases:
        resolved = found.imports.resolve(base.value)
        if resolved not in ("torch.nn.Module",):
            return None  # a base class may hold modules of its own
    init = next((s for s in cls.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
    if init is None or _stores_unknown(found, init):
        return None
    for call, _, _ in run_by(found, cls):
        if call.where.function is not init:
            continue
        qualified = call.qualified
        stored = stored_as(found, call.node)
        if qualified is not None and qualified.startswith("torch.nn.") and qualified.count(".") == 2:
            name = qualified.rsplit(".", 1)[-1]
            if not name[:1].isupper() or name == "Parameter":
                continue
            if direct and stored is None:
                continue  # a layer inside a Sequential is not a direct child
            kinds.add(name)
        elif qualified is not None and qualified.startswith("<local>."):
            name = qualified[len("<local>."):]
            part = found.classes.get(name)
            if part is None:
                if stored is not None:
                    return None  # a local helper function that builds a module
                continue
            if direct and stored is None:
                continue
            kinds.add(name)
            if not direct:
                if depth >= MAX_PARTS:
                    return None
                inner = _contents(found, part, False, depth + 1)
                if inner is None:
                    return None
                kinds |= inner
        elif stored is not None and not (isinstance(call.node.func, cst.Name)
                                         and call.node.func.value in PLAIN_CALLS):
            return None  # a factory, an imported class, a parameter called
    return kinds


def _stores_unknown(found: Facts, init: cst.FunctionDef) -> bool:
    """``self.x = <a name or attribute>`` whose value may be a module handed in (``self.backbone =
    backbone``): the model's contents are then not known. A parameter with a plain default is not one."""
    defaults = {p.name.value for p in init.params.params  # None is no plain default: an optional module
                if p.default is not None and isinstance(p.default, (cst.Integer, cst.Float, cst.SimpleString,
                                                                      cst.Name, cst.Tuple, cst.UnaryOperation))
                and not (isinstance(p.default, cst.Name) and p.default.value not in ("True", "False"))}
    for statement in _statements(init.body):
        if isinstance(statement, cst.Assign):
            for target in statement.targets:
                spelled = code(found, target.target)
                if not spelled.startswith("self."):
                    continue
                value = statement.value
                if isinstance(value, (cst.Name, cst.Attribute, cst.Subscript)) \
                        and not (isinstance(value, cst.Name) and value.value in defaults | {"None", "True", "False"}):
                    return True
    return False


def _statements(body: cst.BaseSuite) -> Iterator[cst.CSTNode]:
    pending: list[cst.CSTNode] = [body]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.SimpleStatementLine):
            yield from node.body
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            continue
        else:
            pending.extend(node.children)
