"""``initlint check --explain FILE``: per init site, the parameters it reaches, what follows each layer, and
the verdict with its reason -- for a user who wonders why something is, or is not, reported."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from initlint.config import Settings
from initlint.engine import check_source, picture_of
from initlint.files import decode, discover
from initlint.findings import Finding
from initlint.picture.model import UNKNOWN, Picture, SiteExplanation
from initlint.picture.torchspec import DATA_DRIVEN_FUNC

_CODE = cst.Module([])


def silence_reason(explanation: SiteExplanation, picture: Picture) -> str:
    """Why no rule reports a site (its parameters are overwritten, what follows is unknown, or it fits)."""
    if not explanation.reached:
        return "it reaches no parameter of a layer this file builds"
    if explanation.site.func == DATA_DRIVEN_FUNC:
        return "a data-driven init (LSUV) rescales each layer to the variance it measures: no rule judges its scale"
    if all(picture.layers[r.ref.layer].is_norm for r in explanation.reached):
        return "it initializes normalization layers, which only IL201/IL401 judge"
    if not any(r.last for r in explanation.reached):
        return "every parameter it reaches is initialized again later, in every run: that later init is judged"
    if all(r.follow.kind == UNKNOWN for r in explanation.reached if r.last):
        return "what follows its layers is unknown (a config activation, a factory, another module): no rule " \
               "judges an init without its activation"
    return "no rule objects: the init fits what follows, or its numbers are unknown"


def explain_picture(picture: Picture, findings: list[Finding], filename: str) -> str:
    by_line: dict[int, list[Finding]] = {}
    for finding in findings:
        by_line.setdefault(finding.row, []).append(finding)
    out: list[str] = []
    explanations = sorted(picture.explain(), key=lambda e: (e.line, e.site.location.column))
    for explanation in explanations:
        site = explanation.site
        call = " ".join(_CODE.code_for_node(site.node).split()) if isinstance(site.node, cst.CSTNode) else site.func
        head = f"{filename}:{explanation.line}:{site.location.column}: {call}"
        if explanation.conditions:
            head += "  [runs if " + " and ".join(explanation.conditions) + "]"
        out.append(head)
        for reach in explanation.reached:
            param = reach.ref.param or "(the parameter)"
            status = "the last init in some run" if reach.last else \
                "overwritten later at line " + ", ".join(str(n) for n in reach.overwritten_by)
            out.append(f"    {reach.layer} .{param}: followed by {reach.follows}; {status}")
        verdicts = by_line.get(explanation.line, [])
        if verdicts:
            out += [f"    -> {f.code}: {f.message.split('. ')[0]}" for f in verdicts]
        else:
            out.append(f"    -> silent: {silence_reason(explanation, picture)}")
    if not explanations:
        out.append(f"{filename}: no init call reaches a layer this file builds")
    return "\n".join(out)


def explain_paths(paths: list[str], settings: Settings) -> tuple[str, bool]:
    """The explanation of every file under ``paths``, and whether each could be read and parsed."""
    parts: list[str] = []
    ok = True
    for path in discover(paths, settings):
        try:
            source = decode(Path(path).read_bytes()).text
            parts.append(explain_source(source, str(path), settings))
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError, cst.ParserSyntaxError) as error:
            parts.append(f"{path}: cannot explain: {str(error).splitlines()[0] if str(error) else error!r}")
            ok = False
    return "\n\n".join(parts), ok


def explain_source(source: str, filename: str, settings: Settings | None = None) -> str:
    """The explanation of one file's init sites (raises libcst's ParserSyntaxError on bad syntax)."""
    picture = picture_of(source)
    return explain_picture(picture, check_source(source, filename, settings), filename)
