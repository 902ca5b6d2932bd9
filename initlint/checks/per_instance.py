"""A wrapper class's init judged per instance: tacotron2's ``LinearNorm`` initializes its own
``linear_layer`` while each parent decides what its output meets (``F.relu(linear(x))`` in the Prenet, a
sigmoid gate elsewhere). The uses disagree, so the layer's follow is unknown; each instance kind (one
``LinearNorm(...)`` call of the file, picture.instances) is judged on its own uses instead.

Only when the init is the same for every instance: the call is written in the class's own ``__init__``, runs
under no ``if``, and its arguments read no name that ``__init__`` assigns, nor ``self``, nor a parameter
this instance's call passes (``w_init_gain='sigmoid'``). Such a finding names the instance and keeps no
rewrite: the wrapper's call serves every instance.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import libcst as cst

from initlint.checks.common import with_scenario
from initlint.findings import Finding
from initlint.fix import fix_fields
from initlint.picture.catalog import Activation
from initlint.picture.model import ACT, UNKNOWN, Follow, InitSite, InstanceCall, Layer, Picture
from initlint.picture.syntax import names_in

PER_INSTANCE_NO_FIX = ("the wrapper class's call serves every instance, and only some instances meet this "
                       "activation: the fix is the author's (an argument such as `w_init_gain` at these "
                       "instances, or an init chosen by the activation)")


Pairs = list[tuple[Layer, Activation]]


def instance_groups(picture: Picture, site: InitSite, layers: list[Layer]) -> Iterator[tuple[InstanceCall, Pairs]]:
    """For each instance kind whose uses all meet one activation: the layers of ``layers`` (those whose follow
    is unknown because the instances disagree) with that activation."""
    if site.path or site.callers is not None or not isinstance(site.node, cst.Call):
        return
    read = _names_read(site.node)
    if read is None:
        return
    by_instance: dict[int, list[tuple[Layer, Activation]]] = {}
    for layer in layers:
        if layer.follow().kind != UNKNOWN or not layer.follows or any(f.instance is None for f in layer.follows):
            continue
        uses: dict[int, set[Follow]] = {}
        for follow in layer.follows:
            if follow.instance is not None:
                uses.setdefault(follow.instance, set()).add(follow)
        for instance, met in uses.items():
            if len(met) != 1:
                continue
            only = next(iter(met))
            if only.kind == ACT and only.activation is not None and only.but_one is None and only.part is None:
                by_instance.setdefault(instance, []).append((layer, only.activation))
    for instance, pairs in by_instance.items():
        call = picture.instances.get(instance)
        if call is None or call.passed is None or id(site.node) not in call.init_calls:
            continue
        if read & (call.init_locals | call.passed) or "self" in read:
            continue  # the init's arguments depend on what this instance passes or computes
        yield call, pairs


def _names_read(call: cst.Call) -> set[str] | None:
    """The plain names the init call's arguments other than the tensor read (None: starred arguments)."""
    if any(arg.star for arg in call.args):
        return None
    rest = [arg for arg in call.args if arg.keyword is None][1:] + [arg for arg in call.args
                                                                   if arg.keyword is not None
                                                                   and arg.keyword.value != "tensor"]
    return {name for arg in rest for name in names_in(arg.value)}


def told_per_instance(found: Finding, call: InstanceCall, site: InitSite) -> Finding:
    """The finding as what holds for one instance kind: named, with its place, and no rewrite."""
    where = site.locator.place(call.node) if site.locator is not None else ""
    named = f"the instances built by `{call.text}`" + (f" ({where})" if where else "")
    fingerprint = f"{found.fingerprint} [{call.text}]" if found.fingerprint is not None else None
    return replace(with_scenario(found, named), fingerprint=fingerprint, **fix_fields(PER_INSTANCE_NO_FIX))

