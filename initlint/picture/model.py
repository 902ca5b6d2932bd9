"""The static picture of one file: layers, what follows each, and the init sites that touch them.

This module only holds data; ``build.py`` fills it from the syntax tree and ``checks/`` reads it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from initlint.lines import split_lines
from initlint.picture import torchspec
from initlint.picture.domain import ParamRef, SubVal
from initlint.picture.instances import InstanceCall
from initlint.picture.torchspec import Activation

__all__ = ["ACT", "GATED", "LINEAR", "NORM", "OUTPUT", "RESIDUAL", "UNKNOWN", "UNKNOWN_FOLLOW", "Binding", "Condition", "Follow",
           "InitSite",
           "InstanceCall", "Layer", "Locator", "ParamRef", "Picture", "Reach", "SiteExplanation", "SiteScope", "Span", "Stack"]  # ParamRef lives in domain


@dataclass(frozen=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int
    file: str | None = None  # the file it is in, when that is another file than the one being checked


class Locator:
    """Source positions, computed only when a finding needs one.

    libcst's position metadata costs about twice the parse; most files have nothing to report, so it is
    resolved on the first request and shared by every layer and init site of the file.
    """

    def __init__(self, resolve: Callable[[], Mapping[Any, Any]]) -> None:
        self._resolve = resolve
        self._positions: Mapping[Any, Any] | None = None

    def span(self, node: object) -> Span:
        if self._positions is None:
            self._positions = self._resolve()
        rng = self._positions[node]
        return Span(rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1)

    spans_files = False  # a picture over several files (linking.ProjectLocator): messages name the model too

    def place(self, node: object) -> str:
        """How a message names where a node is: ``line 41`` (``models.py:41`` across files, linking.py)."""
        return f"line {self.span(node).line}"


# What a layer's output meets first (``Follow.kind``):
ACT = "activation"  # an activation function; ``Follow.activation`` says which
NORM = "normalized"  # a normalization layer (scale of the init no longer reaches the activation)
RESIDUAL = "residual"  # added to a skip connection: last layer of a residual branch
LINEAR = "linear"  # straight into another layer, no nonlinearity
OUTPUT = "output"  # returned from forward (or the end of a module-level Sequential)
GATED = "gated"  # multiplied by another value (a gate or modulation)
UNKNOWN = "unknown"  # anything we cannot see: config activations, factories, other modules

# How a bare 2-D Parameter is applied (``Layer.functional``): ``W @ h`` (stored (out, in), torch's reading)
# or ``h @ W`` (stored (in, out): torch's _calculate_fan_in_and_fan_out reads it transposed).
MATMUL = "matmul"
RMATMUL = "rmatmul"


@dataclass(frozen=True)
class Follow:
    kind: str
    activation: Activation | None = None
    # the ``if`` tests this use runs under, when an option chooses the activation (ChoiceVal): not part of
    # what the follow is, so ``Layer.follow()`` still sees two activations as a disagreement
    when: tuple[Condition, ...] = field(default=(), compare=False)
    # (index, count) when this use meets one part of the layer's output split in ``count``
    # (``a, b = x.chunk(2, 1)``): the parts together decide what the layer feeds (``combined``)
    part: tuple[int, int] | None = None
    # a loop that picks the activation by its index (picture.index_choice): ``activation`` follows in every
    # pass but possibly one, where ``but_one`` does (``test`` holds there); ``passes``: the loop's count
    but_one: Activation | None = None
    passes: int | None = None
    test: str = field(default="", compare=False)
    # the instantiation (picture.instances key) whose result this use meets, for the output layer of a wrapper
    # class whose instances meet different activations in their parents: not part of what the follow is
    instance: int | None = field(default=None, compare=False)

    def settled(self) -> Follow:
        """What can be said for every value the loop's other side takes: with 2 passes or more, some pass meets
        ``activation``; with one pass, or an unknown count (could be one), nothing."""
        return self if self.but_one is None or (self.passes or 0) >= 2 else UNKNOWN_FOLLOW


UNKNOWN_FOLLOW = Follow(UNKNOWN)


def combined(follows: list[Follow]) -> Follow:
    """The single thing these uses of a layer's output meet, or UNKNOWN when they disagree. Uses of the parts
    of a split output agree when every part meets one known activation: the same one in every part is that
    activation, tanh in some and sigmoid in others a gated unit (saturating everywhere); a part never used, met
    by anything else, or a use of the whole output beside the parts, is a disagreement."""
    if not follows:
        return UNKNOWN_FOLLOW
    parted = [f for f in follows if f.part is not None]
    if not parted:
        return follows[0] if len(set(follows)) == 1 else UNKNOWN_FOLLOW
    counts = {f.part[1] for f in parted if f.part is not None}
    if len(parted) != len(follows) or len(counts) != 1 or any(f.but_one is not None for f in parted):
        return UNKNOWN_FOLLOW
    by_part: dict[int, set[Follow]] = {}
    for f in parted:
        assert f.part is not None
        by_part.setdefault(f.part[0], set()).add(Follow(f.kind, f.activation))
    if sorted(by_part) != list(range(counts.pop())) or any(len(met) != 1 for met in by_part.values()):
        return UNKNOWN_FOLLOW
    met = [next(iter(one)) for one in by_part.values()]
    if any(f.kind != ACT or f.activation is None for f in met):
        return UNKNOWN_FOLLOW
    names = {f.activation.name for f in met if f.activation is not None}
    if len(set(met)) == 1:
        return Follow(ACT, met[0].activation, when=parted[0].when)
    if names <= torchspec.GATE_PARTS:
        return Follow(ACT, Activation(torchspec.GATED_UNIT), when=parted[0].when)
    return UNKNOWN_FOLLOW


@dataclass
class Binding:
    """Constructor arguments a class gets from where the file builds it (``bindings.py``): the parameters
    without defaults that every instantiation fills with the same known value."""

    cls: str
    values: dict[str, object]  # parameter name -> value
    calls: tuple[object, ...] = field(repr=False, compare=False)  # the ``Net(...)`` call nodes
    text: str = ""  # ``SimpleNet(100, 100, 10, ...)``
    assumed: tuple[str, ...] = ()  # command-line defaults the calls' arguments read
    # parameter name -> the module every instantiation passes (``Seq2Seq(enc, dec)``: the file's own class
    # instances, activations, pass-through modules): no sizes, so never in ``text`` or a layer's ``sized_by``
    modules: dict[str, object] = field(default_factory=dict)

    def passed_classes(self) -> tuple[str, ...]:
        """The file's own classes whose instances are passed in (built before this class's ``__init__``)."""
        return tuple(value.cls for value in self.modules.values() if isinstance(value, SubVal))

    def describe(self, locator: Locator | None) -> str:
        """```SimpleNet(100, 100, 10, ...)` at line 46 and 4 more calls that agree``."""
        where = ""
        if locator is not None and self.calls:
            where = f" at line {min(locator.span(node).line for node in self.calls)}"
        more = len(self.calls) - 1
        agree = (f" and {more} more calls that agree" if more > 1 else " and 1 more call that agrees" if more
                 else ", the file's only call")
        return f"`{self.text}`{where}{agree}"


@dataclass
class Layer:
    """One constructed layer (or bare ``nn.Parameter``) and what we know of it."""

    uid: int
    kind: str  # "Linear", "Conv2d", "LSTM", "Parameter", "LayerNorm", ...
    owner: str  # class (or function) that builds it
    path: str  # attribute path inside its owner: "fc1", "net.0", "blocks.*"
    line: int = 0  # 0 until located (see ``where``)
    args: dict[str, object] = field(default_factory=dict)
    # parameter name -> declared shape; a dimension is None when unknown, the whole shape None if the
    # rank is unknown.
    params: dict[str, tuple[int | None, ...] | None] = field(default_factory=dict)
    follows: list[Follow] = field(default_factory=list)
    # what the output meets after the activation that follows it (Follow kinds), when one does
    after_act: list[str] = field(default_factory=list)
    feeds: set[int] = field(default_factory=set)  # layers this one's output reaches next (uids)
    residual_out: bool = False  # its block's output (this layer's) is added to a skip by the parent
    sized_by: Binding | None = None  # its sizes come from where its class is built (``Net(100, 10)``)
    assumed: tuple[str, ...] = ()  # command-line defaults its sizes read: "`--ndf` at its default 64"
    repeat: int | None = None  # how many copies a loop builds, when known
    when: tuple[Condition, ...] = ()  # the ``if`` tests it is built under (``getattr(nn, rnn_type)``'s option)
    functional: str | None = None  # for a Parameter used through F.linear / F.conv*
    # parameters a ``weight_norm`` wrap turned into a computed value: an init on them afterwards sets nothing
    reparametrized: set[str] = field(default_factory=set)
    statement: object = field(default=None, repr=False, compare=False)  # the statement that builds it
    assigned_text: str | None = None  # ``self.lstm`` in ``self.lstm = nn.LSTM(...)``
    node: object = field(default=None, repr=False, compare=False)
    locator: Locator | None = field(default=None, repr=False, compare=False)

    def where(self) -> int:
        """The line that builds the layer."""
        if not self.line and self.locator is not None and self.node is not None:
            self.line = self.locator.span(self.node).line
        return self.line

    def place(self) -> str:
        """Where a message says the layer is built: ``line 41``, or ``models.py:41`` when the picture spans
        several files (a model imported from another file)."""
        if self.locator is not None and self.node is not None:
            return self.locator.place(self.node)
        return f"line {self.where()}"

    @property
    def is_norm(self) -> bool:
        return self.kind in torchspec.NORMS

    @property
    def is_composite(self) -> bool:
        """``nn.Transformer`` and its pieces: what their input meets is their parts' business (unknown here)."""
        return self.kind in torchspec.COMPOSITE_SIGNATURES

    @property
    def display(self) -> str:
        return f"{self.path} ({self.signature})"

    @property
    def signature(self) -> str:
        shown = [_show(self.args.get(name)) for name in _shown_args(self.kind) if name in self.args]
        if self.kind == "Parameter":
            shape = self.params.get("")
            inner = ", ".join(_show(d) for d in shape) if shape else "?"
            return f"Parameter({inner})"
        return f"{self.kind}({', '.join(shown)})"

    def follow(self) -> Follow:
        """The single thing all uses of this layer's output meet, or UNKNOWN when they disagree."""
        return combined(self.follows).settled()

    def follow_under(self, path: tuple[Condition, ...]) -> Follow:
        """What the output meets in the runs of an init under ``path``: the follows an option's other arms
        record are left out (``if act == 'relu': self.act = nn.ReLU(); kaiming...`` pairs kaiming with ReLU
        only); UNKNOWN when what is left still disagrees."""
        if not path or not any(f.when for f in self.follows):
            return self.follow()
        kept = [f for f in self.follows if not any(mine.contradicts(theirs) for mine in path for theirs in f.when)]
        return combined(kept).settled()

    def fans(self, param: str = "weight") -> tuple[int, int] | None:
        """torch's ``_calculate_fan_in_and_fan_out`` for a parameter, when its shape is known."""
        shape = self.params.get(param)
        if not shape or len(shape) < 2 or any(d is None or d <= 0 for d in shape):
            return None  # unknown, or a shape torch would refuse to build
        dims = [int(d) for d in shape if d is not None]
        receptive = math.prod(dims[2:]) if len(dims) > 2 else 1
        return dims[1] * receptive, dims[0] * receptive

    def signal_fans(self, param: str = "weight") -> tuple[int, int] | None:
        """The fans of the map the weight computes: torch's (``fans``), except for a bare weight applied as
        ``h @ W``, stored (in, out), whose fan_in is its size(0) where torch's fan_in reads size(1)."""
        fans = self.fans(param)
        if fans is not None and self.kind == "Parameter" and self.functional == RMATMUL:
            return fans[1], fans[0]
        return fans


