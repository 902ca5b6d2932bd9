"""What a model's ``__init__`` does, in order, to layers an init may not reach as written: layers wrapped by
``weight_norm`` (IL507), lazy layers not yet materialized (IL508), a layer deep-copied by
``nn.TransformerEncoder``/``Decoder`` (IL506); and the inits that run after that, directly or through a
method or ``apply``. Everything here is syntax read through the file's imports; unknown means no answer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from initlint.picture import catalog
from initlint.picture.facts import CallFact, Facts
from initlint.picture.syntax import positional

INIT = "torch.nn.init."
TENSOR_INITS = frozenset(set(catalog.TENSOR_INIT_METHODS) | {"orthogonal_", "mul_", "add_", "clamp_"})
MAX_DEPTH = 3
# torch classes a layer kind is also an instance of (``isinstance(LazyLinear(), nn.Linear)`` is True)
BASES: dict[str, frozenset[str]] = {
    **{f"Lazy{k}": frozenset({k}) for k in ("Linear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d",
                                             "ConvTranspose2d", "ConvTranspose3d", "BatchNorm1d", "BatchNorm2d",
                                             "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d")},
}


@dataclass(frozen=True)
class Marked:
    """A layer (or a container of such layers) a class stores, made by ``call``."""

    attr: str  # ``self.conv``; for a container, the container: ``self.ups``
    kind: str | None  # the torch layer's class name, when known
    call: CallFact  # the wrapping, lazy construction or cloning call
    param: str = "weight"  # the parameter concerned (``weight_norm(m, name="weight")``)


@dataclass(frozen=True)
class Touch:
    """An init that reaches a marked layer after its mark: directly (``init``) or through ``apply``."""

    marked: Marked
    init: CallFact  # the init call itself
    via: CallFact | None  # the ``apply`` (or method) call in ``__init__`` that runs it, if any
    data: bool  # through ``.data`` / a tensor method rather than ``nn.init``


def kind_of(call: cst.BaseExpression, found: Facts, imports: object = None) -> str | None:
    if isinstance(call, cst.Call):
        resolved = found.imports.resolve(call.func)
        if resolved is not None and resolved.startswith("torch.nn.") and resolved.count(".") == 2:
            return resolved.rsplit(".", 1)[-1]
    return None


def stored_as(found: Facts, node: cst.CSTNode) -> str | None:
    """The ``self.x`` a value ends up in: ``self.x = <node>``, ``self.x.append(<node>)``, or an item of a
    ``nn.Sequential``/``nn.ModuleList`` (or a list) stored so."""
    current: cst.CSTNode = node
    for _ in range(6):
        parent = found.parent(current)
        if parent is None:
            return None
        if isinstance(parent, cst.Assign) and parent.value is current and len(parent.targets) == 1:
            return _self_text(parent.targets[0].target)
        if isinstance(parent, cst.Arg):
            call = found.parent(parent)
            if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) \
                    and call.func.attr.value in ("append", "extend", "insert", "add_module"):
                return _self_text(call.func.value)
            if not isinstance(call, cst.Call) or kind_of(call, found) not in ("Sequential", "ModuleList"):
                return None
            current = call
            continue
        if isinstance(parent, (cst.Element, cst.List, cst.Tuple)) \
                or isinstance(parent, (cst.ListComp, cst.GeneratorExp)) and parent.elt is current:
            current = parent  # ``[weight_norm(...) for d in dilations]``: each item is stored with the list
            continue
        return None
    return None


def _self_text(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return f"self.{node.attr.value}"
    return None


def init_target(call: CallFact) -> tuple[cst.BaseExpression, bool] | None:
    """The tensor an init call writes (``.data`` and subscripts stripped) and whether it goes through
    ``.data``/a tensor method (True) or ``torch.nn.init`` (False)."""
    node: cst.BaseExpression | None
    if call.qualified is not None and call.qualified.startswith(INIT) \
            and call.qualified[len(INIT):] in catalog.INIT_SIGNATURES:
        args = positional(call.node)
        node, data = (args[0] if args else None), False
    elif call.qualified is None and isinstance(call.node.func, cst.Attribute) \
            and call.node.func.attr.value in TENSOR_INITS:
        node, data = call.node.func.value, True
    else:
        return None
    while isinstance(node, cst.Subscript) or isinstance(node, cst.Attribute) and node.attr.value == "data":
        if isinstance(node, cst.Attribute):
            data = True
        node = node.value
    return (node, data) if node is not None else None


def code(found: Facts, node: cst.CSTNode) -> str:
    return found.module.code_for_node(node)


def run_by(found: Facts, cls: cst.ClassDef, follow_apply: bool = False
           ) -> Iterator[tuple[CallFact, CallFact | None, int]]:
    """Every call ``__init__`` runs, with the call in ``__init__`` that runs it (None: written there) and its
    place in ``__init__``'s order: calls of ``self.method()`` are followed (a few levels deep), and with
    ``follow_apply`` the functions handed to ``apply`` too."""
    init = _method(cls, "__init__")
    if init is None:
        return
    yield from _calls_of(found, cls, init, None, None, 0, follow_apply)


def _calls_of(found: Facts, cls: cst.ClassDef, function: cst.FunctionDef, via: CallFact | None,
              at: int | None, depth: int, follow_apply: bool = False) -> Iterator[tuple[CallFact, CallFact | None, int]]:
    for call in found.calls_in(function):
        order = at if at is not None else call.where.order
        yield call, via, order
        func = call.node.func
        if depth >= MAX_DEPTH or not isinstance(func, cst.Attribute):
            continue
        if isinstance(func.value, cst.Name) and func.value.value == "self":
            method = _method(cls, func.attr.value)
            if method is not None and method is not function:
                yield from _calls_of(found, cls, method, via or call, order, depth + 1, follow_apply)
        applied = applied_function(found, cls, call.node) if follow_apply else None
        if applied is not None and applied is not function:
            yield from _calls_of(found, cls, applied, via or call, order, depth + 1, follow_apply)


def _method(cls: cst.ClassDef, name: str) -> cst.FunctionDef | None:
    for statement in cls.body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return statement
    return None


def applied_function(found: Facts, cls: cst.ClassDef, call: cst.Call) -> cst.FunctionDef | None:
    """``fn`` in ``x.apply(fn)``: a module-level function or a method of the class."""
    if not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "apply" and len(call.args) == 1):
        return None
    arg = call.args[0].value
    if isinstance(arg, cst.Name):
        return next((f.node for f in found.functions if f.cls is None and f.node.name.value == arg.value
                     and not f.where.functions), None)
    if isinstance(arg, cst.Attribute) and isinstance(arg.value, cst.Name) and arg.value.value == "self":
        return _method(cls, arg.attr.value)
    return None


def reaches(found: Facts, init: CallFact, var: str, kind: str) -> bool | None:
    """Whether the ``if`` tests around an init inside an applied function let a module of ``kind`` through
    (None: a test we cannot decide, or an early exit we do not follow)."""
    function = init.where.function
    for fact in found.ifs:
        if fact.where.function is function and not found.within(init.node, fact.node) \
                and fact.where.order < init.where.order and var in code(found, fact.node.test):
            return None  # ``if not isinstance(m, ...): return``: not followed
    names = _class_name_vars(function, var) if function is not None else set()
    for statement, in_body in init.where.branches:
        value = _decide(found, statement.test, var, names, kind)
        if value is None:
            return None
        if value != in_body:
            return False
    return True


def _class_name_vars(function: cst.FunctionDef, var: str) -> set[str]:
    """Names bound to ``<var>.__class__.__name__`` or ``type(<var>).__name__`` in the function."""
    out: set[str] = set()
    for statement in function.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                    and isinstance(small.targets[0].target, cst.Name):
                value = small.value
                if isinstance(value, cst.Attribute) and value.attr.value == "__name__":
                    inner = value.value
                    if isinstance(inner, cst.Attribute) and inner.attr.value == "__class__" \
                            and isinstance(inner.value, cst.Name) and inner.value.value == var:
                        out.add(small.targets[0].target.value)
    return out


def _decide(found: Facts, test: cst.BaseExpression, var: str, names: set[str], kind: str) -> bool | None:
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _decide(found, test.expression, var, names, kind)
        return None if inner is None else not inner
    if isinstance(test, cst.BooleanOperation):
        left = _decide(found, test.left, var, names, kind)
        right = _decide(found, test.right, var, names, kind)
        if isinstance(test.operator, cst.And):
            return False if False in (left, right) else None if None in (left, right) else True
        return True if True in (left, right) else None if None in (left, right) else False
    if isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and test.func.value == "isinstance":
        args = positional(test)
        if len(args) != 2 or not isinstance(args[0], cst.Name) or args[0].value != var:
            return None
        types = args[1].elements if isinstance(args[1], (cst.Tuple, cst.List)) else None
        nodes = [e.value for e in types] if types is not None else [args[1]]
        results = [_is_instance(found, node, kind) for node in nodes]
        return True if True in results else None if None in results else False
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        lhs, comparison = test.left, test.comparisons[0]
        op, rhs = comparison.operator, comparison.comparator
        if isinstance(lhs, cst.Call) and isinstance(lhs.func, cst.Attribute) and lhs.func.attr.value == "find" \
                and isinstance(lhs.func.value, cst.Name) and lhs.func.value.value in names \
                and isinstance(rhs, cst.UnaryOperation) and code(found, rhs).replace(" ", "") == "-1":
            args = positional(lhs)
            text = args[0].evaluated_value if args and isinstance(args[0], cst.SimpleString) else None
            if not isinstance(text, str):
                return None
            if isinstance(op, cst.NotEqual):
                return text in kind
            if isinstance(op, cst.Equal):
                return text not in kind
        if isinstance(lhs, cst.SimpleString) and isinstance(rhs, cst.Name) and rhs.value in names \
                and isinstance(op, (cst.In, cst.NotIn)):
            text = lhs.evaluated_value
            if isinstance(text, str):
                return (text in kind) == isinstance(op, cst.In)
    return None


def _is_instance(found: Facts, node: cst.BaseExpression, kind: str) -> bool | None:
    resolved = found.imports.resolve(node)
    if resolved is not None and resolved.startswith("<local>."):
        return _local_subclass(found, kind, resolved[len("<local>."):])
    if resolved is None or not resolved.startswith("torch.nn."):
        return None if resolved is None else False
    name = resolved.rsplit(".", 1)[-1]
    if name == "Module":
        return True
    if name == kind or name in BASES.get(kind, ()):
        return True
    if name.startswith("_") or resolved.count(".") != 2:
        return None  # a private base class (_ConvNd, _BatchNorm): not judged
    return False


def first_param(function: cst.FunctionDef) -> str | None:
    params = [p.name.value for p in function.params.params if p.name.value not in ("self", "cls")]
    return params[0] if params else None


def touches(found: Facts, cls: cst.ClassDef, marks: list[tuple[Marked, int]],
            materialized: int | None = None) -> Iterator[Touch]:
    """The inits ``__init__`` runs after each mark that reach the marked layer: on ``<attr>.<param>``
    (or ``<m>.<param>`` in a loop over a marked container), or through ``apply`` of a function whose type
    tests let the marked kind through. Inits after ``materialized`` (an order) are not reported."""
    seen: set[tuple[int, int]] = set()
    for call, via, order in run_by(found, cls):
        if materialized is not None and order > materialized:
            break
        for mark, at in marks:
            if order <= at:
                continue
            for touch in _touch(found, cls, call, via, mark):
                key = (id(touch.init.node), id(touch.via.node) if touch.via else 0)
                if key not in seen:
                    seen.add(key)
                    yield touch


def _touch(found: Facts, cls: cst.ClassDef, call: CallFact, via: CallFact | None, mark: Marked) -> Iterator[Touch]:
    target = init_target(call)
    if target is not None:
        node, data = target
        spelled = code(found, node)
        looped = {loop.target.value for loop in call.where.loops if isinstance(loop.target, cst.Name)
                  and code(found, loop.iter) in (mark.attr, f"{mark.attr}.children()", f"{mark.attr}.modules()")}
        if spelled == f"{mark.attr}.{mark.param}" or any(spelled == f"{v}.{mark.param}" for v in looped):
            yield Touch(mark, call, via, data)
        return
    func = call.node.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "apply") or mark.kind is None:
        return
    owner = code(found, func.value)
    if owner not in ("self", mark.attr) and not mark.attr.startswith(owner + "."):
        return
    function = applied_function(found, cls, call.node)
    var = first_param(function) if function is not None else None
    if function is None or var is None:
        return
    for inner in found.calls_in(function):
        target = init_target(inner)
        if target is None or code(found, target[0]) != f"{var}.{mark.param}":
            continue
        if reaches(found, inner, var, mark.kind) is True:
            yield Touch(mark, inner, call, target[1])


def _local_subclass(found: Facts, kind: str, name: str, depth: int = 0) -> bool | None:
    """Whether a module of ``kind`` is an instance of the file's class ``name`` (None: a base we cannot see)."""
    if kind == name:
        return True
    cls = found.classes.get(kind)
    if cls is None or depth > 8:
        return False  # a torch layer is never an instance of a class of this file
    for base in cls.bases:
        resolved = found.imports.resolve(base.value)
        if resolved is not None and resolved.startswith("<local>."):
            if _local_subclass(found, resolved[len("<local>."):], name, depth + 1):
                return True
        elif resolved is None:
            return None
    return False
