"""Statements: assignments, ``+=``, ``if`` (narrowing, branch paths, joins), loops (run once, or item by
item over a known config within the unrolling budget) and function bodies."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import libcst as cst

from initlint.picture import narrowing, symbolic
from initlint.picture.budget import MAX_UNROLL
from initlint.picture.domain import (
    UNKNOWN,
    ActVal,
    ChoiceVal,
    ClassInfo,
    Closure,
    DispatchVal,
    FuncRef,
    IndexChoice,
    LayerVal,
    NameOf,
    OpaqueVal,
    ParamNamesVal,
    ParamSetVal,
    Repeat,
    SeqVal,
    SubVal,
    is_number,
    is_plain,
    seq_labels,
    union,
)
from initlint.picture.frame import Frame
from initlint.picture.index_choice import index_arms, loop_index
from initlint.picture.model import Condition
from initlint.picture.syntax import (
    assigned_names,
    function_params,
    names_in,
    positional,
    statements,
)
from initlint.picture.walker import StatementWalker


class Statements(Frame, StatementWalker):
    def call_function(self, fn: cst.FunctionDef, args: list[Any], kwargs: dict[str, Any], self_bound: bool,
                      owner: ClassInfo | None) -> Any:
        self.owner = owner
        params = function_params(fn)
        if self_bound and params and params[0].name.value in ("self", "cls"):
            self.env[params[0].name.value] = SubVal(self.info.name) if self.info else UNKNOWN
            params = params[1:]
        for index, param in enumerate(params):
            name = param.name.value
            self.defaults.pop(name, None)  # a parameter shadows a captured name
            pinned = False
            if index < len(args):
                self.env[name] = args[index]
                passed = self.passed_defaults.get(index)
                pinned = index in self.passed_literals
            elif name in kwargs:
                self.env[name] = kwargs[name]
                passed = self.passed_defaults.get(name)
                pinned = name in self.passed_literals
            elif param.default is not None:
                self.env[name] = self.value(param.default)
                passed = "the default" if is_plain(self.env[name]) or isinstance(self.env[name], bool) else None
            else:
                self.env[name] = UNKNOWN
                passed = None
            if passed is not None:
                self.defaults[name] = passed
            if pinned and is_plain(self.env[name]):
                self.pinned.add(name)
            else:
                self.pinned.discard(name)
        if fn.params.star_arg and isinstance(fn.params.star_arg, cst.Param):
            self.env[fn.params.star_arg.name.value] = UNKNOWN
        self.run(statements(fn.body))
        if not self.returns:
            return UNKNOWN
        return self.returns[-1]

    def run(self, body: list[cst.CSTNode]) -> None:
        """Run a block; the conditions an early exit in it adds (``if p.dim() < 2: continue``) end with it."""
        path = self.path
        super().run(body)
        self.path = path

    def statement(self, stmt: cst.CSTNode) -> None:
        if not self.work.statement():
            return  # past the statement budget: the rest of this entry point is not run
        if isinstance(stmt, (cst.Expr, cst.Assign, cst.AugAssign, cst.AnnAssign)):
            self.current_statement = stmt
        super().statement(stmt)

    def assign_statement(self, stmt: cst.Assign) -> None:
        value = self.value(stmt.value)
        for target in stmt.targets:
            self.assign(target.target, value, stmt.value)
            self._remember_source(target.target, stmt.value)
        self.assigned_init(stmt)
        if isinstance(value, SeqVal) and value.kind in ("Sequential", "ModuleList") and len(stmt.targets) == 1 \
                and value.statement is None and isinstance(stmt.targets[0].target, (cst.Name, cst.Attribute)):
            value.statement = stmt
            value.assigned_text = symbolic.text(stmt.targets[0].target)

    def annotated_statement(self, stmt: cst.AnnAssign) -> None:
        if stmt.value is not None:
            self.assign(stmt.target, self.value(stmt.value), stmt.value)

    def expression_statement(self, stmt: cst.Expr) -> None:
        self.value(stmt.value)

    def return_statement(self, stmt: cst.Return) -> None:
        if stmt.value is not None:
            self.returns.append(self.value(stmt.value))

    def while_statement(self, stmt: cst.While) -> None:
        self._forget_loop_carried(stmt.body)
        self.loop_stack.append(None)
        self.loop_indices.append(None)
        self.run(statements(stmt.body))
        self.loop_stack.pop()
        self.loop_indices.pop()

    def function_definition(self, stmt: cst.FunctionDef) -> None:
        """A nested ``def`` sees the enclosing call's plain values (``init_type``, ``init_gain``): CycleGAN's
        ``init_weights(net, init_type='normal', init_gain=0.02)`` applies such a closure."""
        owner = self.info.name if self.info else None
        values = {name: value for name, value in self.env.items() if is_plain(value)} if not self.module_level else {}
        closure = Closure(values, dict(self.defaults), frozenset(self.pinned & set(values))) if values else None
        self.env[stmt.name.value] = FuncRef(stmt, owner, closure=closure)

    def enter(self, ref: FuncRef) -> None:
        """Start a call of ``ref`` with the names its closure captured."""
        if ref.closure is not None:
            self.env.update(ref.closure.values)
            self.defaults.update(ref.closure.defaults)
            self.pinned.update(ref.closure.pinned)

    def import_statement(self, stmt: cst.Import | cst.ImportFrom) -> None:
        """An import inside a function binds its names there (module-level ones are in the import table)."""
        if self.module_level:
            return
        if self.imports is self.b.imports:
            self.imports = self.imports.copy()
        self.imports.add(stmt)

    def _remember_source(self, target: cst.BaseExpression, source: cst.BaseExpression) -> None:
        """The syntax last assigned to each local name, for arguments evaluated per layer (symbolic.py)."""
        if isinstance(target, cst.Name):
            self.sources[target.value] = source
        elif isinstance(target, (cst.Tuple, cst.List)) and isinstance(source, (cst.Tuple, cst.List)) \
                and len(target.elements) == len(source.elements):
            for one, two in zip(target.elements, source.elements, strict=True):
                self._remember_source(one.value, two.value)

    def assign(self, target: cst.BaseExpression, value: Any, source: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.env[target.value] = value
            if self.module_level and isinstance(value, (LayerVal, SeqVal)):
                self.name_value(value, target.value, "<module>")
        elif isinstance(target, cst.Attribute) and self.is_self(target.value) and self.info is not None:
            attr = target.attr.value
            value = self._option_chosen(self.info, attr, value)
            self.info.attrs[attr] = value
            if is_number(value) or isinstance(value, (str, tuple)):
                self.info.consts[f"self.{attr}"] = value
            self.name_value(value, attr, self.info.name)
        elif isinstance(target, (cst.Tuple, cst.List)):
            if isinstance(source, (cst.Tuple, cst.List)) and len(source.elements) == len(target.elements) \
                    and not any(isinstance(e, cst.StarredElement) for e in source.elements):
                for element, part in zip(target.elements, source.elements, strict=True):
                    self.assign(element.value, self.value(part.value), part.value)  # layers, width = [], 3
                return
            values = value if isinstance(value, tuple) and len(value) == len(target.elements) else None
            for index, element in enumerate(target.elements):
                inner = values[index] if values is not None else UNKNOWN
                self.assign(element.value, inner, source)

    def _option_chosen(self, info: ClassInfo, attr: str, value: Any) -> Any:
        """``if act == 'relu': self.act = nn.ReLU()`` / ``elif ...: self.act = nn.Tanh()``: an activation the
        options choose is none of them in particular (OpaqueVal), so no option's init is ever judged against
        another option's activation. A later assignment that runs whenever the earlier one did replaces it."""
        previous = info.attrs.get(attr)
        before = info.attr_paths.get(attr)
        info.attr_paths[attr] = self.path
        if before is None or previous is None or previous == value:
            return value
        layers = isinstance(previous, LayerVal) and isinstance(value, LayerVal)
        if not layers and not any(isinstance(v, (ActVal, OpaqueVal, ChoiceVal)) for v in (previous, value)):
            return value
        held = {(c.key, c.taken) for c in before}
        if all((c.key, c.taken) in held for c in self.path):
            return value  # runs in every run the earlier assignment ran in: it overwrites it
        if layers:
            # ``if use_gru: self.rnn = nn.GRU(...) else: self.rnn = nn.LSTM(...)``: either layer may be the one
            # that ``self.rnn`` names afterwards, so an init through ``self.rnn`` reaches both
            return union([previous, value])
        earlier = previous.variants if isinstance(previous, ChoiceVal) else (
            ((before, previous),) if isinstance(previous, ActVal) else None)
        if earlier is not None and isinstance(value, ActVal) and self.path and \
                all(any(c.excludes(mine) for c in path for mine in self.path) for path, _ in earlier):
            # exclusive arms, each with its own activation: the checks pair each with its own arm's inits
            return ChoiceVal((*earlier, (self.path, value)))
        return OpaqueVal()

    def name_value(self, value: Any, path: str, owner: str) -> None:
        """Give layers their attribute path the first time they are stored."""
        if isinstance(value, LayerVal):
            for uid in value.uids:
                layer = self.b.picture.layers[uid]
                if layer.path.startswith("<"):
                    layer.path = path
                    layer.owner = owner
                    self.b.rename_sub_layers(uid)
                    for child, _ in self.b.sub_layers(uid, path):
                        self.b.picture.layers[child].owner = owner
        elif isinstance(value, SeqVal):
            if value.name is None:
                value.name = path
            for key, item in value.keys.items():
                self.name_value(item, f"{path}.{key}", owner)
            for label, item in seq_labels(value):
                self.name_value(item, f"{path}.{label}", owner)

    def aug_assign(self, stmt: cst.AugAssign) -> None:
        if isinstance(stmt.operator, cst.AddAssign) and isinstance(stmt.target, cst.Name):
            current = self.env.get(stmt.target.value)
            if isinstance(current, SeqVal):
                added = self.value(stmt.value)
                if isinstance(added, SeqVal):
                    current.items.extend(added.items)
                return
        added = self.value(stmt.value)
        if isinstance(stmt.target, cst.Name) and stmt.target.value in self.env:
            # ``dim *= 2``: the name's number changes (a libcst BinaryOperation with the same operator)
            binary = _AUG_TO_BINARY.get(type(stmt.operator))
            current = self.env[stmt.target.value]
            if binary is not None and is_number(current) and is_number(added):
                self.env[stmt.target.value] = self.number(cst.BinaryOperation(
                    left=stmt.target, operator=binary(), right=stmt.value))
            elif is_number(current) or current is UNKNOWN:
                self.env[stmt.target.value] = UNKNOWN
        if isinstance(stmt.target, cst.Name):
            self._update_source(stmt)

    def _update_source(self, stmt: cst.AugAssign) -> None:
        """``h += 256``: the syntax of ``h`` becomes ``(previous) + 256``, so per-layer evaluation sees what the
        name's value saw (without a previous syntax, the value itself is what later evaluation reads)."""
        assert isinstance(stmt.target, cst.Name)
        name = stmt.target.value
        previous = self.sources.get(name)
        binary = _AUG_TO_BINARY.get(type(stmt.operator))
        if previous is None:
            return
        if binary is None:
            del self.sources[name]
            return
        left = previous.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]) \
            if isinstance(previous, (cst.BinaryOperation, cst.UnaryOperation)) and not previous.lpar else previous
        self.sources[name] = cst.BinaryOperation(left=left, operator=binary(), right=stmt.value)

    def _skipped_arm(self, arm: cst.CSTNode | None) -> None:
        """The arm a call's literal rules out (``net.apply(weights_init_xavier)`` when it passed 'kaiming'):
        the routines it names are the code's, called under the other option, so they are not run alone on
        every layer of the file as routines nothing calls (build._run_unapplied_functions)."""
        if arm is None:
            return
        for name in set(names_in(arm)):
            if name in self.b.functions and self.imports.names.get(name, f"<local>.{name}") == f"<local>.{name}":
                self.b._applied.add(id(self.b.functions[name]))

    def if_statement(self, stmt: cst.If) -> None:
        pinned = self.pinned and (names := set(names_in(stmt.test))) and names <= self.pinned
        known = self.number(stmt.test) if self.unrolling or pinned else UNKNOWN
        if isinstance(known, bool):
            # inside a loop run item by item, ``if v == "M":`` has one answer per item; so has a test of what
            # the call fixed (``init_type == 'xavier'`` in ``init_weights(m, init_type='kaiming')``)
            if pinned:
                self._skipped_arm(stmt.orelse if known else stmt.body)
            if known:
                self.run(statements(stmt.body))
            elif isinstance(stmt.orelse, cst.If):
                self.if_statement(stmt.orelse)
            elif isinstance(stmt.orelse, cst.Else):
                self.run(statements(stmt.orelse.body))
            return
        if self._index_choice(stmt):
            return
        narrowed = narrowing.narrow(stmt.test, self.narrowing_context())
        self.env.update(narrowed.rebound)
        true_env, false_env = narrowed.true_env, narrowed.false_env
        saved = dict(self.env)
        saved_sources = dict(self.sources)
        base_path = self.path
        self.env.update(true_env)
        self.branch_depth += 1
        self.path = base_path + self.conditions(stmt.test, True, narrowed)
        self.run(statements(stmt.body))
        after_true, sources_true = self.env, self.sources
        self.env = dict(saved)
        self.sources = dict(saved_sources)
        self.env.update(false_env)
        self.path = base_path + self.conditions(stmt.test, False, narrowed)
        orelse = stmt.orelse
        if isinstance(orelse, cst.If):
            self.if_statement(orelse)
        elif isinstance(orelse, cst.Else):
            self.run(statements(orelse.body))
        self.branch_depth -= 1
        self.path = base_path
        # ``if not isinstance(m, nn.Linear): return`` / ``if p.dim() < 2: continue``: the code after the
        # ``if`` only runs in the branch that did not leave (and under its condition).
        true_exits = _always_exits(statements(stmt.body))
        false_exits = isinstance(orelse, cst.Else) and _always_exits(statements(orelse.body))
        if true_exits and not false_exits:
            self.path = base_path + _guarded(self.conditions(stmt.test, False, narrowed), statements(stmt.body))
            return
        if false_exits and not true_exits:
            self.env, self.sources = after_true, sources_true
            assert isinstance(orelse, cst.Else)
            self.path = base_path + _guarded(self.conditions(stmt.test, True, narrowed), statements(orelse.body))
            return
        # Join: a name keeps its narrowed value only if both branches agree; otherwise the later
        # definition wins, except dispatch/param variables, which go back to their unnarrowed value.
        joined = dict(after_true)
        for name, value in self.env.items():
            if name not in joined or joined[name] is UNKNOWN:
                joined[name] = value
            elif is_plain(value) and is_plain(joined[name]) and value != joined[name]:
                joined[name] = UNKNOWN  # a number the two branches set differently
            elif value != joined[name] and any(isinstance(v, ActVal) for v in (value, joined[name])):
                joined[name] = OpaqueVal()  # an activation the branch chooses: neither one in particular
        for name, value in after_true.items():
            if is_plain(value) and name in self.env and self.env[name] is UNKNOWN:
                joined[name] = UNKNOWN
        for name in list(joined):
            if name in true_env or name in false_env:
                joined[name] = saved.get(name, UNKNOWN)
        self.env = joined
        # the syntax of a name the two branches assign differently is not one expression any more
        self.sources = {name: node for name, node in self.sources.items() if sources_true.get(name) is node}

    def _index_choice(self, stmt: cst.If) -> bool:
        """``if i == sigmoid_layer: layers.append(nn.Sigmoid()) else: layers.append(nn.ReLU())`` in a loop
        over ``i``: one IndexChoice item (picture.index_choice), not both activations one after the other."""
        arms = index_arms(stmt, self.loop_indices[-1] if self.loop_indices and not self.unrolling else None)
        target = self._container(arms.target) if arms is not None else None
        if arms is None or target is None:
            return False
        odd, rest = self.value(arms.odd), self.value(arms.rest)
        if not isinstance(odd, ActVal) or not isinstance(rest, ActVal):
            return False
        if self.branch_depth:
            target.unsure_from = len(target.items) if target.unsure_from is None else target.unsure_from
        target.items.append(IndexChoice(rest, odd, self.loop_stack[-1], arms.test))
        return True

    def conditions(self, test: cst.BaseExpression, taken: bool,
                   narrowed: narrowing.Narrowed) -> tuple[Condition, ...]:
        """The path entry of a branch, with the option's default when the code says what it is (a parameter
        default, an argparse ``default=``): the finding can then say which option runs unless told otherwise."""
        found = narrowing.conditions(test, taken, narrowed)
        out = []
        for condition in found:
            subject = condition.subject
            if subject is None:
                out.append(condition)
                continue
            where = self.defaults.get(subject)
            cli = self.b.cli.defaults.get(subject)
            if where is not None:
                value = self.env.get(subject)
                if is_plain(value) or isinstance(value, bool):
                    condition = replace(condition, default=value, default_from=where)
            elif cli is not None and self.number(cst.parse_expression(subject)) == cli.value:
                # ``opt.init`` of the module-level parse_args (not a local ``opt``): its argparse default
                condition = replace(condition, default=cli.value, default_from=f"the default of `{cli.flag}`")
            out.append(condition)
        return tuple(out)

    def _forget_loop_carried(self, body: cst.BaseSuite) -> None:
        """A number the loop body reassigns (``in_channels = v``, ``dim *= 2``) differs from one pass to the
        next: inside and after the loop it is unknown, unless the body sets it before reading it."""
        for name in self.b.syntax_fact("assigned", body, assigned_names):
            if name in self.env and is_plain(self.env[name]):
                self.env[name] = UNKNOWN

    def for_statement(self, stmt: cst.For) -> None:
        iterable = stmt.iter
        count: int | None = None
        value = self.iter_value(iterable)
        if isinstance(iterable, cst.Call) and self.imports.resolve(iterable.func) is None \
                and isinstance(iterable.func, cst.Name) and iterable.func.value == "range":
            bound = [self.number(a) for a in positional(iterable)]
            if len(bound) == 1 and isinstance(bound[0], int):
                count = bound[0]
            elif len(bound) == 2 and all(isinstance(x, int) for x in bound):
                count = bound[1] - bound[0]
        if self._unroll(stmt, value):
            return
        self.bind_loop_target(stmt.target, value)
        saved_anchor = self.loop_anchor
        looped = value[1] if isinstance(value, tuple) and len(value) == 2 and value[0] == "named" else value
        if isinstance(looped, (DispatchVal, ParamSetVal)) and isinstance(iterable, cst.Call) \
                and isinstance(iterable.func, cst.Attribute) and iterable.func.attr.value in (
                    "modules", "named_modules", "parameters", "named_parameters"):
            # ``for m in self.modules():`` - after the loop, ``self`` names every module it visited
            self.loop_anchor = (stmt, symbolic.text(iterable.func.value))
        if count != 1:
            self._forget_loop_carried(stmt.body)
        stored = list(self.info.attrs.values()) if self.info is not None else []
        lists = [v for v in [*self.env.values(), *stored] if isinstance(v, SeqVal)]
        lists = list({id(v): v for v in lists}.values())
        lists_before = {id(v): len(v.items) for v in lists}
        self.loop_stack.append(count)
        builtin = isinstance(iterable, cst.Call) and self.imports.resolve(iterable.func) is None
        self.loop_indices.append(loop_index(stmt, builtin, self.b.syntax_fact("assigned", stmt.body, assigned_names)))
        self.shared_depth += 1 if isinstance(value, (DispatchVal, ParamSetVal, LayerVal)) else 0
        self.run(statements(stmt.body))
        self.loop_anchor = saved_anchor
        self.shared_depth -= 1 if isinstance(value, (DispatchVal, ParamSetVal, LayerVal)) else 0
        self.loop_stack.pop()
        self.loop_indices.pop()
        for seq in lists:
            start = lists_before.get(id(seq), 0)
            if len(seq.items) > start:
                seq.items[start:] = [Repeat(seq.items[start:], count)]

    def _unroll(self, stmt: cst.For, value: Any) -> bool:
        """``for v in cfg:`` over a short sequence of known plain values (a VGG config): run the body once per
        item, so each layer gets its own sizes and the container its real order and length."""
        if not (isinstance(value, tuple) and 0 < len(value) <= MAX_UNROLL and isinstance(stmt.target, cst.Name)
                and all(is_plain(v) and not isinstance(v, tuple) for v in value)) or stmt.orelse is not None:
            return False
        if self.b.syntax_fact("leaves", stmt.body, _leaves):
            return False
        if not self.work.unroll(len(value)):
            return False  # past the unrolling budget (nested config loops): the loop runs once, item unknown
        base, unrolling = self.context, self.unrolling
        self.unrolling = True
        for index, item in enumerate(value):
            self.context = base + (("item", id(stmt), index),)
            self.env[stmt.target.value] = item
            self.run(statements(stmt.body))
        self.context, self.unrolling = base, unrolling
        return True

    def bind_loop_target(self, target: cst.BaseExpression, value: Any) -> None:
        if isinstance(value, ParamNamesVal) and self.bind_param_names(target, value):
            return
        if isinstance(value, tuple) and len(value) == 2 and value[0] in ("enumerate", "named"):
            element = self.element_of(value[1])
            if isinstance(target, cst.Tuple) and len(target.elements) == 2:
                first, second = (e.value for e in target.elements)
                if isinstance(second, cst.Name):
                    var = second.value
                    self.env[var] = element
                    if isinstance(first, cst.Name):
                        self.env[first.value] = NameOf(var) if value[0] == "named" else UNKNOWN
                    return
                self.bind_loop_target(first, UNKNOWN)
                self.bind_loop_target(second, element)
                return
            self.assign(target, UNKNOWN, target)
            return
        element = self.element_of(value)
        if isinstance(target, cst.Name):
            self.env[target.value] = element
        else:
            self.assign(target, UNKNOWN, target)