def _shown_args(kind: str) -> tuple[str, ...]:
    sig = torchspec.LAYER_SIGNATURES.get(kind, ())
    if kind in torchspec.CONV or kind in torchspec.CONV_TRANSPOSE:
        return sig[:3]
    if kind in ("Linear", "Embedding", "EmbeddingBag", "RNNCell", "LSTMCell", "GRUCell"):
        return sig[:2]
    if kind == "Bilinear":
        return sig[:3]
    if kind in torchspec.RECURRENT:
        return sig[:2]
    if kind == "MultiheadAttention":
        return sig[:2]
    return sig[:1]


def _show(value: object) -> str:
    if value is None:
        return "?"
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, float):
        return torchspec.fmt(value)
    return str(value)


@dataclass(frozen=True)
class Condition:
    """One ``if`` test an init site runs under, and in which branch: ``if use_xavier:`` taken, or not.

    ``subject`` and ``value`` name the option when the test reads one: ``init == "xavier"`` has subject
    ``init`` and value ``"xavier"``; a bare ``if use_xavier:`` has value True. Two conditions of the same test
    (``key``) with different ``taken`` are exclusive: no run reaches both sites.
    """

    test: str
    taken: bool
    subject: str | None = None
    value: object = None
    key: int = 0  # which test: one per ``if`` statement of the file
    flipped: bool = False  # the test is ``subject != value`` (or ``not subject``): taken means it differs
    default: object = None  # the subject's value when nothing else is said, when the code says so
    default_from: str | None = None  # where that default is written ("the default", "`--init`'s default")
    guard: bool = False  # the other branch raises: a check of the input, not an option (not named)

    @property
    def option(self) -> tuple[str, object, bool] | None:
        """(subject, value, equal) of this branch: ``("init", "xavier", True)`` in the arm of
        ``if init == "xavier":``, ``("init", "xavier", False)`` in its ``else``; None if no option is read."""
        if self.subject is None:
            return None
        return self.subject, self.value, self.taken != self.flipped

    def excludes(self, other: Condition) -> bool:
        return self.key == other.key and self.taken != other.taken

    def contradicts(self, other: Condition) -> bool:
        """No run passes both: the two branches of one test, or two tests of one option that cannot both hold
        (``act == 'relu'`` taken and, in another ``if``, ``act == 'relu'`` not taken or ``act == 'tanh'`` taken)."""
        if self.excludes(other):
            return True
        mine, theirs = self.option, other.option
        if mine is None or theirs is None or mine[0] != theirs[0] or isinstance(mine[1], tuple) \
                or isinstance(theirs[1], tuple):
            return False
        if isinstance(mine[1], bool) or isinstance(theirs[1], bool):  # flags: ``if use_relu:`` / ``not``
            return isinstance(mine[1], bool) and isinstance(theirs[1], bool) and \
                (mine[1] == mine[2]) != (theirs[1] == theirs[2])
        if mine[2] and theirs[2]:
            return mine[1] != theirs[1]
        if mine[2] != theirs[2]:
            return mine[1] == theirs[1]
        return False


