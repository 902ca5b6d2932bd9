"""IL505: a deliberate init of one parameter (a forget-gate bias, a zero-init residual projection, a scaled
output layer) that a later blanket init in the same construction (another ``apply``, a ``modules()`` or
``parameters()`` loop) silently replaces."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from initlint.checks.calls import diagnostic_at, text
from initlint.checks.construction import run_by
from initlint.config import Settings
from initlint.findings import Finding, Note, short_title
from initlint.picture import facts
from initlint.picture.facts import Facts
from initlint.picture.model import InitSite, ParamRef, Picture

NO_FIX = "which of the two inits is meant is the author's call: move the deliberate one after the blanket one"
MAX_PARTS = 3
CONSTANT = frozenset({"zeros_", "ones_", "constant_", "eye_", "dirac_"})
SCALED = frozenset({"normal_", "trunc_normal_", "uniform_"})


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    by_ref: dict[ParamRef, list[InitSite]] = {}
    for site in picture.inits:
        for ref in site.targets:
            by_ref.setdefault(ref, []).append(site)
    if not any(len(sites) > 1 for sites in by_ref.values()):
        return
    found = facts.of(picture)
    hits: dict[int, tuple[InitSite, InitSite, list[ParamRef]]] = {}
    for ref, sites in by_ref.items():
        for early in sites:
            if early.shared and not early.in_slice or not _deliberate(early):
                continue  # a blanket init is not the deliberate one
            for late in sites:
                if late is early or not late.shared or late.in_slice or _same_init(early, late):
                    continue
                if _exclusive(found, _anchors(found, early.node), _anchors(found, late.node)) \
                        or not _runs_after(picture, found, early, late):
                    continue
                entry = hits.setdefault(id(early.node), (early, late, []))
                if ref not in entry[2]:
                    entry[2].append(ref)
                break
    for early, late, refs in hits.values():
        assert isinstance(early.node, cst.CSTNode)
        layer = picture.layer(refs[0].layer)
        name = f"{layer.path}.{refs[0].param}" if refs[0].param else layer.path
        line = late.locator.place(late.node) if late.locator is not None else f"line {late.location.line}"
        yield diagnostic_at(
            "IL505", picture, early.node, filename,
            short_title(f"`{text(picture, early.node)}` is overwritten by a later `{late.func}`"),
            notes=(Note(f"`{late.func}` at {line} runs later in the same construction and sets `{name}` "
                        f"({layer.signature}) again" + (f" (and {len(refs) - 1} more)" if len(refs) > 1 else "")
                        + ", so this init never takes effect"),),
            help="run the deliberate init after the blanket one, or leave these parameters out of it",
            numbers={"later": late.func, "param": name, "params": len(refs)}, fix=NO_FIX)


def _deliberate(site: InitSite) -> bool:
    """An init chosen for this one tensor: a slice (a forget-gate bias), a constant (a zero-init residual or
    gate), or an explicit scale (``normal_(w, std=0.02 / math.sqrt(2 * n))``). A second fan-based init
    replaced by another is a different question (IL1xx judge the one that runs)."""
    return site.in_slice or site.func in CONSTANT or site.func in SCALED and bool(site.args)


def _same_init(one: InitSite, two: InitSite) -> bool:
    return one.func == two.func and one.args == two.args and not one.in_slice


def _anchors(found: Facts, node: object) -> list[cst.CSTNode]:
    """The call itself and the calls in an ``__init__`` that run it (``self.apply(self._init)``)."""
    out: list[cst.CSTNode] = [node] if isinstance(node, cst.CSTNode) else []
    for cls in found.classes.values():
        for call, via, _ in run_by(found, cls, follow_apply=True):
            if call.node is node and via is not None:
                out.append(via.node)
    return out


def _exclusive(found: Facts, ones: list[cst.CSTNode], twos: list[cst.CSTNode]) -> bool:
    """The two calls (or what runs them) sit in different arms of one ``if``: at most one of them runs."""
    if not ones or not twos:
        return True
    return any(_apart(found, one, two) for one in ones for two in twos)


def _apart(found: Facts, one: cst.CSTNode, two: cst.CSTNode) -> bool:
    for fact in found.ifs:
        node = fact.node
        in_body = (found.within(one, node.body), found.within(two, node.body))
        orelse = node.orelse
        in_else = (orelse is not None and found.within(one, orelse), orelse is not None and found.within(two, orelse))
        if in_body[0] and in_else[1] or in_body[1] and in_else[0]:
            return True
    return False


def _runs_after(picture: Picture, found: Facts, early: InitSite, late: InitSite) -> bool:
    """``late`` runs after ``early`` when one model is built: later in the same construction, or in a model
    whose ``__init__`` builds the part that runs ``early`` before it runs ``late``."""
    for root, order in early.root_orders.items():
        if root is not None and root in late.root_orders and late.root_orders[root] > order:
            return True
    for root in late.root_orders:
        cls = found.classes.get(root) if root is not None else None
        if cls is None or root is None:
            continue
        late_at = _order_in(found, cls, late.node)
        if late_at is None:
            continue
        for part in early.root_orders:
            if part is None or part == root:
                continue
            built = _built_at(found, cls, part)
            if built is not None and built < late_at or _passed_in(picture, found, root, part):
                return True
    return False


def _passed_in(picture: Picture, found: Facts, root: str, part: str, depth: int = 0) -> bool:
    """``part`` is built before ``root.__init__`` starts: it is a module every instantiation of ``root``
    passes in (``Transformer(encoder, decoder)``, picture.bindings), or built by or passed into one."""
    binding = picture.bindings.get(root)
    if binding is None or depth > MAX_PARTS:
        return False
    for passed in binding.passed_classes():
        if passed == root:
            continue
        if passed == part or _passed_in(picture, found, passed, part, depth + 1):
            return True
        cls = found.classes.get(passed)
        if cls is not None and _built_at(found, cls, part) is not None:
            return True
    return False


def _order_in(found: Facts, cls: cst.ClassDef, node: object) -> int | None:
    for call, _, order in run_by(found, cls, follow_apply=True):
        if call.node is node:
            return order
    return None


def _built_at(found: Facts, cls: cst.ClassDef, part: str, depth: int = 0) -> int | None:
    """Where ``cls.__init__`` builds the local class ``part`` (directly or through a part it builds)."""
    for call, _, order in run_by(found, cls):
        qualified = call.qualified or ""
        if qualified == f"<local>.{part}":
            return order
        inner = found.classes.get(qualified[len("<local>."):]) if qualified.startswith("<local>.") else None
        if inner is not None and inner is not cls and depth < MAX_PARTS and _built_at(found, inner, part, depth + 1):
            return order
    return None
