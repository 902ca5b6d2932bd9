"""The state of one abstract-interpreter run (one function body) and what its parts share.

The interpreter is assembled from one part per job (interpreter.py): statements, expressions, containers,
calls and the init recorder. Each part is a class over this frame; the methods one part calls on another are
declared here for the type checker only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst

from initlint.picture import narrowing
from initlint.picture.domain import (
    ClassInfo,
    DispatchVal,
    FuncRef,
    LayerVal,
    ParamSetVal,
    SeqVal,
    Targets,
)
from initlint.picture.eval import Evaluator
from initlint.picture.model import Condition

if TYPE_CHECKING:
    from initlint.picture.build import PictureBuilder


class Frame:
    """One function body being run abstractly; see the module docstring."""

    def __init__(self, builder: PictureBuilder, info: ClassInfo | None, context: tuple[Any, ...],
                 depth: int = 0) -> None:
        self.b = builder
        self.work = builder.work
        self.info = info
        self.context = context
        self.depth = depth
        self.env: dict[str, Any] = {}
        self.returns: list[Any] = []
        self.module_level = False
        self.loop_stack: list[int | None] = []
        self.shared_depth = 0
        self.imports = builder.imports  # replaced by a copy when the function imports names itself
        self.owner: ClassInfo | None = info  # the class that defines the running method (for super())
        self.sources: dict[str, cst.BaseExpression] = {}
        self.current_statement: cst.CSTNode | None = None  # the simple statement being run (for fixes)
        # ``model.apply(fn)`` running this code: the statement and how it names the model there
        self.apply_anchor: tuple[Any, str] | None = None
        self.loop_anchor: tuple[Any, str] | None = None  # the modules()/parameters() loop running this code
        self.branch_depth = 0  # inside the body of an ``if``
        self.unrolling = False  # inside a loop run item by item: ``if`` tests on its values are decided
        self.call_anchor: tuple[Any, dict[str, str]] | None = None  # the helper call running this function
        self.path: tuple[Condition, ...] = ()  # the ``if`` tests the running code is under (model.Condition)

    @property
    def root(self) -> str | None:
        """The model class whose construction runs this code; None for module-level code and routines."""
        head = self.context[0] if self.context else None
        return head if isinstance(head, str) and head in self.b.classes else None

    @property
    def evaluator(self) -> Evaluator:
        scopes: list[dict[str, Any]] = [self.b.module_env]
        if self.info is not None:
            scopes.append(self.info.consts)
        scopes.append(self.env)
        return Evaluator(self.imports, scopes)

    def snapshot_evaluator(self) -> Evaluator:
        """The evaluator with the names as they are now (for arguments evaluated later, per layer)."""
        scopes: list[dict[str, Any]] = [self.b.module_env]
        if self.info is not None:
            scopes.append(dict(self.info.consts))
        scopes.append(dict(self.env))
        return Evaluator(self.imports, scopes)

    def number(self, node: cst.BaseExpression | None) -> Any:
        return self.evaluator(node)

    def is_self(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Name) and node.value == "self" and self.info is not None

    def narrowing_context(self) -> narrowing.Context:
        return narrowing.Context(self.env, self.b.module_env, self.value, self.number, self.imports.resolve,
                                 lambda uid: self.b.picture.layers[uid].path)

    if TYPE_CHECKING:  # the methods the parts call on each other (defined in statements.py, calls.py, ...)
        def call_function(self, fn: cst.FunctionDef, args: list[Any], kwargs: dict[str, Any], self_bound: bool,
                          owner: ClassInfo | None) -> Any: ...
        def run(self, body: list[cst.CSTNode]) -> None: ...
        def statement(self, stmt: cst.CSTNode) -> None: ...
        def _remember_source(self, target: cst.BaseExpression, source: cst.BaseExpression) -> None: ...
        def assign(self, target: cst.BaseExpression, value: Any, source: cst.BaseExpression) -> None: ...
        def name_value(self, value: Any, path: str, owner: str) -> None: ...
        def aug_assign(self, stmt: cst.AugAssign) -> None: ...
        def _update_source(self, stmt: cst.AugAssign) -> None: ...
        def if_statement(self, stmt: cst.If) -> None: ...
        def _forget_loop_carried(self, body: cst.BaseSuite) -> None: ...
        def for_statement(self, stmt: cst.For) -> None: ...
        def _unroll(self, stmt: cst.For, value: Any) -> bool: ...
        def bind_loop_target(self, target: cst.BaseExpression, value: Any) -> None: ...
        def value(self, node: cst.BaseExpression) -> Any: ...
        def iter_value(self, node: cst.BaseExpression) -> Any: ...
        def _container(self, node: cst.BaseExpression) -> SeqVal | None: ...
        def _mutate(self, target: SeqVal, method: str, args: list[cst.BaseExpression]) -> None: ...
        def container(self, kind: str, node: cst.Call) -> SeqVal: ...
        def _ordered_dict_items(self, node: cst.Call) -> SeqVal: ...
        def _slice(self, base: SeqVal, items: list[Any], node: cst.Subscript) -> SeqVal | None: ...
        def element_of(self, value: Any) -> Any: ...
        def scope_for(self, value: Any) -> DispatchVal | None: ...
        def param_set(self, owner_value: Any) -> ParamSetVal: ...
        def _module_tuple(self, node: cst.Tuple | cst.List) -> DispatchVal | None: ...
        def _param_tuple(self, node: cst.Tuple | cst.List) -> ParamSetVal | None: ...
        def call(self, node: cst.Call) -> Any: ...
        def parent_method(self, func: cst.Attribute) -> FuncRef | None: ...
        def call_local(self, ref: FuncRef, node: cst.Call, skip_self: bool = False) -> Any: ...
        def method_call(self, node: cst.Call, func: cst.Attribute) -> tuple[bool, Any]: ...
        def instantiate(self, qualified: str, node: cst.Call) -> Any: ...
        def layer(self, kind: str, node: cst.Call) -> LayerVal: ...
        def parameter(self, node: cst.Call) -> Any: ...
        def _tensor_shape(self, factory: str, call: cst.Call) -> tuple[int | None, ...] | None: ...
        def _dim(self, node: cst.BaseExpression) -> int | None: ...
        def targets(self, node: cst.BaseExpression) -> Targets | None: ...
        def init_call(self, node: cst.Call, name: str) -> None: ...
        def data_driven_init(self, node: cst.Call) -> Any: ...
        def tensor_init(self, node: cst.Call, method: str, target: cst.BaseExpression, found: Targets) -> None: ...