@dataclass
class Stack:
    """A Sequential, or a layer list a forward loop runs in order, as the steps IL501 measures."""

    steps: list[tuple[str, Any]]
    statement: object = field(default=None, repr=False, compare=False)  # ``self.net = nn.Sequential(...)``
    assigned_text: str | None = None  # ``self.net``
    last_item: int | None = None  # the uid of the container's last item, when that is one layer


@dataclass
class SiteScope:
    """A call inside a dispatch (``for m in self.modules()`` / ``apply``): ``m`` and the modules it ranges
    over, so a fix can single some of them out (``if m in (self.fc1, self.head): ...``). A call that
    several ``apply`` calls run (``netG.apply(f)``, ``netD.apply(f)``) knows each layer's own way in."""

    var: str  # the dispatch variable
    roots: dict[int, str | None]  # layer uid -> how that code names the dispatch root (``self``), if it can
    paths: dict[int, str]  # layer uid -> dotted path from the root ("fc1", "net.0"; "*" when loop-built)
    # layer uid -> the ``model.apply(fn)`` statement that runs the call and how it names the model there
    anchors: dict[int, tuple[object, str]] = field(default_factory=dict, compare=False)
    params: bool = False  # the variable is a parameter (``p``), not a module (``m``)
    # the call ran more than once (a helper called for several modules, apply in several models): its
    # variables name different objects in each run, so only type tests may single modules out
    several_runs: bool = False
    # dotted path -> container kind ("Sequential", "ModuleList", ...) for the containers in the scope
    containers: dict[str, str] = field(default_factory=dict, compare=False)

    def merge(self, other: SiteScope) -> None:
        self.several_runs = True
        for uid, path in other.paths.items():
            self.paths.setdefault(uid, path)
            self.roots.setdefault(uid, other.roots.get(uid))
            if uid in other.anchors:
                self.anchors.setdefault(uid, other.anchors[uid])


