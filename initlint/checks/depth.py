"""IL501: a deep plain stack of rectifier layers left at PyTorch's default init.

``nn.Linear``/``nn.Conv*`` default to ``kaiming_uniform_(w, a=sqrt(5))``: U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
variance 1/(3 fan_in), a sixth of He's 2/fan_in once ReLU halves the second moment. Each layer passes on
~1/sqrt(6) = 0.41 of the input-dependent signal; the default biases keep the raw activations at a floor that
carries almost none of the input.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from initlint.checks.common import exponent, fmt, init_alias, layer_diagnostic
from initlint.config import Settings
from initlint.findings import Finding, Note
from initlint.fix import NO_INIT_NAME, Fix, fix_builder, init_module, insert_after, make_fix, nn_module
from initlint.picture import catalog
from initlint.picture.catalog import Activation
from initlint.picture.model import ACT, NORM, RESIDUAL, ParamRef, Picture, Stack

DEFAULT_KINDS = frozenset({"Linear"} | set(catalog.CONV))
DEFAULT_STD_TIMES_SQRT_FAN_IN = 1 / math.sqrt(3)  # U(-1/sqrt(fan_in), 1/sqrt(fan_in))


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    threshold = settings.deep_default_depth
    effective = picture.effective()
    touched = {ref for ref, sites in effective.items() if sites} | {
        ref for site in picture.inits if site.in_slice for ref in site.targets} | picture.maybe_touched
    reported: set[frozenset[int]] = set()
    for stack in picture.stacks:
        for run, act in _runs(picture, stack.steps, touched):
            if len(run) < threshold:
                continue
            key = frozenset(run)
            if key in reported or any(key <= done for done in reported):
                continue
            first = picture.layer(run[0])
            if first.owner in picture.opaque_init or None in picture.opaque_init:
                continue
            reported.add(key)
            yield _finding(picture, run, act, filename, _fix(picture, stack, run, act))


def _runs(picture: Picture, steps: list[tuple[str, object]],
          touched: set[ParamRef]) -> Iterator[tuple[list[int], Activation]]:
    """Maximal runs of default-initialized layer + rectifier pairs (dropout and the like in between are
    already gone from ``steps``); a norm, a block we cannot see or an explicitly initialized layer ends one."""
    run: list[int] = []
    act: Activation | None = None
    index = 0
    while index < len(steps):
        kind, value = steps[index]
        nxt = steps[index + 1] if index + 1 < len(steps) else ("end", None)
        ok = False
        if kind == "layer" and isinstance(value, tuple) and len(value) == 1 and nxt[0] == "act":
            layer = picture.layer(value[0])
            step_act = nxt[1]
            ok = (isinstance(step_act, Activation) and step_act.family == "rectifier"
                  and layer.kind in DEFAULT_KINDS and ParamRef(layer.uid, "weight") not in touched
                  and RESIDUAL not in {f.kind for f in layer.follows} | set(layer.after_act)
                  and NORM not in set(layer.after_act)
                  and (act is None or step_act == act))
            if ok:
                assert isinstance(step_act, Activation)
                act = step_act
                run.append(layer.uid)
                index += 2
                continue
        if run and act is not None:
            yield run, act
        run, act = [], None
        index += 1
    if run and act is not None:
        yield run, act


@fix_builder
def _fix(picture: Picture, stack: Stack, run: list[int], act: Activation) -> Fix:
    """He init for the stack's layers, inserted after the statement that stores the container, when every
    Linear/Conv in it is in the run or is its last (output) layer."""
    if stack.statement is None or stack.assigned_text is None:
        return "the stack is not stored under a name that code after it could use"
    layers = [uid for kind, value in stack.steps if kind == "layer" and isinstance(value, tuple) for uid in value]
    members = set(run)
    if not layers or any(uid not in members for uid in layers[:-1]):
        return "the container also holds layers outside the run, which an init of the whole container would reach"
    last = picture.layer(layers[-1])
    container = stack.assigned_text
    if last.uid not in members and last.follow().kind == ACT:
        if stack.last_item != last.uid:
            return "the stack's last layer feeds an activation of its own, which He init would not suit"
        container += "[:-1]"  # all but that last layer
    found = init_module(picture)
    nn_found = nn_module(picture)
    if found is None or nn_found is None:
        return NO_INIT_NAME
    (prefix, imports), (nn_name, more) = found, nn_found
    kinds = sorted({picture.layer(uid).kind for uid in layers})
    spelled = f"{nn_name}.{kinds[0]}" if len(kinds) == 1 else "(" + ", ".join(f"{nn_name}.{k}" for k in kinds) + ")"
    edit = insert_after(picture, stack.statement, [
        f"for _module in {container}.modules():",
        f"    if isinstance(_module, {spelled}):",
        f"        {prefix}.kaiming_normal_(_module.weight, {act.kaiming_args()})",
        "        if _module.bias is not None:",
        f"            {prefix}.zeros_(_module.bias)",
    ])
    if edit is None:
        return "the statement that stores the stack shares its line with other code"
    edits = [edit, *imports, *[e for e in more if e not in imports]]
    return make_fix("unsafe", "Initialize the stack with He init", edits)


def _finding(picture: Picture, run: list[int], act: Activation, filename: str,
             fix: Fix | None = None) -> Finding:
    first = picture.layer(run[0])
    depth = len(run)
    gain = DEFAULT_STD_TIMES_SQRT_FAN_IN / act.gain
    total = gain**depth
    signatures = sorted({picture.layer(uid).signature for uid in run})
    kinds = signatures[0] if len(signatures) == 1 else f"{signatures[0]} ... {signatures[-1]}"
    he = "2/fan_in" if act.gain == math.sqrt(2) else f"{fmt(act.gain ** 2)}/fan_in"
    init = init_alias(picture)
    return layer_diagnostic(
        "IL501", first, filename,
        f"{depth} {'/'.join(sorted({picture.layer(uid).kind for uid in run}))}+{act.display} layers from "
        f"`{first.path}` keep PyTorch's default init",
        notes=(Note(f"{kinds} layers in a plain stack (no normalization, no residual): the default U(-1/sqrt(fan_in), 1/sqrt(fan_in)) "
                    f"has variance 1/(3*fan_in), where {act.display} wants He's {he}"),
               Note(f"the part of the signal that depends on the input shrinks ~{fmt(gain)}x per layer, "
                    f"~{exponent(total)}x after {depth} layers (the default biases hold the raw std at a floor)")),
        help=f"initialize the stack: `for m in self.modules(): if isinstance(m, (nn.Linear, nn.Conv2d)): "
             f"{init}.kaiming_normal_(m.weight, {act.kaiming_args()}); {init}.zeros_(m.bias)`",
        numbers={"depth": depth, "layer": first.path, "activation": act.name, "per_layer_gain": gain,
                 "total_gain": total, "default_std_times_sqrt_fan_in": DEFAULT_STD_TIMES_SQRT_FAN_IN},
        fix=fix)
