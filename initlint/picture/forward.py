"""``forward()`` data flow: what each layer's output meets in the methods of its module class.

Values are :class:`flow.Flow` (the layers whose output a value still is); the statement walk is the one the
construction interpreter uses (walker.py).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import libcst as cst

from initlint.picture import torchspec
from initlint.picture.act_forms import callable_activation
from initlint.picture.domain import (
    UNKNOWN as UNKNOWN_VALUE,
)
from initlint.picture.domain import (
    ActVal,
    ChoiceVal,
    ClassInfo,
    FuncRef,
    InRepeat,
    LayerVal,
    MixedModules,
    SeqVal,
    SubVal,
    TransVal,
    flatten,
    is_number,
    union,
    unwrap,
)
from initlint.picture.dynamic_attrs import attribute_key, matching
from initlint.picture.flow import CONST, EMPTY, Flow, FlowAnalyzer, activated, join_flows
from initlint.picture.forward_parts import SplitParts
from initlint.picture.forward_products import MatrixProducts
from initlint.picture.forward_syntax import carries_one_value, name_counts, one_tensor_call
from initlint.picture.model import (
    ACT,
    GATED,
    LINEAR,
    NORM,
    OUTPUT,
    RESIDUAL,
    UNKNOWN,
    Follow,
    Stack,
)
from initlint.picture.side_uses import (
    SHAPE_QUERIES,
    activated_copies,
    is_display_call,
    kept_copy,
    module_bindings,
    module_loggers,
)
from initlint.picture.skips import branch_add, skip_add
from initlint.picture.syntax import function_params, keyword, positional, statements
from initlint.picture.walker import StatementWalker


class MethodFlow(MatrixProducts, SplitParts, StatementWalker):
    """Data flow through one method of a module class."""

    def __init__(self, analyzer: FlowAnalyzer, info: ClassInfo, is_forward: bool) -> None:
        self.a = analyzer
        self.b = analyzer.b
        self.info = info
        self.is_forward = is_forward
        self.env: dict[str, Any] = {}
        self.reads: Counter[str] = Counter()

    def run_method(self, fn: cst.FunctionDef) -> None:
        self.reads = name_counts(fn)
        params = function_params(fn)
        if self.is_forward and len(params) >= 2 and params[0].name.value == "self" and params[1].default is None \
                and not isinstance(fn.params.star_arg, cst.Param):
            # what the input meets is what the layer a parent feeds into this class meets (ClassPorts)
            self.env[params[1].name.value] = Flow(input_of=frozenset({self.info.name}))
        self.run(statements(fn.body))

    # ------------------------------------------------------------------ statements (walker.py dispatches)

    def assign_statement(self, stmt: cst.Assign) -> None:
        if self.split_assignment(stmt):
            return
        value = self.ev(stmt.value)
        for target in stmt.targets:
            self.bind(target.target, value)

    def annotated_statement(self, stmt: cst.AnnAssign) -> None:
        if stmt.value is not None:
            self.bind(stmt.target, self.ev(stmt.value))

    def aug_assign(self, stmt: cst.AugAssign) -> None:
        left = self.ev(stmt.target)
        right = self.ev(stmt.value)
        self.bind(stmt.target, self.binary(stmt.operator, left, right))

    def expression_statement(self, stmt: cst.Expr) -> None:
        self.consume(self.ev(stmt.value), Follow(UNKNOWN))

    def return_statement(self, stmt: cst.Return) -> None:
        if stmt.value is None:
            return
        follow = Follow(OUTPUT) if self.is_forward else Follow(UNKNOWN)
        if self.is_forward and isinstance(stmt.value, (cst.Tuple, cst.List)):
            elements = [e.value for e in stmt.value.elements]
            copies = activated_copies(elements, self.activation_operand)
            if copies:
                # ``return out, F.softmax(out, dim=1)``: the activated copy is output-side, ``out`` the output
                kept = [self.flow_of(e) for i, e in enumerate(elements) if i not in copies]
                self.consume(join_flows(*kept), follow)
                return
        value = self.ev(stmt.value)
        if self.is_forward and isinstance(value, Flow) and not isinstance(stmt.value, (cst.Tuple, cst.List)):
            self.a.emit(value, follow, returning_from=self.info.name)  # what the parent does with it decides
            return
        self.consume(value, follow)

    def if_statement(self, stmt: cst.If) -> None:
        self.ev(stmt.test)
        before = dict(self.env)
        self.run(statements(stmt.body))
        after_true = self.env
        self.env = dict(before)
        if isinstance(stmt.orelse, cst.If):
            self.statement(stmt.orelse)
        elif isinstance(stmt.orelse, cst.Else):
            self.run(statements(stmt.orelse.body))
        self.env = self.merge(after_true, self.env)

    def for_statement(self, stmt: cst.For) -> None:
        self.loop(stmt)

    def while_statement(self, stmt: cst.While) -> None:
        self.loop(stmt)

    def function_definition(self, stmt: cst.FunctionDef) -> None:
        """A nested function is not data flow of this method (a call of it is an unknown call)."""

    def import_statement(self, stmt: cst.Import | cst.ImportFrom) -> None:
        """An import inside a method binds no layer output."""

    def merge(self, one: dict[str, Any], two: dict[str, Any]) -> dict[str, Any]:
        out = dict(one)
        for name, value in two.items():
            if name in out and isinstance(out[name], Flow) and isinstance(value, Flow):
                out[name] = join_flows(out[name], value)
            elif name not in out:
                out[name] = value
        return out

    def bind(self, target: cst.BaseExpression, value: Any) -> None:
        if isinstance(target, cst.Name):
            self.env[target.value] = value
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and isinstance(value, Flow) \
                and (value.outputs_of or value.acted_of):
            # ``hs[i] = cell(x, hs[i])``: a module's result kept in a local list is read back where we do not
            # follow it (a recurrent cell's state): its use is unknown, not "nobody uses it" (a model's output)
            self.consume(Flow(outputs_of=value.outputs_of, acted_of=value.acted_of), Follow(UNKNOWN))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.bind(element.value, value)

    def loop(self, stmt: cst.For | cst.While) -> None:
        if isinstance(stmt, cst.For):
            iterable = self.module_value(stmt.iter, unwrap_enumerate=True)
            element: Any = EMPTY
            if isinstance(iterable, SeqVal):
                items = [unwrap(i) for i in flatten(iterable.items, twice=False)]
                if self._is_chain(stmt) and items:
                    # ``for layer in self.layers: x = layer(x)`` runs the list like a Sequential.
                    var = self.main_body(stmt)[0].value.args[0].value.value  # type: ignore[attr-defined]
                    chain = SeqVal("Sequential", list(iterable.items), statement=iterable.statement,
                                   assigned_text=iterable.assigned_text)
                    self.a._sequential_follows(chain, exit_follow=None)
                    self.env[var] = self.seq_call(chain, self.ev(cst.Name(var)))
                    return
                element = union(items)
            self.bind_loop(stmt.target, element)
        before = dict(self.env)
        self.run(statements(stmt.body))
        self.env = self.merge(before, self.env)
        self.run(statements(stmt.body))
        self.env = self.merge(before, self.env)
        if isinstance(stmt, cst.For) and isinstance(iterable, SeqVal) and carries_one_value(stmt, self.main_body(stmt)):
            self._record_loop_stack(iterable)

    def _record_loop_stack(self, seq: SeqVal) -> None:
        """``for layer in self.layers: x = act(layer(x))``: the list runs as a stack, each layer followed
        by the activation the loop body applies (as recorded by the two passes above)."""
        steps: list[tuple[str, Any]] = []
        for item in flatten(seq.items, twice=False):
            inner = unwrap(item)
            if isinstance(item, InRepeat) and item.count is None or not isinstance(inner, LayerVal):
                steps.append(("other", None))
                continue
            if self.a._all_norm(inner):
                steps.append(("norm", inner.uids))
                continue
            steps.append(("layer", inner.uids))
            follow = self.b.picture.layers[inner.uids[0]].follow()
            steps.append(("act", follow.activation) if follow.kind == ACT else ("other", None))
        self.b.picture.stacks.append(Stack(steps, seq.statement, seq.assigned_text))

    def main_body(self, stmt: cst.For) -> list[cst.CSTNode]:
        """A loop's statements without its side uses (``print(x)``, ``acts.append(x.detach())``) of plain
        names: they change nothing the loop computes."""
        out = []
        for line in statements(stmt.body):
            if isinstance(line, cst.Expr) and isinstance(line.value, cst.Call) and self.side_use(line.value, pure=True):
                continue
            out.append(line)
        return out

    def _is_chain(self, stmt: cst.For) -> bool:
        body = self.main_body(stmt)
        if len(body) != 1 or not isinstance(body[0], cst.Assign) or not isinstance(stmt.target, cst.Name):
            return False
        assign = body[0]
        call = assign.value
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Name):
            return False
        if call.func.value != stmt.target.value or len(call.args) != 1:
            return False
        arg = call.args[0].value
        target = assign.targets[0].target
        return isinstance(arg, cst.Name) and isinstance(target, cst.Name) and arg.value == target.value

    def bind_loop(self, target: cst.BaseExpression, element: Any) -> None:
        if isinstance(target, cst.Tuple) and len(target.elements) == 2:
            self.bind(target.elements[0].value, EMPTY)
            self.bind(target.elements[1].value, element)
        else:
            self.bind(target, element)

    # ------------------------------------------------------------------ expressions

    def module_value(self, node: cst.BaseExpression, unwrap_enumerate: bool = False) -> Any:
        if unwrap_enumerate and isinstance(node, cst.Call) and isinstance(node.func, cst.Name) \
                and node.func.value in ("enumerate", "reversed") and node.args:
            return self.module_value(node.args[0].value)
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
            return self.info.attrs.get(node.attr.value, UNKNOWN_VALUE)
        if isinstance(node, cst.Name):
            return self.env.get(node.value, UNKNOWN_VALUE)
        return UNKNOWN_VALUE

    def consume(self, value: Any, follow: Follow) -> None:
        if isinstance(value, Flow):
            self.a.emit(value, follow)

    def flow_of(self, node: cst.BaseExpression) -> Flow:
        value = self.ev(node)
        return value if isinstance(value, Flow) else EMPTY

    def ev(self, node: cst.BaseExpression) -> Any:
        if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
            return CONST
        if isinstance(node, cst.Name):
            if node.value in self.env:
                return self.env[node.value]
            if node.value in self.b.module_env:
                return CONST if is_number(self.b.module_env[node.value]) else EMPTY
            return EMPTY
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value == "self":
                value = self.info.attrs.get(node.attr.value)
                if value is None:
                    return EMPTY
                if is_number(value):
                    return CONST
                if isinstance(value, LayerVal) and all(self.b.picture.layers[u].kind == "Parameter" for u in value.uids):
                    return Flow(const=True)  # a bare parameter read (a bias, a positional embedding)
                return value
            base = self.ev(node.value)
            if isinstance(base, Flow):
                return EMPTY  # x.shape, out.last_hidden_state: not a use of the layer's output
            return UNKNOWN_VALUE
        if isinstance(node, cst.Call):
            return self.call(node)
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.MatrixMultiply):
                product = self.product(node.left, node.right)
                if product is not None:
                    return product  # self.weight @ h, h @ self.weight, adj @ h
            return self.binary(node.operator, self.operand(node.left), self.operand(node.right))
        if isinstance(node, cst.UnaryOperation):
            inner = self.ev(node.expression)
            return inner if isinstance(node.operator, (cst.Minus, cst.Plus)) else EMPTY
        if isinstance(node, cst.Subscript):
            base = self.ev(node.value)
            if isinstance(base, SeqVal):
                index = self.b.constant(
                    self.info, node.slice[0].slice.value if isinstance(node.slice[0].slice, cst.Index) else None)
                if isinstance(index, str):
                    return base.keys.get(index, UNKNOWN_VALUE)
                wrapped = flatten(base.items, twice=False, inline=False)
                items = [unwrap(i) for i in wrapped]
                exact = not any(getattr(i, "count", 0) is None for i in wrapped)
                if isinstance(index, int) and exact and -len(items) <= index < len(items):
                    return items[index]
                return union(items)
            if isinstance(base, Flow):
                self.a.emit(base, Follow(UNKNOWN))
            return EMPTY
        if isinstance(node, (cst.Tuple, cst.List)):
            flows = [self.flow_of(e.value) for e in node.elements]
            return join_flows(*flows) if flows else EMPTY
        if isinstance(node, cst.IfExp):
            self.ev(node.test)
            one, two = self.ev(node.body), self.ev(node.orelse)
            if isinstance(one, Flow) and isinstance(two, Flow):
                return join_flows(one, two)
            return one if one == two else UNKNOWN_VALUE
        if isinstance(node, cst.Comparison):
            self.ev(node.left)
            return EMPTY
        if isinstance(node, (cst.Lambda, cst.ListComp, cst.GeneratorExp, cst.DictComp, cst.SetComp, cst.Dict)):
            return EMPTY
        return EMPTY

    def operand(self, node: cst.BaseExpression) -> Any:
        """An arithmetic operand; ``self.action_scale`` set in ``__init__`` (to anything but a layer output) is
        a tensor or a number (a module cannot be multiplied): a constant, like a bare parameter."""
        value = self.ev(node)
        if not isinstance(value, Flow) and isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) \
                and node.value.value == "self" and node.attr.value in self.info.attrs:
            return CONST  # also ``1.`` in one branch and ``torch.FloatTensor(...)`` in the other
        return value

    def binary(self, operator: cst.CSTNode, left: Any, right: Any) -> Flow:
        left_flow = left if isinstance(left, Flow) else EMPTY
        right_flow = right if isinstance(right, Flow) else EMPTY
        if isinstance(operator, (cst.Add, cst.Subtract, cst.AddAssign, cst.SubtractAssign)):
            if left_flow.live and right_flow.live:
                skip = skip_add(left_flow, right_flow) or branch_add(left_flow, right_flow, self.b.picture.layers)
                if skip is not None:
                    self.a.emit(skip[1], Follow(RESIDUAL))
                    return skip[0]
                return join_flows(left_flow, right_flow)
            pending, other = (left_flow, right_flow) if left_flow.live else (right_flow, left_flow)
            if not pending.live:
                return EMPTY
            if other.const:
                return pending
            self.a.emit(pending, Follow(RESIDUAL))
            return EMPTY
        if isinstance(operator, (cst.Multiply, cst.Divide, cst.MultiplyAssign, cst.DivideAssign)):
            if left_flow.live and isinstance(right, Flow) and right.const:
                return left_flow
            if right_flow.live and isinstance(left, Flow) and left.const:
                return right_flow
            self.a.emit(join_flows(left_flow, right_flow), Follow(GATED))
            return EMPTY
        self.a.emit(join_flows(left_flow, right_flow), Follow(UNKNOWN))
        return EMPTY

    def call(self, node: cst.Call) -> Any:
        if self.side_use(node):
            return EMPTY
        if isinstance(node.func, cst.Name) and node.func.value == "getattr":
            found = self.self_attribute(node)
            if found is not None:
                return found
        func = node.func
        resolved = self.b.imports.resolve(func)
        args = positional(node)
        if resolved is not None:
            return self.torch_call(resolved, node, args)
        if isinstance(func, cst.Attribute) and not (isinstance(func.value, cst.Name) and func.value.value == "self"):
            receiver = self.ev(func.value)
            method = func.attr.value
            if isinstance(receiver, Flow) and method in ("mm", "matmul") and len(args) == 1 == len(node.args):
                product = self.product(func.value, args[0])
                if product is not None:
                    return product  # self.weight.mm(h), h.mm(self.weight), adj.mm(h)
            if isinstance(receiver, Flow) and method in SHAPE_QUERIES:
                return CONST  # x.size(0): a number
            if isinstance(receiver, Flow):
                for arg in node.args:
                    self.consume(self.ev(arg.value), Follow(UNKNOWN))
                if method in torchspec.ACTIVATION_METHODS:
                    act = torchspec.activation_for_function(torchspec.ACTIVATION_METHODS[method])
                    self.a.emit(receiver, Follow(ACT, act))
                    if method.endswith("_") and isinstance(func.value, cst.Name):
                        # x.relu_(): x now holds the activation's output
                        self.env[func.value.value] = activated(receiver)
                    return activated(receiver)
                if method in torchspec.TRANSPARENT_METHODS:
                    return receiver
                self.a.emit(receiver, Follow(UNKNOWN))
                return EMPTY
            callee = receiver
        else:
            callee = self.ev(func)
        flows = [self.flow_of(a.value) for a in node.args]
        inflow = flows[0] if flows else EMPTY
        for extra in flows[1:]:
            self.a.emit(extra, Follow(UNKNOWN))
        act = self.callable_activation(callee)
        if act is not None:
            if not one_tensor_call(node):
                self.a.emit(inflow, Follow(UNKNOWN))  # self.act_fn(x, 0.2): not the defaults we know
                return EMPTY
            callee = ActVal(act)
        return self.apply_module(callee, inflow)

    def callable_activation(self, value: Any) -> torchspec.Activation | None:
        """``self.act_fn = F.gelu``, ``ACT2FN["gelu"]``, ``def swish(x)`` as an activation (act_forms.py)."""
        if isinstance(value, ActVal):
            return None  # a module: applied as it is
        return callable_activation(value, self.b.imports, self.b.syntax_fact)

    def self_attribute(self, node: cst.Call) -> Any:
        """``getattr(self, 'fc%i' % i)`` (the builtin): the attributes that name can be (dynamic_attrs.py)."""
        args = positional(node)
        if len(args) != 2 or len(node.args) != 2 or not (isinstance(args[0], cst.Name) and args[0].value == "self") \
                or "getattr" in self.env or "getattr" in self.b.functions:
            return None
        key = attribute_key(args[1], lambda n: self.b.constant(self.info, n))
        names = matching(key, self.info.attrs) if key is not None else []
        if not names:
            return None
        return union([self.info.attrs[name] for name in names])

    def side_use(self, node: cst.Call, pure: bool = False) -> bool:
        """A call that does not change where its arguments go next (side_uses.py): printing or logging them,
        or keeping a detached copy (``acts.append(x.detach())``, whose ``x`` still runs: ``self.fc2(x)`` in
        ``acts.append(self.fc2(x).detach())`` is a use of ``x``). With ``pure``, only copies of plain names
        count (the call is left out without evaluating anything)."""
        bound = self.b.syntax_fact("module bindings", self.b.module, module_bindings)
        loggers = self.b.syntax_fact("module loggers", self.b.module,
                                     lambda module: module_loggers(module, self.b.imports))
        if is_display_call(node, self.b.imports, self.env, bound, loggers):
            return True
        copied = kept_copy(node)
        if copied is None or not isinstance(node.func, cst.Attribute):
            return False
        receiver = self.module_value(node.func.value) if pure else self.ev(node.func.value)
        if isinstance(receiver, Flow) and receiver.live:
            return False  # a method of a layer's output, not of a list
        if pure:
            return all(isinstance(root, cst.Name) for root in copied)
        for root in copied:
            self.ev(root)
        return True

    def activation_operand(self, call: cst.Call) -> cst.BaseExpression | None:
        """The tensor a known activation call applies to (``out`` in ``F.softmax(out, dim=1)``,
        ``self.act(out)``, ``out.sigmoid()``), resolved through the imports and the class's attributes."""
        func = call.func
        args = positional(call)
        resolved = self.b.imports.resolve(func)
        if resolved is not None:
            space, _, name = resolved.rpartition(".")
            if space in ("torch.nn.functional", "torch", "torch.special") and name in torchspec.ACTIVATION_FUNCTIONS:
                return args[0] if args else keyword(call, "input")
            return None
        if not isinstance(func, cst.Attribute):
            return None
        if isinstance(func.value, cst.Name) and func.value.value == "self":
            attr = self.info.attrs.get(func.attr.value)
            return args[0] if isinstance(attr, ActVal) and len(args) == 1 else None
        if func.attr.value in torchspec.ACTIVATION_METHODS and not args:
            return func.value
        return None

    def apply_module(self, callee: Any, inflow: Flow) -> Any:
        if isinstance(callee, ActVal):
            self.a.emit(inflow, Follow(ACT, callee.act))
            return activated(inflow)
        if isinstance(callee, ChoiceVal):  # an activation an option chooses: one follow per arm
            for when, choice in callee.variants:
                self.a.emit(inflow, Follow(ACT, choice.act, when=when))
            return activated(inflow)
        if isinstance(callee, TransVal):
            return inflow
        if isinstance(callee, LayerVal):
            if any(self.b.picture.layers[u].is_composite for u in callee.uids):
                self.a.emit(inflow, Follow(UNKNOWN))  # attention and a skip inside: torchspec.composites
                return EMPTY
            if all(self.b.picture.layers[u].is_norm for u in callee.uids):
                self.a.emit(inflow, Follow(NORM))
                return EMPTY
            self.a.emit(inflow, Follow(LINEAR))
            self.a.link(inflow, callee.uids)
            return Flow(frozenset(callee.uids))
        if isinstance(callee, SeqVal) and callee.kind == "Sequential":
            return self.seq_call(callee, inflow)
        if isinstance(callee, SubVal) and callee.cls in self.b.classes:
            self.a.emit(inflow, Follow(UNKNOWN))
            self.a.ports.fed_into(inflow, callee.cls)
            made = frozenset({(callee.cls, callee.made_by)}) if callee.made_by is not None else frozenset()
            return Flow(outputs_of=frozenset({callee.cls}), made_by=made)
        if isinstance(callee, MixedModules):
            kinds = {type(v) for v in callee.values}
            if kinds == {ActVal} and len(set(callee.values)) == 1:
                return self.apply_module(callee.values[0], inflow)
        self.a.emit(inflow, Follow(UNKNOWN))
        return EMPTY

    def seq_call(self, seq: SeqVal, inflow: Flow) -> Flow:
        items = [unwrap(i) for i in flatten(seq.items)]
        first = self.a.next_follow(items)
        if first is None:
            return inflow
        self.a.emit(inflow, first)
        self.a.link(inflow, self.a.first_layers(items))
        return Flow(self.a.exit_layers(seq), acted=self.a.exit_acted(seq))

    def torch_call(self, resolved: str, node: cst.Call, args: list[cst.BaseExpression]) -> Any:
        name = resolved.rsplit(".", 1)[-1]
        if resolved == f"<local>.{name}" and name in self.b.functions:
            act = self.callable_activation(FuncRef(self.b.functions[name], None))
            if act is not None and one_tensor_call(node) and args:
                inflow = self.flow_of(args[0])
                self.a.emit(inflow, Follow(ACT, act))  # swish(self.fc(x)) with def swish(x): x * sigmoid(x)
                return activated(inflow)
        space = resolved.rsplit(".", 1)[0]
        functional = space in ("torch.nn.functional", "torch", "torch.special")
        if functional and name == "expit":
            name = "sigmoid"
        if functional and name in torchspec.ACTIVATION_FUNCTIONS:
            slope = None
            if name.startswith("leaky_relu"):
                slope_node = args[1] if len(args) > 1 else keyword(node, "negative_slope")
                slope = self.b.constant(self.info, slope_node) \
                    if slope_node is not None else None
                if slope is not None and not is_number(slope):
                    self.a.emit(self.flow_of(args[0]) if args else EMPTY, Follow(UNKNOWN))
                    return EMPTY
            act = torchspec.activation_for_function(name, slope)
            inflow = self.flow_of(args[0]) if args else EMPTY
            self.a.emit(inflow, Follow(ACT, act))
            inplace = name.endswith("_") or isinstance(keyword(node, "inplace"), cst.Name) and \
                keyword(node, "inplace").value == "True"  # type: ignore[union-attr]
            if inplace and args and isinstance(args[0], cst.Name):
                self.env[args[0].value] = activated(inflow)  # F.relu(x, inplace=True) as a statement
            return activated(inflow)
        if (functional and name in ("mm", "matmul", "spmm", "bmm") or resolved == "torch.sparse.mm") \
                and len(args) == 2 == len(node.args):
            product = self.product(args[0], args[1], weights=name != "bmm")
            if product is not None:
                return product  # torch.mm(self.weight, h), torch.mm(h, self.weight), torch.spmm(adj, h)
        if functional and name in torchspec.NORM_FUNCTIONS:
            self.a.emit(self.flow_of(args[0]) if args else EMPTY, Follow(NORM))
            return EMPTY
        if functional and name in torchspec.TRANSPARENT_FUNCTIONS:
            flows = [self.flow_of(a) for a in args[:1]]
            if name in ("cat", "concat", "stack") and args:
                return self.flow_of(args[0])
            return join_flows(*flows) if flows else EMPTY
        if functional and name in torchspec.FUNCTIONAL_LAYERS:
            inflow = self.flow_of(args[0]) if args else EMPTY
            self.a.emit(inflow, Follow(LINEAR))
            weight = args[1] if len(args) > 1 else keyword(node, "weight")
            if isinstance(weight, cst.Attribute) and isinstance(weight.value, cst.Name) \
                    and weight.value.value == "self":
                value = self.info.attrs.get(weight.attr.value)
                if isinstance(value, LayerVal):
                    for uid in value.uids:
                        self.b.picture.layers[uid].functional = name
                    return Flow(frozenset(value.uids))
            return EMPTY
        if resolved.startswith("torch.nn.") and resolved.count(".") == 2:
            # an inline module: nn.ReLU()(x)
            return UNKNOWN_VALUE
        for arg in node.args:
            self.consume(self.ev(arg.value), Follow(UNKNOWN))
        return EMPTY
