"""What an ``if`` test says about the loop and dispatch variables it mentions.

``narrow(test, context)`` is a pure function of the test and the values in scope: it returns the values the
tested variables have in the true branch and in the false branch (``isinstance(m, nn.Conv2d)``, ``type(m) in
{...}``, ``classname.find("Conv") != -1``, ``"weight" in name``, ``p.dim() > 1``, ``m is self.fc``, and
``not``/``and``/``or`` of them). A test it cannot read makes the variables it mentions uncertain in both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from initlint.picture import symbolic, torchspec
from initlint.picture.domain import (
    ClassNameOf,
    DispatchVal,
    LayerVal,
    MixedModules,
    NameOf,
    ParamSetVal,
    _Narrowable,
)
from initlint.picture.model import Condition
from initlint.picture.syntax import class_name_subject, is_main_guard, names_in, positional, string_value


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
            return torchspec.is_instance(kind, self.arg)
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




@dataclass
class Context:
    """What a test may read from the code around it."""

    env: Mapping[str, Any]  # the function's local names
    module_env: Mapping[str, Any]  # module-level constants
    value: Callable[[cst.BaseExpression], Any]  # the abstract value of an expression
    number: Callable[[cst.BaseExpression], Any]  # its constant value
    resolve: Callable[[cst.BaseExpression], str | None]  # the imported name it refers to
    layer_path: Callable[[int], str]  # a layer's dotted path


@dataclass
class Narrowed:
    """The variables a test narrows, per branch; ``rebound`` names re-expressed for both branches and after
    (a loop variable over a container becomes a dispatch variable so ``isinstance`` can split it)."""

    true_env: dict[str, Any]
    false_env: dict[str, Any]
    rebound: dict[str, Any] = field(default_factory=dict)


def narrow(test: cst.BaseExpression, context: Context) -> Narrowed:
    """The values of the variables ``test`` narrows in its true and false branches."""
    narrower = _Narrower(context)
    true_env, false_env = narrower.narrow(test)
    return Narrowed(true_env, false_env, narrower.rebound)


def conditions(test: cst.BaseExpression, taken: bool, narrowed: Narrowed) -> tuple[Condition, ...]:
    """The path entry for the branch of ``test`` that is ``taken``. None for a test that only asks whether a
    parameter exists (``if m.bias is not None:`` runs whenever there is one to initialize), nor for a test that
    narrows a loop or dispatch variable: the parameters a site reaches in that branch are the ones the test
    holds for, so for them it is no option."""
    if is_presence_test(test) or narrowed.true_env or narrowed.false_env or narrowed.rebound:
        return ()
    if taken and is_main_guard(test):
        return ()  # ``if __name__ == "__main__":`` is what running the script runs: no option to name
    subject, value, flipped = _option(test)
    return (Condition(symbolic.text(test), taken, subject, value, key=id(test), flipped=flipped),)


def option_branch(test: cst.BaseExpression, taken: bool) -> Condition | None:
    """The branch of a test that reads an option (``args.use_tanh``, ``act == "relu"``), as a path entry; None
    when the test reads none (an expression's arms, ``a if use_tanh else b``, have no ``if`` to narrow)."""
    subject, value, flipped = _option(test)
    if subject is None:
        return None
    return Condition(symbolic.text(test), taken, subject, value, key=id(test), flipped=flipped)


def _option(test: cst.BaseExpression) -> tuple[str | None, object, bool]:
    """(subject, value, negated) of a test that reads an option: ``init == "xavier"``, ``use_bn``, ``not x``."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        subject, value, flipped = _option(test.expression)
        return subject, value, not flipped
    if isinstance(test, (cst.Name, cst.Attribute)):
        return symbolic.text(test), True, False
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comp = test.comparisons[0]
        op = comp.operator
        if isinstance(op, (cst.Equal, cst.NotEqual, cst.In, cst.NotIn, cst.Is, cst.IsNot)):
            sides = [(test.left, comp.comparator), (comp.comparator, test.left)]
            for name, literal in sides:
                value = _literal(literal)
                if isinstance(name, (cst.Name, cst.Attribute)) and value is not _NOT_LITERAL:
                    return symbolic.text(name), value, isinstance(op, (cst.NotEqual, cst.NotIn, cst.IsNot))
    return None, None, False


_NOT_LITERAL = object()


def _literal(node: cst.BaseExpression) -> object:
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.evaluated_value
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        items = tuple(_literal(e.value) for e in node.elements)
        return _NOT_LITERAL if _NOT_LITERAL in items else items
    return _NOT_LITERAL


def predicate(test: cst.BaseExpression, context: Context) -> tuple[str, Pred, bool] | None:
    """(variable, predicate, negated) when ``test`` is one test of one variable."""
    return _Narrower(context)._predicate(test)


class _Narrower:
    def __init__(self, context: Context) -> None:
        self.ctx = context
        self.rebound: dict[str, Any] = {}
        self.env: dict[str, Any] = dict(context.env)

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
                current = self.env[var] = self.rebound[var] = self._as_dispatch(current)
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
        if is_presence_test(test):
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
        return DispatchVal(tuple((u, self.ctx.layer_path(u)) for u in uids))

    @staticmethod
    def _uncertain(value: Any) -> Any:
        return value.made_uncertain() if isinstance(value, _Narrowable) else value

    def _name_ref(self, node: cst.BaseExpression) -> Any:
        """What a test's subject names: a variable's value (``classname`` bound to ``m.__class__.__name__``),
        or the class name of a variable written in place (``m.__class__.__name__``, ``type(m).__name__``);
        None for anything else."""
        if isinstance(node, cst.Name):
            return self.env.get(node.value)
        subject = class_name_subject(node)
        if subject is None or subject[1] and ("type" in self.env or "type" in self.ctx.module_env):
            return None
        return ClassNameOf(subject[0])

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
            if self._name_ref(base) is not None and method in ("startswith", "endswith") and len(args) == 1:
                ref = self._name_ref(base)
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
                        value = self.ctx.value(member)
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
            if isinstance(op, (cst.In, cst.NotIn)) and self._name_ref(right) is not None:
                text = string_value(left)
                ref = self._name_ref(right)
                if text is not None and isinstance(ref, NameOf):
                    return ref.var, Pred("contains", text), isinstance(op, cst.NotIn)
                if text is not None and isinstance(ref, ClassNameOf):
                    return ref.var, Pred("kindcontains", text), isinstance(op, cst.NotIn)
            # name == 'fc.weight'
            if isinstance(op, (cst.Equal, cst.NotEqual)) and self._name_ref(left) is not None:
                text = string_value(right)
                ref = self._name_ref(left)
                if text is not None and isinstance(ref, NameOf):
                    return ref.var, Pred("equals", text), isinstance(op, cst.NotEqual)
            # classname.find('Conv') != -1
            if isinstance(left, cst.Call) and isinstance(left.func, cst.Attribute) \
                    and left.func.attr.value == "find" and self._name_ref(left.func.value) is not None:
                ref = self._name_ref(left.func.value)
                args = positional(left)
                text = string_value(args[0]) if args else None
                if isinstance(ref, (ClassNameOf, NameOf)) and text is not None and self.ctx.number(right) == -1:
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
            var = rank_subject(left)
            bound = self.ctx.number(right)
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
        if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
            out: set[str] = set()
            for element in node.elements:
                inner = self._type_names(element.value)
                if inner is None:
                    return None
                out |= inner
            return frozenset(out)
        resolved = self.ctx.resolve(node)
        if resolved is not None and resolved.startswith("torch.nn."):
            return frozenset({resolved.rsplit(".", 1)[-1]})
        if resolved is not None:
            return frozenset({"<other>:" + resolved})
        if isinstance(node, cst.Name):
            value = self.env.get(node.value, self.ctx.module_env.get(node.value))
            if isinstance(value, tuple):
                return None
            return frozenset({"<other>:" + node.value})
        return None


def is_presence_test(test: cst.BaseExpression) -> bool:
    """``m.bias is not None``, ``hasattr(m, "weight")``: tests that only ask whether a parameter exists."""
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comp = test.comparisons[0]
        if isinstance(comp.operator, (cst.IsNot, cst.Is)) and isinstance(comp.comparator, cst.Name) \
                and comp.comparator.value == "None":
            return isinstance(test.left, (cst.Attribute, cst.Call))
    if isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and test.func.value in ("hasattr", "getattr"):
        return True
    return bool(isinstance(test, cst.Attribute) and test.attr.value in ("bias", "weight", "affine", "elementwise_affine"))


def rank_subject(node: cst.BaseExpression) -> str | None:
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
