"""Uses of a value in ``forward()`` that do not change where it goes next (issue 16, item 3).

Printing or logging a tensor, keeping a detached copy of it for inspection (``acts.append(x.detach())``),
and returning an activated copy beside the value itself (``return out, F.softmax(out, dim=1)``) are side
uses: the layer whose output it is still feeds what the main path shows. A non-detached copy kept in a list
is not one of them (a U-Net's ``skips.append(x)`` is later concatenated into a conv), so it stays unknown.
All of it is decided from the syntax and the import table: names are resolved, never spelled.
"""

from __future__ import annotations

from collections.abc import Callable, Container

import libcst as cst

from initlint.picture.imports import ImportTable

# ``logging.getLogger(...)`` objects' methods and the logging module's own functions that emit a record
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "critical", "exception", "log"})
# qualified functions whose arguments are only shown to a person
_SHOW_FUNCTIONS = frozenset({"warnings.warn", "pprint.pprint", "pprint.pp"})
# list and deque methods that keep a value for later # (list/deque only: a tensor has none of these, while ``x.add(y)`` is arithmetic)
_KEEP_METHODS = frozenset({"append", "extend", "insert", "appendleft"})
# tensor methods that read a tensor's shape or placement, never its values: ``b = x.size(0)`` is not a use
SHAPE_QUERIES = frozenset({"size", "dim", "ndimension", "numel", "nelement", "stride", "get_device",
                           "is_contiguous", "element_size"})
# tensor methods whose result is cut from autograd or leaves torch (a copy for inspection)
_DETACHING = frozenset({"detach", "numpy", "tolist", "item"})


def module_loggers(module: cst.Module, imports: ImportTable) -> frozenset[str]:
    """Module-level names bound to ``logging.getLogger(...)``."""
    out: set[str] = set()
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                    and isinstance(small.targets[0].target, cst.Name) and isinstance(small.value, cst.Call) \
                    and imports.resolve(small.value.func) == "logging.getLogger":
                out.add(small.targets[0].target.value)
    return frozenset(out)


def module_bindings(module: cst.Module) -> frozenset[str]:
    """Every name the module's top level binds (assignments, loops, ``with ... as``, imports, definitions),
    so that a file's own ``print`` is never taken for the builtin."""
    out: set[str] = set()
    pending: list[cst.CSTNode] = list(module.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            out.add(node.name.value)
            continue
        if isinstance(node, cst.Name):
            out.add(node.value)  # reached only through the binding positions below
            continue
        if isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            pending += [n for t in targets for n in _target_names(t)]
        elif isinstance(node, cst.For):
            pending += _target_names(node.target)
        elif isinstance(node, cst.AsName):
            pending += _target_names(node.name)  # type: ignore[arg-type]
        elif isinstance(node, cst.ImportAlias) and node.asname is None:
            dotted = node.name
            while isinstance(dotted, cst.Attribute):
                dotted = dotted.value  # type: ignore[assignment]
            pending.append(dotted)
        if not isinstance(node, cst.Name):
            pending += [c for c in node.children if not isinstance(c, cst.BaseExpression)]
    return frozenset(out)


def _target_names(target: cst.CSTNode) -> list[cst.Name]:
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _target_names(e.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


def is_display_call(call: cst.Call, imports: ImportTable, local: Container[str], module_names: Container[str],
                    loggers: Container[str]) -> bool:
    """``print(...)`` (the builtin: ``print`` bound nowhere in the file or the method), ``logging.info(...)``,
    ``logger.debug(...)`` on a module-level ``logging.getLogger``, ``warnings.warn(...)``."""
    func = call.func
    resolved = imports.resolve(func)
    if resolved is not None:
        if resolved in _SHOW_FUNCTIONS:
            return True
        return resolved.startswith("logging.") and resolved.count(".") == 1 \
            and resolved.rsplit(".", 1)[-1] in _LOG_METHODS
    if isinstance(func, cst.Name):
        return func.value == "print" and func.value not in local and func.value not in module_names
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        return func.value.value in loggers and func.value.value not in local and func.attr.value in _LOG_METHODS
    return False


def kept_copy(call: cst.Call) -> list[cst.BaseExpression] | None:
    """For ``acts.append(x.detach().cpu())`` (or ``extend``/``insert``/``appendleft``): the expressions the
    detached copies are taken of (``x``), which still run; None if the call is not that, or if any argument
    it keeps is not detached."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in _KEEP_METHODS or not call.args:
        return None
    args = [a for a in call.args if a.keyword is None and not a.star]
    if len(args) != len(call.args):
        return None
    kept = args[1:] if func.attr.value == "insert" else args
    if len(kept) != 1:
        return None
    root = detached_root(kept[0].value)
    return None if root is None else [root]


def detached_root(node: cst.BaseExpression) -> cst.BaseExpression | None:
    """``x`` for ``x.detach()``, ``x.detach().cpu().numpy()``, ``x.mean().item()``: the expression whose
    detached copy the chain is (the first ``detach``/``numpy``/``tolist``/``item`` in it); None otherwise."""
    chain: list[cst.Call] = []
    current: cst.BaseExpression = node
    while True:
        if isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute):
            chain.append(current)
            current = current.func.value
        elif isinstance(current, cst.Subscript):
            current = current.value
        else:
            break
    # innermost first: the first detaching method seen from the inside decides
    for call in reversed(chain):
        assert isinstance(call.func, cst.Attribute)
        if call.func.attr.value in _DETACHING and not call.args:
            return call.func.value
    return None


def activated_copies(elements: list[cst.BaseExpression],
                     activation_operand: Callable[[cst.Call], cst.BaseExpression | None]) -> set[int]:
    """In ``return out, F.softmax(out, dim=1)``: the indexes of the elements that only apply an activation
    to another element returned bare (an output-side copy: the layer's output is the returned ``out``).
    ``activation_operand`` gives the tensor a call activates, or None when it is no known activation."""
    code = cst.Module([])
    bare = {code.code_for_node(e) for e in elements if isinstance(e, (cst.Name, cst.Attribute))}
    out: set[int] = set()
    for index, element in enumerate(elements):
        if not isinstance(element, cst.Call):
            continue
        operand = activation_operand(element)
        if operand is not None and code.code_for_node(operand) in bare:
            out.add(index)
    return out
