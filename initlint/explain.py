"""``initlint check --explain FILE``: per init site, the parameters it reaches, what follows each layer, and
the verdict with its reason -- for a user who wonders why something is, or is not, reported."""

from __future__ import annotations

import os

import libcst as cst

from initlint.analysis import check_source, picture_of
from initlint.config import Settings
from initlint.engine import check_group, file_texts, project_tree
from initlint.files import discover
from initlint.findings import Finding
from initlint.picture.linking import Linked, shown
from initlint.picture.model import UNKNOWN, Picture, SiteExplanation
from initlint.picture.torchspec import DATA_DRIVEN_FUNC
from initlint.project import groups

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
    """``findings``: those of the file, and of the files its picture reaches into (by file and line)."""
    by_line: dict[tuple[str, int], list[Finding]] = {}
    for finding in findings:
        by_line.setdefault((os.path.normpath(finding.filename), finding.row), []).append(finding)
    out: list[str] = _imports(picture, filename)
    explanations = sorted(picture.explain(), key=lambda e: (e.site.location.file is not None,
                                                            e.site.location.file or "", e.line,
                                                            e.site.location.column))
    for explanation in explanations:
        site = explanation.site
        call = " ".join(_CODE.code_for_node(site.node).split()) if isinstance(site.node, cst.CSTNode) else site.func
        where = site.location.file or filename
        head = f"{where}:{explanation.line}:{site.location.column}: {call}"
        if explanation.conditions:
            head += "  [runs if " + " and ".join(explanation.conditions) + "]"
        out.append(head)
        for reach in explanation.reached:
            param = reach.ref.param or "(the parameter)"
            status = "the last init in some run" if reach.last else \
                "overwritten later at line " + ", ".join(str(n) for n in reach.overwritten_by)
            out.append(f"    {reach.layer} .{param}: followed by {reach.follows}; {status}")
        verdicts = by_line.get((os.path.normpath(where), explanation.line), [])
        if verdicts:
            out += [f"    -> {f.code}: {f.message.split('. ')[0]}" for f in verdicts]
        else:
            out.append(f"    -> silent: {silence_reason(explanation, picture)}")
    if not explanations:
        out.append(f"{filename}: no init call reaches a layer this file builds")
    return "\n".join(out)


def _imports(picture: Picture, filename: str) -> list[str]:
    """What the file's picture took in from the other checked files, and the imports it did not follow."""
    linked = picture.linked
    if not isinstance(linked, Linked):
        return []
    out = []
    if linked.followed:
        out.append(f"{filename}: takes in from the checked files: " + ", ".join(
            f"`{name}` ({shown(path, filename)})" for name, path in sorted(linked.followed.items())))
    if linked.unfollowed:
        out.append(f"{filename}: imports not followed (their names stay unknown): " + "; ".join(
            f"`{name}` from `{module}`: {why}" for name, (module, why) in sorted(linked.unfollowed.items())))
    return out


def explain_paths(paths: list[str], settings: Settings) -> tuple[str, bool]:
    """The explanation of every file under ``paths`` (checked together, as ``check`` does, so that the
    pictures take in what the files import from each other), and whether each could be read and parsed."""
    files = [str(p) for p in discover(paths, settings)]
    texts = file_texts(files)
    tree, _ = project_tree(files, settings, texts)
    pictures: dict[str, Picture] = {}
    findings: list[Finding] = []
    for group in groups(files, texts, tree):
        findings += check_group(group, settings, tree, keep=pictures)
    parts: list[str] = []
    ok = True
    for path in files:
        if path in pictures:
            parts.append(explain_picture(pictures[path], findings, path))
            continue
        problems = [f for f in findings if f.filename == path and f.code in ("IL000", "IL001")]
        if problems:
            parts.append(f"{path}: cannot explain: {problems[0].message}")
            ok = False
        else:
            parts.append(f"{path}: no init call reaches a layer this file builds")
    return "\n\n".join(parts), ok



def explain_source(source: str, filename: str, settings: Settings | None = None) -> str:
    """The explanation of one file's init sites (raises libcst's ParserSyntaxError on bad syntax)."""
    picture = picture_of(source)
    return explain_picture(picture, check_source(source, filename, settings), filename)