@dataclass
class InitSite:
    """One init call and everything it touches."""

    func: str  # canonical torch.nn.init name: "xavier_uniform_", "normal_", "zeros_", ...
    span: Span | None
    args: dict[str, object]  # evaluated keyword view of the call (gain, a, mode, nonlinearity, std, ...)
    targets: list[ParamRef]
    target_text: str
    order: tuple[int, ...]  # program order, to find the init that wins for a parameter
    via: str = "nn.init"  # "nn.init" or "tensor" (``w.data.normal_``)
    alias: str | None = None  # the deprecated alias spelled at the call, if any
    gain_named: str | None = None  # activation named in gain=calculate_gain("...")
    shared: bool = False  # reached through dispatch or a loop (one call, several layers)
    in_slice: bool = False  # the target is a slice of a parameter
    func_prefix: str | None = None  # ``nn.init`` in ``nn.init.xavier_uniform(...)``: how the file names the module
    # Program order per construction root: the class whose building ran the call (None: module-level code
    # or a routine run for every model of the file).
    root_orders: dict[str | None, int] = field(default_factory=dict)
    # the ``if`` tests the call runs under: a later init in an exclusive branch never hides this one
    path: tuple[Condition, ...] = ()
    node: object = field(default=None, repr=False, compare=False)
    locator: Locator | None = field(default=None, repr=False, compare=False)
    # the arguments' syntax, for values that depend on the layer reached (symbolic.Deferred)
    deferred: Any = field(default=None, repr=False, compare=False)
    statement: object = field(default=None, repr=False, compare=False)  # the simple statement of the call
    name_var: str | None = None  # ``name`` in ``for name, p in ....named_parameters()`` when the target is p
    scope: SiteScope | None = None
    param_names: dict[ParamRef, str] = field(default_factory=dict)  # names in a named_parameters() loop
    # one part of a helper's call whose callers pass different arguments (``orthogonal_init(fc1)``,
    # ``orthogonal_init(head, gain=0.01)``): the arguments these targets' callers give (``gain=1.0``)
    callers: str | None = None

    def span_of(self, node: object) -> Span:
        assert self.locator is not None
        return self.locator.span(node)

    @property
    def location(self) -> Span:
        if self.span is None and self.locator is not None:
            self.span = self.locator.span(self.node)
        assert self.span is not None
        return self.span

    @property
    def family(self) -> str:
        if self.func in torchspec.XAVIER:
            return "xavier"
        if self.func in torchspec.KAIMING:
            return "kaiming"
        return self.func.rstrip("_")

    @property
    def distribution(self) -> str:
        return "uniform" if self.func.endswith("uniform_") else "normal"


