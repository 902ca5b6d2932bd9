"""What the call-level rules share: torch init calls read from the syntax, constants, findings at a node."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import libcst as cst

from initlint.checks.common import elsewhere
from initlint.findings import Finding, Note, Number, joined_message
from initlint.fix import Fix, fix_fields
from initlint.picture import catalog, facts
from initlint.picture.facts import CallFact, Facts
from initlint.picture.model import Picture
from initlint.picture.syntax import bound_args, has_star
from initlint.picture.values import UNKNOWN, Evaluator

INIT = "torch.nn.init."
GAIN_SIGNATURE = ("nonlinearity", "param")
# In-place tensor methods and the names of their parameters (``Tensor.uniform_(from=0, to=1)``).
TENSOR_METHODS = {"uniform_": ("a", "b"), "normal_": ("mean", "std")}


@dataclass(frozen=True)
class InitCall:
    """A call of a torch.nn.init function (``via`` "nn.init") or an in-place tensor method ("tensor")."""

    fact: CallFact
    func: str  # canonical name: "kaiming_normal_", "calculate_gain", "uniform_"
    args: dict[str, cst.BaseExpression]  # bound by torch's parameter names
    via: str

    @property
    def node(self) -> cst.Call:
        return self.fact.node


def init_calls(facts: Facts) -> Iterator[InitCall]:
    """Every call of torch.nn.init (deprecated aliases under their new name) and every ``.uniform_``/
    ``.normal_`` tensor method call, with its arguments bound; calls with ``*args``/``**kwargs`` are skipped."""
    for fact in facts.calls:
        if has_star(fact.node):
            continue
        qualified = fact.qualified
        if qualified is not None and qualified.startswith(INIT):
            name = qualified[len(INIT):]
            name = catalog.DEPRECATED_ALIASES.get(name, name)
            if name == "calculate_gain":
                yield InitCall(fact, name, bound_args(fact.node, GAIN_SIGNATURE), "nn.init")
            elif name in catalog.INIT_SIGNATURES:
                yield InitCall(fact, name, bound_args(fact.node, ("tensor", *catalog.INIT_SIGNATURES[name])),
                               "nn.init")
        elif qualified is None and isinstance(fact.node.func, cst.Attribute) \
                and fact.node.func.attr.value in TENSOR_METHODS:
            method = fact.node.func.attr.value
            args = bound_args(fact.node, TENSOR_METHODS[method])
            renamed = {"from": "a", "to": "b"}
            yield InitCall(fact, method, {renamed.get(k, k): v for k, v in args.items()}, "tensor")


def constants(facts: Facts) -> Evaluator:
    """An evaluator for literals and module-level constants (``STD = 0.02``)."""
    scope: dict[str, Any] = {}
    evaluate = Evaluator(facts.imports, [scope])
    for statement in facts.module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                    and isinstance(small.targets[0].target, cst.Name):
                name = small.targets[0].target.value
                value = evaluate(small.value)
                if value is UNKNOWN:
                    scope.pop(name, None)
                else:
                    scope[name] = value
    return evaluate


def calls_of(picture: Picture, func: str) -> Iterator[tuple[InitCall, Evaluator]]:
    """The file's calls of one init function (``uniform_``: nn.init's and the tensor method), each with the
    evaluator of its arguments; nothing is parsed again for a file that never names the function."""
    if func not in picture.source:
        return
    found = facts.of(picture)
    evaluate = constants(found)
    for call in init_calls(found):
        if call.func == func:
            yield call, evaluate


def literal_string(node: cst.BaseExpression | None) -> str | None:
    """A string written in the call itself (a name or expression is unknown, hence silent)."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def text(picture: Picture, node: cst.CSTNode) -> str:
    module = picture.module
    assert isinstance(module, cst.Module)
    return module.code_for_node(node)


def finding_at(code: str, picture: Picture, node: cst.CSTNode, message: str, filename: str,
               fix: Fix | None = None) -> Finding:
    """A finding at any node of the file; ``fix`` is the fix, or (a string) why there is none."""
    assert picture.locator is not None
    span = picture.locator.span(node)
    return Finding(code, message, span.file or filename, span.line, span.column, span.end_line, span.end_column,
                   **fix_fields(elsewhere(span, fix)))


def diagnostic_at(code: str, picture: Picture, node: cst.CSTNode, filename: str, title: str, *,
                  notes: tuple[Note, ...] = (), help: str | None = None, numbers: dict[str, Number] | None = None,
                  fix: Fix | None = None) -> Finding:
    """A structured finding at any node of the file, built by ``finding_at``."""
    base = finding_at(code, picture, node, joined_message(title, notes, help), filename, fix)
    return replace(base, title=title, notes=notes, help=help, numbers=dict(numbers or {}))


def call_name(call: InitCall) -> str:
    """How the finding names the call: ``nn.init.kaiming_normal_`` or ``.uniform_``."""
    return call.func if call.via == "nn.init" else f".{call.func}()"


def negation_of(picture: Picture, first: cst.BaseExpression, second: cst.BaseExpression) -> bool:
    """``-x`` and ``x`` for the same plain expression ``x`` (``-stdv, stdv``)."""
    return isinstance(first, cst.UnaryOperation) and isinstance(first.operator, cst.Minus) \
        and not isinstance(second, cst.UnaryOperation) and text(picture, first.expression) == text(picture, second)
