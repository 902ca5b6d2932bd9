"""What follows each layer: ``nn.Sequential`` order here, ``forward()`` data flow in forward.py.

Each data value carries the set of layers whose output it still is ("pending").  When a pending
value meets an activation, a norm, another layer, a residual add, a gate or the return statement,
each pending layer records that as a :class:`Follow`.  Anything else records UNKNOWN, so a layer
whose output goes somewhere we cannot see is never judged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import libcst as cst

from initlint.picture.domain import (
    INIT_METHOD_NAMES,
    ActVal,
    ClassInfo,
    IndexChoice,
    InRepeat,
    LayerVal,
    SeqVal,
    SubVal,
    TransVal,
    flatten,
    unwrap,
)
from initlint.picture.model import ACT, LINEAR, NORM, OUTPUT, RESIDUAL, UNKNOWN, UNKNOWN_FOLLOW, Follow, Stack

if TYPE_CHECKING:
    from initlint.picture.build import PictureBuilder


@dataclass(frozen=True)
class Flow:
    pending: frozenset[int] = frozenset()
    const: bool = False
    # layers whose output this value is after exactly one activation: what it meets next tells whether
    # the layer is a hidden one (its activation feeds another layer) or an output, gate or residual branch
    acted: frozenset[int] = frozenset()
    # module classes whose forward's result this value is (``self.mlp(x)`` with ``self.mlp = MLP()``)
    outputs_of: frozenset[str] = frozenset()
    # module classes whose forward's result this value is after one activation (``F.relu(self.mlp(x))``)
    acted_of: frozenset[str] = frozenset()
    # module classes whose forward's input this value is (``x`` in ``def forward(self, x)``)
    input_of: frozenset[str] = frozenset()
    # (index, count): the pending layers' output split in ``count`` parts and this is one (``a, b = x.chunk(2)``)
    part: tuple[int, int] | None = None
    # (class, instantiation id) of the instances whose result this is (picture.instances)
    made_by: frozenset[tuple[str, int]] = frozenset()

    @property
    def live(self) -> bool:
        return bool(self.pending or self.acted or self.outputs_of or self.acted_of or self.input_of)


EMPTY = Flow()
CONST = Flow(const=True)


def join_flows(*flows: Flow) -> Flow:
    pending: frozenset[int] = frozenset()
    acted: frozenset[int] = frozenset()
    outputs: frozenset[str] = frozenset()
    acted_of: frozenset[str] = frozenset()
    input_of: frozenset[str] = frozenset()
    made_by: frozenset[tuple[str, int]] = frozenset()
    parts = {flow.part for flow in flows if flow.pending}
    for flow in flows:
        pending |= flow.pending
        acted |= flow.acted
        outputs |= flow.outputs_of
        acted_of |= flow.acted_of
        input_of |= flow.input_of
        made_by |= flow.made_by
    # the same part of two split outputs (``a + ca``) is still that part; mixed with anything else, it is not
    part = parts.pop() if len(parts) == 1 else None
    return Flow(pending, acted=acted, outputs_of=outputs, acted_of=acted_of, input_of=input_of, part=part,
                made_by=made_by)


def activated(flow: Flow) -> Flow:
    """The value an activation returns: its input's pending layers (and module outputs) are now one
    activation back."""
    return Flow(acted=flow.pending, acted_of=flow.outputs_of)


class FlowAnalyzer:
    def __init__(self, builder: PictureBuilder) -> None:
        self.b = builder
        self.layers = builder.picture.layers
        self._done_seqs: set[int] = set()
        self.residual_classes: set[str] = set()  # classes whose forward's result is added to a skip
        self.ports = ClassPorts()

    def sequences(self) -> None:
        """What follows each layer inside the containers: stored ones, module-level ones, local ones."""
        for info in self.b.classes.values():
            for value in info.attrs.values():
                self._sequential_follows(value, exit_follow=None)
        for value in self.b.module_env.values():
            self._sequential_follows(value, exit_follow=Follow(OUTPUT))
        for seq in self.b.containers:  # built in a local variable, or inserted into another container
            self._sequential_follows(seq, exit_follow=None)

    def data_flow_methods(self, info: ClassInfo) -> list[tuple[str, cst.FunctionDef]]:
        """The methods whose data flow says what follows a layer: forward and its helpers, not init code."""
        out = []
        for name in self._method_names(info):
            if name == "__init__" or name in INIT_METHOD_NAMES or "init" in name.lower():
                continue
            found = self.b.method(info, name)
            if found is not None:
                out.append((name, found[0]))
        return out

    def finish(self) -> None:
        """After the forward passes: which layers end a residual branch, and what the layers that end a
        module class's forward meet in the parents that use the class's result."""
        for layer in self.layers.values():
            # the last layer of a block whose output the parent adds to a skip connection: residual-final
            if layer.owner in self.residual_classes and any(f.kind == OUTPUT for f in layer.follows):
                layer.residual_out = True
        self.ports.resolve(self.layers)

    def _method_names(self, info: ClassInfo, depth: int = 0) -> list[str]:
        """Own and inherited method names (inherited ones run on this class's own layers)."""
        names = list(info.methods)
        if depth < 10:
            for base in self.b._base_infos(info):
                names += [n for n in self._method_names(base, depth + 1) if n not in names]
        return names

    def link(self, flow: Flow, uids: tuple[int, ...] | frozenset[int]) -> None:
        """The layers of ``flow`` feed the layers ``uids`` (straight or through one activation)."""
        for uid in flow.pending | flow.acted:
            self.layers[uid].feeds.update(uids)
        for cls in flow.outputs_of | flow.acted_of:
            self.ports.feeds.setdefault(cls, set()).update(uids)
        for cls in flow.input_of:
            self.ports.input_feeds.setdefault(cls, set()).update(uids)

    def emit(self, flow: Flow, follow: Follow, returning_from: str | None = None) -> None:
        """Each layer of ``flow`` meets ``follow``; ``returning_from`` names the class whose forward returns
        the value (``follow`` is then OUTPUT, to be resolved against the class's uses by ``ClassPorts``)."""
        met = follow if flow.part is None else replace(follow, part=flow.part)
        for uid in flow.pending:
            self.layers[uid].follows.append(met)
        for uid in flow.acted:
            self.layers[uid].after_act.append(follow.kind)
        if follow.kind == RESIDUAL:
            self.residual_classes.update(flow.outputs_of)
        self.ports.record(flow, follow, returning_from)

    # ------------------------------------------------------------------ Sequential order

    def _sequential_follows(self, value: Any, exit_follow: Follow | None) -> None:
        if not isinstance(value, SeqVal) or id(value) in self._done_seqs:
            return
        self._done_seqs.add(id(value))
        for item in flatten(value.items, twice=False, inline=False):
            self._sequential_follows(unwrap(item), exit_follow=None)
        if value.kind not in ("Sequential",):
            return
        items = [unwrap(i) for i in flatten(value.items, twice=True)]
        for index, item in enumerate(items):
            if isinstance(item, SubVal) and item.cls in self.b.classes:
                self._class_in_sequence(item, items, index, exit_follow)
                continue
            if not isinstance(item, LayerVal) or self._all_norm(item):
                continue
            flow = Flow(frozenset(item.uids))
            follow, at = self._next(items, index + 1)
            if follow is not None:
                self.emit(flow, follow)
                following = items[at] if follow.kind != ACT else self._item_after(items, at + 1)
                if isinstance(following, LayerVal):
                    self.link(flow, following.uids)
            elif exit_follow is not None:
                self.emit(flow, exit_follow)
            if follow is not None and follow.kind == ACT:
                after, _ = self._next(items, at + 1)
                if after is not None:
                    self.emit(Flow(acted=flow.pending), after)
                elif exit_follow is not None:
                    self.emit(Flow(acted=flow.pending), exit_follow)
        self._record_stack(value)

    def _class_in_sequence(self, item: SubVal, items: list[Any], index: int, exit_follow: Follow | None) -> None:
        """A module class of the file inside a Sequential (a ``Linear`` wrapper before ``Swish()``): what its
        result meets there is a use of the class (ClassPorts); at the end of a Sequential we do not follow
        out, unknown."""
        follow, at = self._next(items, index + 1)
        made = frozenset({(item.cls, item.made_by)}) if item.made_by is not None else frozenset()
        flow = Flow(outputs_of=frozenset({item.cls}), made_by=made)
        if follow is None:
            self.emit(flow, exit_follow or UNKNOWN_FOLLOW)
            return
        self.emit(flow, follow)
        following = items[at] if follow.kind != ACT else self._item_after(items, at + 1)
        if isinstance(following, LayerVal):
            self.link(flow, following.uids)
        if follow.kind == ACT:
            after, _ = self._next(items, at + 1)
            self.emit(Flow(acted_of=flow.outputs_of), after or exit_follow or UNKNOWN_FOLLOW)

    def _record_stack(self, seq: SeqVal) -> None:
        """A Sequential as the layers-and-activations sequence IL501 measures the depth of."""
        steps: list[tuple[str, Any]] = []
        for item in flatten(seq.items, twice=False):
            inner = unwrap(item)
            if isinstance(item, InRepeat) and item.count is None:
                steps.append(("other", None))  # depth unknown
            elif isinstance(inner, TransVal):
                continue
            elif isinstance(inner, ActVal):
                steps.append(("act", inner.act))
            elif isinstance(inner, LayerVal) and not any(self.layers[u].is_composite for u in inner.uids):
                steps.append(("norm", inner.uids) if self._all_norm(inner) else ("layer", inner.uids))
            else:
                steps.append(("other", None))
        items = flatten(seq.items, twice=False, inline=False)
        last = unwrap(items[-1]) if items else None
        last_item = last.uids[0] if isinstance(last, LayerVal) and len(last.uids) == 1 else None
        self.b.picture.stacks.append(Stack(steps, seq.statement, seq.assigned_text, last_item))

    def _item_after(self, items: list[Any], start: int) -> Any:
        for item in items[start:]:
            if not isinstance(item, TransVal):
                return item
        return None

    def _next(self, items: list[Any], start: int) -> tuple[Follow | None, int]:
        """``next_follow`` of ``items[start:]`` and the index of the item that decided it."""
        for index in range(start, len(items)):
            if isinstance(items[index], TransVal):
                continue
            return self.next_follow(items[index:]), index
        return None, len(items)

    def _all_norm(self, value: LayerVal) -> bool:
        return all(self.layers[u].is_norm for u in value.uids)

    def next_follow(self, rest: list[Any]) -> Follow | None:
        """What the first non-transparent item of a sequence means for the layer before it."""
        for item in rest:
            if isinstance(item, TransVal):
                continue
            if isinstance(item, ActVal):
                return Follow(ACT, item.act)
            if isinstance(item, IndexChoice):
                return Follow(ACT, item.rest.act, but_one=item.odd.act, passes=item.passes, test=item.test)
            if isinstance(item, LayerVal):
                if any(self.layers[u].is_composite for u in item.uids):
                    return Follow(UNKNOWN)
                return Follow(NORM) if self._all_norm(item) else Follow(LINEAR)
            if isinstance(item, SeqVal) and item.kind == "Sequential":
                inner = self.next_follow([unwrap(i) for i in flatten(item.items)])
                if inner is not None:
                    return inner
                continue
            return Follow(UNKNOWN)
        return None

    def first_layers(self, items: list[Any]) -> tuple[int, ...]:
        """The layers a sequence's input meets first (none when that is an activation, a composite or
        anything else we cannot see through)."""
        for item in items:
            if isinstance(item, TransVal):
                continue
            if isinstance(item, LayerVal) and not any(self.layers[u].is_composite for u in item.uids):
                return item.uids
            if isinstance(item, SeqVal) and item.kind == "Sequential":
                return self.first_layers([unwrap(i) for i in flatten(item.items)])
            return ()
        return ()

    def exit_acted(self, seq: SeqVal) -> frozenset[int]:
        """Layers of a Sequential whose output leaves it after one final activation."""
        items = [unwrap(i) for i in flatten(seq.items) if not isinstance(unwrap(i), TransVal)]
        if len(items) < 2 or not isinstance(items[-1], ActVal):
            return frozenset()
        before = items[-2]
        if isinstance(before, LayerVal) and not self._all_norm(before):
            return frozenset(before.uids)
        return frozenset()

    def exit_layers(self, seq: SeqVal) -> frozenset[int]:
        """Layers of a Sequential whose output leaves it unchanged (nothing but transparent after)."""
        items = [unwrap(i) for i in flatten(seq.items)]
        for item in reversed(items):
            if isinstance(item, TransVal):
                continue
            if isinstance(item, LayerVal) and not self._all_norm(item):
                return frozenset(item.uids)
            if isinstance(item, SeqVal) and item.kind == "Sequential":
                return self.exit_layers(item)
            return frozenset()
        return frozenset()


class ClassPorts:
    """What the result of each module class's forward meets where the file's other classes use it.

    A wrapper such as ``class LinearNorm: forward returns self.linear_layer(x)`` ends its forward on a
    layer (OUTPUT); its parent's ``F.relu(linear(x))`` says what that output really meets. After every forward
    ran, each such OUTPUT is replaced by the uses of the class's result in the parents (a parent that returns it
    in turn passes its own uses on); a class no parent of the file uses keeps OUTPUT. Uses that disagree make
    the layer's follow unknown, as for any layer used twice.
    """

    def __init__(self) -> None:
        self.uses: dict[str, list[Follow]] = {}  # class -> what its result meets
        self.acted_uses: dict[str, list[str]] = {}  # class -> what its result meets after one activation
        self.returned_by: dict[str, set[str]] = {}  # class -> classes whose forward returns its result
        # (class, returning class) -> the instances of the class whose result that forward returns
        self.returned_instances: dict[tuple[str, str], set[int | None]] = {}
        self.acted_returned_by: dict[str, set[str]] = {}  # ... returns it after one activation
        self.feeds: dict[str, set[int]] = {}  # class -> layers its result reaches next
        self.exits: list[tuple[str, int, bool]] = []  # (class, layer, after an activation) a forward returns
        self.input_uses: dict[str, list[Follow]] = {}  # class -> what its forward's input meets first
        self.input_feeds: dict[str, set[int]] = {}  # class -> layers its forward's input reaches
        self.feeders: list[tuple[str, int, bool]] = []  # (class, layer, after an activation) fed into it

    def record(self, flow: Flow, follow: Follow, returning_from: str | None) -> None:
        for cls in flow.input_of:
            # ``return x`` hands the input on as the result: unknown here (its parent's use is not followed)
            self.input_uses.setdefault(cls, []).append(UNKNOWN_FOLLOW if follow.kind == OUTPUT else follow)
        returned = follow.kind == OUTPUT and returning_from is not None
        if returned:
            assert returning_from is not None
            self.exits += [(returning_from, uid, False) for uid in flow.pending]
            self.exits += [(returning_from, uid, True) for uid in flow.acted]
        for cls in flow.outputs_of:
            # the instances whose result this is (a sum of two meets the same use for each); None: not known
            calls: list[int | None] = [call for owner, call in sorted(flow.made_by) if owner == cls]
            made = calls or [None]
            if returned:
                assert returning_from is not None
                self.returned_by.setdefault(cls, set()).add(returning_from)
                self.returned_instances.setdefault((cls, returning_from), set()).update(made)
            else:
                self.uses.setdefault(cls, []).extend(replace(follow, instance=instance) for instance in made)
        for cls in flow.acted_of:
            if returned:
                self.acted_returned_by.setdefault(cls, set()).add(returning_from)  # type: ignore[arg-type]
            else:
                self.acted_uses.setdefault(cls, []).append(follow.kind)

    def follows_of(self, cls: str, seen: frozenset[str] = frozenset()) -> tuple[list[Follow], set[int]] | None:
        """What the class's result meets in the file and the layers it feeds; None if no parent uses it."""
        if cls in seen:
            return [UNKNOWN_FOLLOW], set()
        follows = list(self.uses.get(cls, ()))
        feeds = set(self.feeds.get(cls, ()))
        for outer in sorted(self.returned_by.get(cls, ())):
            found = self.follows_of(outer, seen | {cls})
            if found is None:
                follows.append(Follow(OUTPUT))
            else:
                # the uses of the outer class's result are this class's instance's (when one is returned)
                for instance in sorted(self.returned_instances.get((cls, outer), {None}), key=lambda i: i or 0):
                    follows += [replace(f, instance=instance) for f in found[0]]
                feeds |= found[1]
        return (follows, feeds) if follows else None

    def after_act_of(self, cls: str, seen: frozenset[str] = frozenset()) -> list[str]:
        """What the class's result meets after the activation a parent applies to it (or a parent's parent,
        when the parent returns it as it is)."""
        if cls in seen:
            return [UNKNOWN]
        kinds = list(self.acted_uses.get(cls, ()))
        for outer in sorted(self.acted_returned_by.get(cls, ())):
            found = self.follows_of(outer, seen | {cls})
            kinds += [f.kind for f in found[0]] if found is not None else [OUTPUT]
        for outer in sorted(self.returned_by.get(cls, ())):
            kinds += self.after_act_of(outer, seen | {cls})
        return kinds

    def fed_into(self, flow: Flow, cls: str) -> None:
        """``self.block(h)``: the layers of ``h`` (which meet UNKNOWN for now) meet what the class's forward
        does with its input, once every forward ran."""
        self.feeders += [(cls, uid, False) for uid in flow.pending]
        self.feeders += [(cls, uid, True) for uid in flow.acted]

    def resolve(self, layers: dict[int, Any]) -> None:
        for cls, uid, acted in self.feeders:
            uses = self.input_uses.get(cls)
            if not uses:
                continue
            layer = layers[uid]
            if acted and UNKNOWN in layer.after_act:
                layer.after_act.remove(UNKNOWN)
                layer.after_act += [f.kind for f in uses]
                layer.feeds |= self.input_feeds.get(cls, set())
            elif not acted and UNKNOWN_FOLLOW in layer.follows:
                layer.follows.remove(UNKNOWN_FOLLOW)
                layer.follows += uses
                layer.feeds |= self.input_feeds.get(cls, set())
        for cls, uid, acted in self.exits:
            found = self.follows_of(cls)
            if found is None:
                continue
            follows, feeds = found
            layer = layers[uid]
            if acted:
                if OUTPUT in layer.after_act:
                    layer.after_act.remove(OUTPUT)
                    layer.after_act += [f.kind for f in follows]
                    layer.feeds |= feeds
                continue
            if Follow(OUTPUT) not in layer.follows:
                continue
            layer.follows.remove(Follow(OUTPUT))
            layer.follows += follows
            layer.feeds |= feeds
            layer.after_act += self.after_act_of(cls)