@dataclass
class Picture:
    """Everything the checks need to know about one file."""

    layers: dict[int, Layer] = field(default_factory=dict)
    inits: list[InitSite] = field(default_factory=list)
    # calls of deprecated aliases, whatever their targets
    deprecated: list[InitSite] = field(default_factory=list)
    # Sequentials and loop-run layer lists, in order: ("layer", uids), ("act", Activation), ("norm", None)
    # or ("other", None) for anything else (a block, a factory, a loop of unknown count)
    stacks: list[Stack] = field(default_factory=list)
    # model classes (None: the file) that call init code we cannot see: an imported init function, an
    # ``apply`` of an unknown function, ``post_init``; their layers' defaults are not known to stay
    opaque_init: set[str | None] = field(default_factory=set)
    init_prefix: str | None = None  # how the file spells torch.nn.init (for fixes), None if it cannot
    # parameters an init call may reach though we could not tell (a test we cannot read): not "default"
    maybe_touched: set[ParamRef] = field(default_factory=set)
    nn_prefix: str | None = None  # how the file spells torch.nn
    nn_name_free: bool = False  # ``nn`` is unbound, so a fix may add ``import torch.nn as nn``
    import_anchor: object = field(default=None, repr=False, compare=False)  # last top-level import line
    source: str = field(default="", repr=False, compare=False)
    locator: Locator | None = field(default=None, repr=False, compare=False)
    module: object = field(default=None, repr=False, compare=False)  # the libcst module it was built from
    facts: object = field(default=None, repr=False, compare=False)  # ``facts.of``: computed on first use
    linked: object = field(default=None, repr=False, compare=False)  # ``linking.Linked``: taken from other files
    # class name -> the constructor arguments every instantiation in the file agrees on (bindings.py)
    bindings: dict[str, Binding] = field(default_factory=dict)
    # id of a ``Net(...)`` call -> the instance it builds (SubVal.made_by, Follow.instance)
    instances: dict[int, InstanceCall] = field(default_factory=dict)
    _lines: list[str] | None = field(default=None, repr=False, compare=False)

    def source_lines(self) -> list[str]:
        """The source split once, line endings kept (for fixes that work by lines)."""
        if self._lines is None:
            self._lines = split_lines(self.source)  # the parser's lines (never str.splitlines)
        return self._lines

    def hidden(self, uid: int) -> bool:
        """A layer whose output reaches another layer: straight, or through one activation."""
        layer = self.layers[uid]
        follow = layer.follow()
        if follow.kind == LINEAR:
            return True
        if follow.kind != ACT or not layer.after_act:
            return False
        return all(kind in (LINEAR, NORM) for kind in layer.after_act)

    def in_residual_branch(self, uid: int, hops: int = 3) -> bool:
        """The layer starts a short branch whose last layer is added to a skip connection (an MLP or conv
        block of a residual network): the branch as a whole is meant to start small."""
        if RESIDUAL in self.layers[uid].after_act:
            return True  # its activation's output is what the branch adds to the skip: the branch's last layer
        frontier, seen = {uid}, {uid}
        for _ in range(hops):
            nxt: set[int] = set()
            for current in frontier:
                for other in self.layers[current].feeds:
                    if other in seen:
                        continue
                    seen.add(other)
                    if self.layers[other].residual_out or any(f.kind == RESIDUAL for f in self.layers[other].follows):
                        return True
                    nxt.add(other)
            frontier = nxt
        return False

    def stack_depth(self, uids: set[int]) -> int:
        """How many of these layers run one after another in one recorded stack (0: none is in a stack)."""
        best = 0
        for stack in self.stacks:
            steps = stack.steps
            count = sum(1 for kind, value in steps if kind == "layer" and set(value) <= uids)
            best = max(best, count)
        return best

    def layer(self, uid: int) -> Layer:
        return self.layers[uid]

    def explain(self) -> list[SiteExplanation]:
        """Per init site: the parameters it reaches, what follows each layer, and whether the site is the last
        init of the parameter in some run (else which later sites overwrite it). For tests that show a silent
        site was seen, and for ``initlint check --explain``."""
        effective = self.effective()
        out: list[SiteExplanation] = []
        for site in self.inits:
            reached = []
            for ref in site.targets:
                layer = self.layers[ref.layer]
                follow = layer.follow_under(site.path)
                winners = effective.get(ref, [])
                last = site.in_slice or any(w is site for w in winners)
                reached.append(Reach(ref, layer.display, follow, tuple(layer.after_act), last,
                                     tuple(w.location.line for w in winners if w is not site) if not last else ()))
            out.append(SiteExplanation(site, reached))
        return out

    def effective(self) -> dict[ParamRef, list[InitSite]]:
        """For each parameter, the inits that can be the last one to run on it.

        Each model class that (re)initializes a shared part is its own scenario: a subclass overriding
        ``init_weights``, or a second model owning the same block, does not hide the first one's init.
        """
        by_ref: dict[ParamRef, list[InitSite]] = {}
        for site in self.inits:
            if site.in_slice:
                continue
            for ref in site.targets:
                by_ref.setdefault(ref, []).append(site)
        live: dict[ParamRef, list[InitSite]] = {}
        for ref, sites in by_ref.items():
            owner = self.layers[ref.layer].owner
            scenarios = {owner} | {root for s in sites for root in s.root_orders if root is not None}
            winners: list[InitSite] = []
            for scenario in scenarios:
                ranked = [(order, -index, s) for index, s in enumerate(sites)
                          if (order := _order_in(s, scenario, owner)) is not None]
                ranked.sort(key=lambda entry: entry[:2])
                for position, (_, _, site) in enumerate(ranked):
                    if any(_always_after(later, site) for _, _, later in ranked[position + 1:]):
                        continue
                    if site not in winners:
                        winners.append(site)
            live[ref] = winners
        return live


