"""The abstract values of the construction interpreter: one closed family, and how two of them join.

Layers (by uid), activations, transparent and opaque modules, containers, the file's own classes and
functions, and the loop/dispatch variables that ``if`` tests narrow. Plain numbers, strings and tuples stand
for themselves; ``UNKNOWN`` is everything else. Nothing here knows torch or the syntax tree's meaning: this
module imports nothing else of the picture but the budget constants (torchspec's ``Activation`` only for type
checking).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeGuard

import libcst as cst

from initlint.picture.budget import MAX_EXPANSION, MAX_ITEMS, MAX_NESTING

if TYPE_CHECKING:
    from initlint.picture.torchspec import Activation


class _Unknown:
    """The value of anything that cannot be known statically."""

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()


def is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_plain(value: Any) -> bool:
    """A number, string or tuple of them: what a loop or branch can change without our knowing."""
    return is_number(value) or isinstance(value, (str, tuple))


@dataclass(frozen=True)
class ParamRef:
    layer: int  # Layer.uid
    param: str  # "weight", "bias", "weight_hh_l0", "" for a bare Parameter


@dataclass(frozen=True)
class LayerVal:
    uids: tuple[int, ...]


@dataclass(frozen=True)
class ActVal:
    act: Activation  # torchspec.Activation


@dataclass(frozen=True)
class TransVal:
    """Dropout, identity, pooling, flatten: passes its input through unchanged in kind."""


@dataclass(frozen=True)
class OpaqueVal:
    """A module we cannot see into (a factory, a config activation, another file's class)."""


@dataclass
class Repeat:
    items: list[Any]
    count: int | None


@dataclass
class SeqVal:
    kind: str  # "Sequential", "ModuleList", "ModuleDict", "list"
    items: list[Any] = field(default_factory=list)
    name: str | None = None
    keys: dict[str, Any] = field(default_factory=dict)  # OrderedDict / ModuleDict names -> item
    statement: Any = field(default=None, repr=False, compare=False)  # where it is stored, for fixes
    assigned_text: str | None = None  # what it is stored as: ``self.net``
    unsure_from: int | None = None  # items from this index on were added under an ``if``: may not exist


@dataclass(frozen=True)
class ClassRef:
    qualified: str  # "torch.nn.ReLU" or "<local>.Block"


@dataclass(frozen=True)
class SubVal:
    cls: str
    # the ``Net(...)`` call that built this instance (its id), when one did: what tells the uses of one
    # instance apart from another's (picture.instances); not part of what the value is
    made_by: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class FuncRef:
    node: cst.FunctionDef
    owner: str | None  # class name for methods
    bound_self: bool = False
    # a nested function's view of the enclosing call: its plain values (``init_gain=0.02``) and which of
    # them are option defaults (name -> where the default comes from), as ``Frame.defaults``
    closure: Closure | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class Closure:
    values: dict[str, Any]
    defaults: dict[str, str]
    pinned: frozenset[str] = frozenset()  # of those values, the ones the enclosing call fixed (Frame.pinned)


class _Narrowable:
    """A loop or dispatch variable that ``if`` tests narrow (shared by the two kinds below)."""

    include: tuple[Any, ...]
    exclude: tuple[Any, ...]
    uncertain: bool

    def narrowed(self, include: Any = None, exclude: Any = None) -> Any:
        return replace(self, include=self.include + ((include,) if include else ()),  # type: ignore[type-var]
                       exclude=self.exclude + ((exclude,) if exclude else ()))

    def made_uncertain(self) -> Any:
        """After a test we cannot read: the variable may or may not be what the branch assumes."""
        return replace(self, uncertain=True)  # type: ignore[type-var]


@dataclass(frozen=True)
class DispatchVal(_Narrowable):
    """``m`` in an ``apply`` function or a ``modules()`` loop: any module of a scope, narrowed."""

    scope: tuple[tuple[int, str], ...]  # (layer uid, dotted path from the scope's root)
    include: tuple[Any, ...] = ()
    exclude: tuple[Any, ...] = ()
    uncertain: bool = False
    root_text: str | None = None  # how the code that uses ``m`` can name the scope's root (``self``)
    containers: tuple[tuple[str, str], ...] = ()  # (dotted path, "Sequential"/"ModuleList"/...) in the scope


@dataclass(frozen=True)
class ParamSetVal(_Narrowable):
    """``p`` in ``for name, p in self.named_parameters()``: every parameter of a scope, narrowed."""

    entries: tuple[tuple[ParamRef, str, int | None], ...]  # (ref, qualified name, rank)
    include: tuple[Any, ...] = ()
    exclude: tuple[Any, ...] = ()
    uncertain: bool = False


@dataclass(frozen=True)
class ParamNamesVal:
    """``lstm._all_weights`` (per layer and direction: ``nested``) or ``lstm._flat_weights_names``: the names
    of a recurrent module's parameters. A loop over them binds a name that ``getattr(lstm, name)`` turns back
    into the parameter, narrowed by the tests on the name."""

    params: ParamSetVal  # qualified names are the bare parameter names (``weight_hh_l0``)
    nested: bool = False


@dataclass(frozen=True)
class NameOf:
    """The name variable paired with a dispatch or parameter loop variable."""

    var: str


@dataclass(frozen=True)
class ClassNameOf:
    """``m.__class__.__name__``."""

    var: str


class InRepeat:
    __slots__ = ("count", "value")

    def __init__(self, value: Any, count: int | None) -> None:
        self.value = value
        self.count = count


def flatten(items: list[Any], twice: bool = True, inline: bool = True, _depth: int = 0) -> list[Any]:
    """Container items in order, nested Sequentials inlined.

    With ``twice`` a loop-built block appears twice, so that its last item is seen followed by its first
    (what matters for "what follows"); without it a block of known count appears that many times, so that
    indices after it are torch's, and a block of unknown count once. Past the budget (MAX_ITEMS items,
    MAX_NESTING levels) the rest is one opaque item of unknown count."""
    if _depth > MAX_NESTING:
        return [InRepeat(OpaqueVal(), None)]
    out: list[Any] = []
    for item in items:
        if isinstance(item, Repeat):
            inner = flatten(item.items, twice, inline, _depth + 1)
            count = item.count
            if twice:
                times = 1 if count == 1 else 2
            else:
                known = count is not None and 0 <= count <= MAX_EXPANSION
                times = count if known and count is not None else 1
            if len(out) + times * len(inner) > MAX_ITEMS:
                # too many to spell out: once, as a block of unknown count (inner counts included)
                inner = [InRepeat(x.value if isinstance(x, InRepeat) else x, None) for x in inner]
                times = 1
            if len(out) + len(inner) > MAX_ITEMS:
                out.append(InRepeat(OpaqueVal(), None))
                return out
            for _ in range(times):
                out += [x if isinstance(x, InRepeat) else InRepeat(x, count) for x in inner]
        elif inline and isinstance(item, SeqVal) and item.kind == "Sequential":
            out += flatten(item.items, twice, inline, _depth + 1)
        else:
            out.append(item)
        if len(out) > MAX_ITEMS:
            out.append(InRepeat(OpaqueVal(), None))
            return out
    return out


def seq_labels(seq: SeqVal) -> list[tuple[str, Any]]:
    """torch's child names for a container's items: its keys, else indices (``*`` inside a loop-built
    block, whose items torch names once per copy); each distinct item once."""
    by_identity = {id(v): k for k, v in seq.keys.items()}
    out: list[tuple[str, Any]] = []
    seen: set[int] = set()
    for index, item in enumerate(flatten(seq.items, twice=False, inline=False)):
        inner = unwrap(item)
        if id(inner) in seen and isinstance(item, InRepeat):
            continue
        seen.add(id(inner))
        if id(inner) in by_identity:
            label = by_identity[id(inner)]
        elif isinstance(item, InRepeat):
            label = "*"
        elif seq.unsure_from is not None and index >= seq.unsure_from:
            label = "?"  # added under an ``if``: its index is not known to exist (or to stay put)
        else:
            label = str(index)
        out.append((label, inner))
    return out


def unwrap(item: Any) -> Any:
    return item.value if isinstance(item, InRepeat) else item


def union(values: list[Any]) -> Any:
    """Join of several possible values: layers merge; identical values stay; anything else is unknown."""
    values = [v for v in values if v is not None]
    if not values:
        return UNKNOWN
    if all(isinstance(v, LayerVal) for v in values):
        uids: list[int] = []
        for v in values:
            uids += [u for u in v.uids if u not in uids]
        return LayerVal(tuple(uids))
    first = values[0]
    if all(v == first for v in values):
        return first
    if all(isinstance(v, (LayerVal, ActVal, TransVal, OpaqueVal, SubVal, SeqVal)) for v in values):
        return MixedModules(tuple(values))
    return UNKNOWN


@dataclass(frozen=True)
class ChoiceVal:
    """An activation the options choose: ``if act == 'relu': self.act = nn.ReLU() else: self.act = nn.Tanh()``.
    Each variant is the activation and the ``if`` tests (model.Condition) it is assigned under."""

    variants: tuple[tuple[tuple[Any, ...], ActVal], ...]


@dataclass(frozen=True)
class IndexChoice:
    """A list item one loop pass appends by its index (picture.index_choice): ``odd`` in at most one pass (the
    one where ``test`` holds, not known which), ``rest`` in every other; ``passes`` is the loop's count when
    known."""

    rest: ActVal
    odd: ActVal
    passes: int | None
    test: str  # ``i == sigmoid_layer``


@dataclass(frozen=True)
class MixedModules:
    """A variable that holds one of several different modules (a heterogeneous ModuleList)."""

    values: tuple[Any, ...]


@dataclass
class ClassInfo:
    name: str
    node: cst.ClassDef
    bases: list[str]
    methods: dict[str, cst.FunctionDef]
    attrs: dict[str, Any] = field(default_factory=dict)
    consts: dict[str, Any] = field(default_factory=dict)
    # the ``if`` tests (model.Condition) each attribute was last assigned under, in the running construction
    attr_paths: dict[str, tuple[Any, ...]] = field(default_factory=dict)


INIT_METHOD_NAMES = ("reset_parameters", "_reset_parameters", "init_weights", "_init_weights", "initialize",
                     "_initialize_weights", "weights_init", "init_params", "_init_params")


@dataclass
class Targets:
    """The parameters an init call's tensor expression names, and how it names them."""

    refs: list[ParamRef]
    shared: bool  # one call for several parameters (several layers, a loop, a dispatch)
    sliced: bool  # ``w.data[a:b]``: part of a parameter
    slice: cst.SubscriptElement | None = None  # the outermost slice, for a fix to rewrite
    dispatch: DispatchVal | None = None  # ``m`` in ``m.weight`` when ``m`` is a dispatch variable
    param_names: dict[ParamRef, str] = field(default_factory=dict)  # names in a ``named_parameters()`` loop