_AUG_TO_BINARY: dict[type, type] = {
    cst.AddAssign: cst.Add,
    cst.SubtractAssign: cst.Subtract,
    cst.MultiplyAssign: cst.Multiply,
    cst.DivideAssign: cst.Divide,
    cst.FloorDivideAssign: cst.FloorDivide,
    cst.PowerAssign: cst.Power,
}


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    out: list[cst.CSTNode] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        if not isinstance(current, (cst.FunctionDef, cst.ClassDef)):
            stack.extend(current.children)
    return out


def _leaves(body: cst.CSTNode) -> bool:
    """A ``break``, ``continue`` or ``return`` somewhere in a loop body (not in nested functions)."""
    return any(isinstance(node, (cst.Break, cst.Continue, cst.Return)) for node in _walk(body))


def _guarded(found: tuple[Condition, ...], left: list[cst.CSTNode]) -> tuple[Condition, ...]:
    """The branch that leaves ends in ``raise``: the test guards against bad input (``if not setting: raise
    ValueError``), it picks no option, so a finding does not name it as a scenario."""
    if left and isinstance(left[-1], cst.Raise):
        return tuple(replace(c, guard=True) for c in found)
    return found


def _always_exits(body: list[cst.CSTNode]) -> bool:
    return bool(body) and isinstance(body[-1], (cst.Return, cst.Continue, cst.Break, cst.Raise))
