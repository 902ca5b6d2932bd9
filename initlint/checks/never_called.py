"""IL503: an init function or method that nothing calls or hands to ``apply``: its inits never run. Judged
over every file checked together (``cross_file``): a helper defined in ``utils.py`` and applied in
``train.py`` is called."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import libcst as cst

from initlint.checks.calls import diagnostic_at
from initlint.config import Settings
from initlint.findings import Finding, Note
from initlint.picture import catalog, facts
from initlint.picture.facts import Facts, FunctionFact
from initlint.picture.model import Picture

INIT_NAME = re.compile(r"init|reset", re.IGNORECASE)
NOT_WEIGHTS = re.compile(r"hidden|state|memory|cache|optim|__init__|_init_subclass|process|distributed|seed",
                         re.IGNORECASE)
# Base classes whose own code calls these methods (torch layers call reset_parameters in __init__)
PLAIN_BASES = frozenset({"torch.nn.Module", "torch.nn.modules.module.Module", "object"})
HARMLESS_DECORATORS = frozenset({"staticmethod", "classmethod", "torch.no_grad()", "torch.no_grad",
                                 "torch.inference_mode()"})
TENSOR_INITS = frozenset(set(catalog.TENSOR_INIT_METHODS) | {"orthogonal_"})
EXPORTS = re.compile(r"^__all__\s*[+]?=\s*[\[(][^\])]*[\])]", re.MULTILINE)
DEFINED = re.compile(r"\bdef\s+(\w*(?:init|reset|Init|Reset)\w*)\s*\(")


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    names = {m.group(1) for m in DEFINED.finditer(picture.source)}
    unexported = EXPORTS.sub("", picture.source)
    if not any(len(re.findall(rf"\b{re.escape(name)}\b", unexported)) < 2 for name in names):
        return  # every init-looking routine is named again somewhere in the file
    found = facts.of(picture)
    for function in found.functions:
        name = function.node.name.value
        if not INIT_NAME.search(name) or NOT_WEIGHTS.search(name) or function.where.functions:
            continue
        if not _initializes(found, function) or _referenced(found, function) or not _plain_owner(found, function):
            continue
        if any(d not in HARMLESS_DECORATORS for d in function.decorators):
            continue  # a registered hook, a property, a framework decorator: called by what it registers with
        kind = f"method `{function.cls.name.value}.{name}`" if function.cls is not None else f"function `{name}`"
        yield diagnostic_at(
            "IL503", picture, function.node.name, filename, f"init routine `{name}` (a {kind}) is never called",
            notes=(Note("nothing in the checked files calls it, hands it to `apply` or names it, so its inits never "
                        "run and the model keeps PyTorch's default init"),),
            help="call it from `__init__` (`self.apply(...)` for a per-module routine) or delete it",
            numbers={"routine": name, "kind": kind}, fix="whether to call it or delete it is the author's call")


def _initializes(found: Facts, function: FunctionFact) -> bool:
    """It calls an init, itself or in a function it defines (``def init_func(m): ...; net.apply(init_func)``)."""
    for call in found.calls:
        if not any(f is function.node for f in call.where.functions):
            continue
        if call.qualified is not None and call.qualified.startswith("torch.nn.init."):
            return True
        if call.qualified is None and isinstance(call.node.func, cst.Attribute) \
                and call.node.func.attr.value in TENSOR_INITS:
            return True
    return False


def _referenced(found: Facts, function: FunctionFact) -> bool:
    """Named outside its own body: a call, ``apply``, a reference, or a string (``getattr(self, "...")``);
    being listed in ``__all__`` is no call."""
    name = function.node.name.value
    users = found.references.get(name, [])
    if any(user is not function.node for user in users):
        return True
    if name not in found.strings:
        return False
    source = EXPORTS.sub("", found.module.code)
    return re.search(rf"""['"]{re.escape(name)}['"]""", source) is not None


def _plain_owner(found: Facts, function: FunctionFact) -> bool:
    """A module-level function, or a method of a class built only on ``nn.Module`` and local classes (any
    other base, a torch layer or a framework's model class, may call it itself)."""
    cls = function.cls
    if cls is None:
        return True
    for base in cls.bases:
        resolved = found.imports.resolve(base.value)
        if resolved is None and isinstance(base.value, cst.Name) and base.value.value in found.classes:
            if not _plain_owner_class(found, found.classes[base.value.value]):
                return False
            continue
        if resolved not in PLAIN_BASES:
            return False
    return True


def _plain_owner_class(found: Facts, cls: cst.ClassDef, depth: int = 0) -> bool:
    for base in cls.bases:
        resolved = found.imports.resolve(base.value)
        if resolved in PLAIN_BASES:
            continue
        inner = found.classes.get(base.value.value) if isinstance(base.value, cst.Name) else None
        if inner is None or depth > 5 or not _plain_owner_class(found, inner, depth + 1):
            return False
    return True


def cross_file(findings: list[Finding], files: Iterable[str]) -> list[Finding]:
    """Drop IL503 findings whose routine another checked file names (calls, applies or imports it)."""
    candidates = [f for f in findings if f.code == "IL503"]
    if not candidates:
        return findings
    texts: dict[str, str] = {}
    for path in files:
        try:
            texts[path] = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    called: set[int] = set()
    for index, finding in enumerate(findings):
        if finding.code != "IL503":
            continue
        routine = finding.numbers.get("routine")
        if not isinstance(routine, str):
            continue
        word = re.compile(rf"\b{re.escape(routine)}\b")
        if any(path != finding.filename and word.search(text) for path, text in texts.items()):
            called.add(index)
    return [f for index, f in enumerate(findings) if index not in called]
