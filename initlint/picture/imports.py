"""Resolve names to what they import: a small alias table instead of libcst's scope analysis.

A name is torch's only when an import (or an alias of an import) says so: ``init.normal_``
from ``transformers`` or a local ``def normal_`` never resolves into ``torch.nn.init``.
"""

from __future__ import annotations

import libcst as cst

# Submodules that re-export names under a shorter public path.
_CANONICAL_PREFIXES = (
    ("torch.nn.modules.", "torch.nn."),
    ("torch.nn.init.", "torch.nn.init."),
)


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _module_name(node: cst.BaseExpression | None) -> str:
    if node is None:
        return ""
    return dotted(node) or ""


def canonical(qualified: str) -> str:
    """``torch.nn.modules.activation.ReLU`` -> ``torch.nn.ReLU``; ``torch.nn.parameter.Parameter`` ->
    ``torch.nn.Parameter`` (torch.nn re-exports both)."""
    if qualified == "torch.nn.parameter.Parameter":
        return "torch.nn.Parameter"
    if qualified.startswith("torch.nn.modules."):
        return "torch.nn." + qualified.rsplit(".", 1)[-1]
    return qualified


class ImportTable:
    """Local name -> fully qualified name, from imports and module-level aliases."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        # qualified names that mean a definition taken in from another checked file (picture/linking.py):
        # ``util.init_linear_wt`` -> ``<local>.init_linear_wt``
        self.links: dict[str, str] = {}

    @classmethod
    def from_module(cls, module: cst.Module) -> ImportTable:
        table = cls()
        for stmt in module.body:
            table._visit_statement(stmt)
        return table

    def _visit_statement(self, stmt: cst.CSTNode) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Import):
                    self._add_import(small)
                elif isinstance(small, cst.ImportFrom):
                    self._add_import_from(small)
                elif isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                    if isinstance(target, cst.Name):
                        resolved = self.resolve(small.value)
                        if resolved is not None:
                            self.names[target.value] = resolved
                        else:
                            self.names.pop(target.value, None)
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            # A local definition shadows any import of the same name.
            self.names[stmt.name.value] = f"<local>.{stmt.name.value}"
        elif isinstance(stmt, (cst.Try, cst.If)):
            for inner in stmt.body.body:
                self._visit_statement(inner)

    def copy(self) -> ImportTable:
        table = ImportTable()
        table.names = dict(self.names)
        table.links = dict(self.links)
        return table

    def add(self, node: cst.Import | cst.ImportFrom) -> None:
        """Record an import statement met inside a function body."""
        if isinstance(node, cst.Import):
            self._add_import(node)
        else:
            self._add_import_from(node)

    def _add_import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = _module_name(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.names[alias.asname.name.value] = full
            else:
                top = full.split(".", 1)[0]
                self.names[top] = top

    def _add_import_from(self, node: cst.ImportFrom) -> None:
        if node.relative:
            base = "<relative>." + _module_name(node.module)
        else:
            base = _module_name(node.module)
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = _module_name(alias.name)
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.names[local] = canonical(f"{base}.{name}")

    def resolve(self, node: cst.BaseExpression) -> str | None:
        """The qualified name an expression refers to, if it is an imported name or attribute chain."""
        path = dotted(node)
        if path is None:
            return None
        head, _, rest = path.partition(".")
        base = self.names.get(head)
        if base is None:
            return None
        qualified = canonical(f"{base}.{rest}" if rest else base)
        return self.links.get(qualified, qualified) if self.links else qualified

    def init_prefix(self) -> str | None:
        """How this file can spell ``torch.nn.init``: ``init``, ``nn.init`` or ``torch.nn.init`` (None: no
        import reaches it, so a fix that needs it must add ``import torch.nn as nn``)."""
        by_target: dict[str, str] = {}
        for local, qualified in sorted(self.names.items()):
            by_target.setdefault(qualified, local)
        if "torch.nn.init" in by_target:
            return by_target["torch.nn.init"]
        if "torch.nn" in by_target:
            return f"{by_target['torch.nn']}.init"
        if "torch" in by_target:
            return f"{by_target['torch']}.nn.init"
        return None

    def nn_prefix(self) -> str | None:
        """How this file can spell ``torch.nn`` (for ``isinstance(m, nn.Linear)`` in a fix)."""
        by_target: dict[str, str] = {}
        for local, qualified in sorted(self.names.items()):
            by_target.setdefault(qualified, local)
        if "torch.nn" in by_target:
            return by_target["torch.nn"]
        if "torch" in by_target:
            return f"{by_target['torch']}.nn"
        return None

    def resolve_torch(self, node: cst.BaseExpression, prefix: str) -> str | None:
        """The member name under ``prefix`` (e.g. ``torch.nn.init``) if the expression resolves there."""
        resolved = self.resolve(node)
        if resolved is None:
            return None
        if resolved.startswith(prefix + "."):
            member = resolved[len(prefix) + 1 :]
            if "." not in member:
                return member
        return None
