"""The statement walk both interpreters share (construction in statements.py, data flow in flow.py).

Each kind of statement goes to one method; the compound statements whose parts run in order whatever the
values (``with``, ``try`` with its handlers, ``else`` and ``finally``) are walked here, once, the same way for
both, so the two never disagree on which code runs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import libcst as cst

from initlint.picture.syntax import statements


class StatementWalker(ABC):
    def run(self, body: list[cst.CSTNode]) -> None:
        for stmt in body:
            self.statement(stmt)

    def statement(self, stmt: cst.CSTNode) -> None:
        if isinstance(stmt, cst.Assign):
            self.assign_statement(stmt)
        elif isinstance(stmt, cst.AnnAssign):
            if stmt.value is not None:
                self.annotated_statement(stmt)
        elif isinstance(stmt, cst.AugAssign):
            self.aug_assign(stmt)
        elif isinstance(stmt, cst.Expr):
            self.expression_statement(stmt)
        elif isinstance(stmt, cst.Return):
            self.return_statement(stmt)
        elif isinstance(stmt, cst.If):
            self.if_statement(stmt)
        elif isinstance(stmt, cst.For):
            self.for_statement(stmt)
        elif isinstance(stmt, cst.While):
            self.while_statement(stmt)
        elif isinstance(stmt, cst.With):
            self.run(statements(stmt.body))
        elif isinstance(stmt, cst.Try):
            self.try_statement(stmt)
        elif isinstance(stmt, cst.FunctionDef):
            self.function_definition(stmt)
        elif isinstance(stmt, (cst.Import, cst.ImportFrom)):
            self.import_statement(stmt)

    def try_statement(self, stmt: cst.Try) -> None:
        """The body, each handler, the ``else`` and the ``finally``, in order (any of them may run)."""
        self.run(statements(stmt.body))
        for handler in stmt.handlers:
            self.run(statements(handler.body))
        if stmt.orelse is not None:
            self.run(statements(stmt.orelse.body))
        if stmt.finalbody is not None:
            self.run(statements(stmt.finalbody.body))

    @abstractmethod
    def assign_statement(self, stmt: cst.Assign) -> None: ...

    @abstractmethod
    def annotated_statement(self, stmt: cst.AnnAssign) -> None: ...

    @abstractmethod
    def aug_assign(self, stmt: cst.AugAssign) -> None: ...

    @abstractmethod
    def expression_statement(self, stmt: cst.Expr) -> None: ...

    @abstractmethod
    def return_statement(self, stmt: cst.Return) -> None: ...

    @abstractmethod
    def if_statement(self, stmt: cst.If) -> None: ...

    @abstractmethod
    def for_statement(self, stmt: cst.For) -> None: ...

    @abstractmethod
    def while_statement(self, stmt: cst.While) -> None: ...

    @abstractmethod
    def function_definition(self, stmt: cst.FunctionDef) -> None: ...

    @abstractmethod
    def import_statement(self, stmt: cst.Import | cst.ImportFrom) -> None: ...