def _always_after(later: InitSite, earlier: InitSite) -> bool:
    """``later`` runs in every run that reaches ``earlier`` (each of its conditions is one of ``earlier``'s),
    so it overwrites it; a later init in an exclusive branch, or under a test ``earlier`` does not share,
    leaves ``earlier`` the last init in some run."""
    held = {(c.key, c.taken) for c in earlier.path}
    return all((c.key, c.taken) in held for c in later.path)


@dataclass(frozen=True)
class Reach:
    """One parameter an init site reaches, as :meth:`Picture.explain` describes it."""

    ref: ParamRef
    layer: str  # ``fc1 (Linear(256, 256))``
    follow: Follow  # what the layer's output meets
    after_act: tuple[str, ...]  # what the activation's output meets, when one follows
    last: bool  # the site is the last init of this parameter in some run
    overwritten_by: tuple[int, ...]  # lines of the inits that run after it in every run, when not last

    @property
    def follows(self) -> str:
        if self.follow.kind == ACT and self.follow.activation is not None:
            after = f", then {'/'.join(sorted(set(self.after_act)))}" if self.after_act else ""
            return f"{self.follow.activation.display}{after}"
        return self.follow.kind


@dataclass
class SiteExplanation:
    site: InitSite
    reached: list[Reach]

    @property
    def line(self) -> int:
        return self.site.location.line

    @property
    def conditions(self) -> list[str]:
        """The ``if`` tests the call runs under, as written (``not`` for the else branch)."""
        return [c.test if c.taken else f"not ({c.test})" for c in self.site.path]


def _order_in(site: InitSite, scenario: str, owner: str) -> int | None:
    """Where a site runs when building ``scenario`` (None if it does not run then)."""
    if not site.root_orders:
        return site.order[0]
    for root in (scenario, owner, None):
        if root in site.root_orders:
            return site.root_orders[root]
    return None
