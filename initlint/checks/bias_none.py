"""IL407: an init of ``m.bias`` with no ``None`` guard, where the dispatch reaches a module built with
``bias=False``: its ``bias`` is None, and the call raises AttributeError when the model is built."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from initlint.checks.calls import INIT, diagnostic_at, text
from initlint.checks.common import labels, named_layers
from initlint.checks.reach import layers_named, references, sites_in
from initlint.config import Settings
from initlint.findings import Finding, Note, short_title
from initlint.fix import Fix, make_fix, replace_statement, statement_text
from initlint.picture import catalog, facts
from initlint.picture.facts import CallFact, Facts
from initlint.picture.model import Layer, Picture
from initlint.picture.syntax import positional

TENSOR_METHODS = frozenset(catalog.TENSOR_INIT_METHODS)


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    if "bias=False" not in picture.source.replace(" ", ""):
        return  # no layer of the file is built without a bias
    found = facts.of(picture)
    for call in found.calls:
        target = _bias_target(call)
        if target is None or _guarded(found, call, target):
            continue
        owner = target.value
        spelled = text(picture, owner)
        if isinstance(owner, cst.Name) and _dispatch_variable(found, call, owner.value):
            layers = _reached(picture, found, call, spelled)
        else:
            layers = layers_named(picture, found, call.node, spelled)
        missing = [layer for layer in layers if "bias" not in layer.params and layer.args.get("bias") is False]
        if not missing:
            continue
        yield diagnostic_at(
            "IL407", picture, call.node, filename,
            short_title(f"`{text(picture, target)}` is None for {named_layers(missing)} (bias=False): AttributeError "
                        "when the model is built"),
            notes=(Note(f"this init reaches {labels(missing)}, built with bias=False, with no `None` test: torch "
                        "raises \"AttributeError: 'NoneType' object has no attribute ...\""),),
            help=f"guard it with `if {spelled}.bias is not None:`",
            numbers={"layers": len(missing), "layer": missing[0].path}, fix=_fix(picture, call, spelled))


def _bias_target(call: CallFact) -> cst.Attribute | None:
    """``m.bias`` in ``nn.init.zeros_(m.bias)``, ``m.bias.data.zero_()`` or ``m.bias.data.fill_(0)``."""
    node: cst.BaseExpression | None = None
    if call.qualified is not None and call.qualified.startswith(INIT):
        args = positional(call.node)
        node = args[0] if args else None
    elif call.qualified is None and isinstance(call.node.func, cst.Attribute) \
            and call.node.func.attr.value in TENSOR_METHODS:
        node = call.node.func.value
    while isinstance(node, cst.Attribute) and node.attr.value == "data" or isinstance(node, cst.Subscript):
        node = node.value
    if isinstance(node, cst.Attribute) and node.attr.value == "bias":
        return node
    return None


def _guarded(found: Facts, call: CallFact, target: cst.Attribute) -> bool:
    """A test of the bias anywhere on the way (``is not None``, ``if m.bias:``, ``getattr(m, "bias", None)``,
    an earlier ``if m.bias is None: return``) or a ``try``; ``hasattr(m, "bias")`` alone is no guard (a
    Linear built with bias=False has the attribute, set to None)."""
    current = found.parent(call.node)
    while current is not None and not isinstance(current, cst.FunctionDef):
        if isinstance(current, cst.Try):
            return True
        current = found.parent(current)
    function = call.where.function
    for fact in found.ifs:
        if fact.where.function is not function or not _mentions_bias(fact.node.test) \
                or _only_hasattr(fact.node.test):
            continue
        if found.within(call.node, fact.node):
            return True  # an ``if`` around the call
        block = fact.where.block
        if block is not None and found.within(call.node, block) and fact.where.order < call.where.order \
                and _exits(fact.node.body):
            return True  # ``if m.bias is None: return`` before it
    return False


def _exits(body: cst.BaseSuite) -> bool:
    last = body.body[-1] if body.body else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1] if last.body else None
    return isinstance(last, (cst.Return, cst.Continue, cst.Raise, cst.Break))


def _mentions_bias(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Name) and node.value == "bias":
        return True
    if isinstance(node, cst.SimpleString) and "bias" in str(node.evaluated_value):
        return True
    return any(_mentions_bias(child) for child in node.children)


def _only_hasattr(test: cst.BaseExpression) -> bool:
    return isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and test.func.value == "hasattr"


def _dispatch_variable(found: Facts, call: CallFact, name: str) -> bool:
    """``m`` is every module of a model: the parameter of a function handed to ``apply``, or the variable of
    a ``for m in model.modules()`` loop around the call (a direct helper call may be guarded by its caller)."""
    for loop in call.where.loops:
        if isinstance(loop.target, cst.Name) and loop.target.value == name and isinstance(loop.iter, cst.Call) \
                and isinstance(loop.iter.func, cst.Attribute) and loop.iter.func.attr.value in ("modules", "children"):
            return True
    function = call.where.function
    if function is None:
        return False
    params = [p.name.value for p in function.params.params if p.name.value not in ("self", "cls")]
    if not params or params[0] != name:
        return False
    refs = references(found, function)
    return bool(refs) and all(_is_apply(node) for node, _, _ in refs)


def _is_apply(node: cst.Call) -> bool:
    return isinstance(node.func, cst.Attribute) and node.func.attr.value == "apply"


def _reached(picture: Picture, found: Facts, call: CallFact, spelled: str) -> list[Layer]:
    """The modules the dispatch brings to this call: those of the inits on ``<m>.<anything>`` in the same
    block or a block around it (they were narrowed by the same tests)."""
    out: list[Layer] = []
    block = call.where.block
    current: cst.CSTNode | None = block
    function = call.where.function
    while current is not None and current is not function:
        if isinstance(current, (cst.IndentedBlock, cst.SimpleStatementSuite)):
            for site in sites_in(picture, found, current):
                same_block = _block_of(found, site.node) is current
                if same_block and site.target_text.startswith(spelled + "."):
                    out += [picture.layer(ref.layer) for ref in site.targets if picture.layer(ref.layer) not in out]
            owner = found.parent(current)
            if out and not (isinstance(owner, cst.If) and _only_hasattr(owner.test)):
                return out  # an ``if`` that narrows (isinstance, a name test) ends the search; hasattr does not
        current = found.parent(current)
    return out


def _block_of(found: Facts, node: object) -> cst.CSTNode | None:
    current = found.parent(node) if isinstance(node, cst.CSTNode) else None
    while current is not None and not isinstance(current, (cst.IndentedBlock, cst.SimpleStatementSuite, cst.Module)):
        current = found.parent(current)
    return current


def _fix(picture: Picture, call: CallFact, spelled: str) -> Fix:
    statement = call.where.statement
    if not isinstance(statement, cst.Expr) or statement.value is not call.node:
        return "the init is part of a larger statement; guard it by hand"
    module = picture.module
    unit = module.default_indent if isinstance(module, cst.Module) else "    "
    edit = replace_statement(picture, statement, [f"if {spelled}.bias is not None:",
                                                  unit + statement_text(picture, statement)])
    if edit is None:
        return "the init shares its line with other code; guard it by hand"
    return make_fix("safe", f"Guard it with `if {spelled}.bias is not None:`", [edit])
