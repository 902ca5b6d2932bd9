"""A helper's init call judged per caller: ``orthogonal_init(self.fc1)`` and ``orthogonal_init(self.head,
gain=0.01)`` reach one ``nn.init.orthogonal_(layer.weight, gain=gain)``.

The recorder keeps one site per call and makes an argument unknown when two reaches give it different values
(recorder.same_inputs), so that no layer is judged with another caller's number. Here that site is split, once
the picture is built, into one site per set of arguments, each reaching the parameters whose callers gave that
set: the hidden layers are judged with ``gain=1.0`` and the head with ``gain=0.01``. A parameter reached with
two different sets (a layer initialized twice through the helper) keeps the site as it was: which of them
wins is not the split's to decide.
"""

from __future__ import annotations

from dataclasses import replace

from initlint.picture.domain import UNKNOWN, ParamRef, is_number
from initlint.picture.model import InitSite

Reaches = list[tuple[dict[str, object], list[ParamRef]]]


def split_by_callers(inits: list[InitSite], sites: dict[tuple[int, str], InitSite],
                     reaches: dict[tuple[int, str], Reaches]) -> list[InitSite]:
    """``inits`` with every site whose reaches disagree replaced by its parts (in place in ``sites`` too)."""
    parts_of: dict[int, list[InitSite]] = {}
    for key, site in sites.items():
        parts = _parts(site, reaches.get(key, []))
        if parts:
            parts_of[id(site)] = parts
            sites[key] = parts[0]
    out: list[InitSite] = []
    for site in inits:
        out.extend(parts_of.get(id(site), [site]))
    return out


def _parts(site: InitSite, reached: Reaches) -> list[InitSite] | None:
    if len(reached) < 2:
        return None
    differing = sorted(k for k, v in site.args.items() if v is UNKNOWN and any(
        args.get(k, UNKNOWN) is not UNKNOWN for args, _ in reached))
    if not differing:
        return None
    groups: dict[tuple[object, ...], list[ParamRef]] = {}
    owner: dict[ParamRef, tuple[object, ...]] = {}
    for args, refs in reached:
        values = tuple(args.get(k, UNKNOWN) for k in differing)
        if not all(value is UNKNOWN or is_number(value) or isinstance(value, str) for value in values):
            return None
        for ref in refs:
            if owner.setdefault(ref, values) != values:
                return None  # one parameter, two sets of arguments
            if ref in site.targets:
                groups.setdefault(values, [])
                if ref not in groups[values]:
                    groups[values].append(ref)
    if len(groups) < 2:
        return None
    parts = []
    for values, refs in groups.items():
        args = dict(site.args)
        args.update(zip(differing, values, strict=True))
        shown = ", ".join(f"{k}={v!r}" for k, v in zip(differing, values, strict=True) if v is not UNKNOWN)
        parts.append(replace(site, args=args, targets=refs, shared=site.shared or len(refs) > 1,
                             callers=shown or None, deferred=None,
                             param_names={r: n for r, n in site.param_names.items() if r in refs}))
    return parts
