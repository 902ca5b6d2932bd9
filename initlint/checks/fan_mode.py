"""IL404: kaiming's ``mode=`` is "fan_in" or "fan_out"; anything else raises ValueError."""

from __future__ import annotations

import re
from collections.abc import Iterator

from initlint.checks.calls import diagnostic_at, init_calls, literal_string, text
from initlint.config import Settings
from initlint.findings import Finding, Note
from initlint.fix import Fix, make_fix, replace
from initlint.picture import catalog, facts
from initlint.picture.model import Picture

MODES = ("fan_in", "fan_out")


def check(picture: Picture, filename: str, settings: Settings) -> Iterator[Finding]:
    if "kaiming" not in picture.source:
        return
    for call in init_calls(facts.of(picture)):
        node = call.args.get("mode") if call.func in catalog.KAIMING else None
        mode = literal_string(node)
        if node is None or mode is None or mode.lower() in MODES:
            continue  # torch lowercases the mode first: "FAN_IN" is fine
        fix: Fix = (f'"{mode}" is not a misspelling of "fan_in" or "fan_out"; for the average of the two fans '
                    "use `xavier_uniform_`/`xavier_normal_`")
        meant = {"fanin": "fan_in", "in": "fan_in", "fanout": "fan_out", "out": "fan_out"}.get(
            re.sub(r"[^a-z]", "", mode.lower()))
        if meant is not None:
            written = text(picture, node)
            quote = written[0] if written[:1] in ("'", '"') else '"'
            fix = make_fix("safe", f'Spell it "{meant}"', [replace(picture, node, f"{quote}{meant}{quote}")])
        yield diagnostic_at(
            "IL404", picture, call.node, filename, f'`{call.func}` with mode="{mode}": ValueError when this runs',
            notes=(Note(f'torch raises "ValueError: Mode {mode.lower()} not supported, please use one of '
                        "['fan_in', 'fan_out']\""),
                   *(() if meant else (Note("kaiming scales by one fan only; Xavier averages both"),))),
            help=f'use mode="{meant}"' if meant else "use `xavier_uniform_`/`xavier_normal_` for the average of the "
                 "two fans, or mode=\"fan_in\"/\"fan_out\"",
            numbers={"func": call.func, "mode": mode, "meant": meant}, fix=fix)
