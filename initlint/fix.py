"""How we repair: text edits attached to findings, applied together, re-checked until nothing changes.

A fix is plain data on the finding (``applicability``, ``message``, ``edits``), so it crosses the process
pool and the JSON report unchanged. Edits are applied in one rewrite per round; a round whose result does not
parse is thrown away, and nothing is written unless the final text parses.
"""

from __future__ import annotations

import ast
import functools
import json
import tokenize
from collections.abc import Callable
from functools import lru_cache
from typing import Any, ParamSpec

import libcst as cst

from initlint.findings import Finding
from initlint.lines import first_break, has_break, is_multiline, line_starts, readline, split_lines
from initlint.picture.model import InitSite, Picture, SiteScope

MAX_ROUNDS = 10

P = ParamSpec("P")
Edit = tuple[int, int, int, int, str]  # row, column, end row, end column (1-based columns), new text
Fix = dict[str, Any] | str  # a fix (``make_fix``), or why there is none

# Why a rewrite cannot be written, shared by the rules.
NO_INIT_NAME = ("the file has no name for `torch.nn.init` and `nn` already means something else here, so a fix "
                "could not name the init functions")
SHARED_LINE = "the call shares its line with other code or spans an expression, so it cannot be rewritten alone"
NOT_SPLITTABLE = ("the call also initializes layers it suits, and neither a test at the call (by type, by module "
                  "or by parameter name) nor code after it can single out the ones that need another init")


def fix_builder(build: Callable[P, Fix]) -> Callable[P, Fix]:
    """A fix builder behind its own error guard: when it fails, its finding keeps its message and says why
    it has no fix (an internal error, named), and the other findings of the file are untouched."""
    @functools.wraps(build)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> Fix:
        try:
            return build(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - one builder's bug must not cost the finding
            return f"internal error while building the fix ({type(error).__name__}: {error}); please report it"
    return guarded


def make_fix(applicability: str, message: str, edits: list[Edit]) -> dict[str, Any]:
    return {
        "applicability": applicability,
        "message": message,
        "edits": [
            {"content": content, "location": {"row": r1, "column": c1}, "end_location": {"row": r2, "column": c2}}
            for r1, c1, r2, c2, content in edits
        ],
    }


def fix_fields(fix: Fix | None) -> dict[str, Any]:
    """``Finding`` keyword arguments for a fix or for the reason there is none."""
    if isinstance(fix, str):
        return {"fix": None, "no_fix": fix}
    return {"fix": fix, "no_fix": None}


def newline(picture: Picture) -> str:
    """The line break the fix's new lines get: the file's own (its first one)."""
    return first_break(picture.source)


@lru_cache(maxsize=16)
def indent_unit(source: str) -> str:
    """One level of the file's indentation (its first indented block: a tab, two spaces, four...); fix code
    is written with four spaces per level and re-indented with this."""
    try:
        for token in tokenize.generate_tokens(readline(source)):
            if token.type == tokenize.INDENT:
                unit = token.string
                return unit if unit and len(set(unit)) == 1 else "    "
    except (tokenize.TokenError, SyntaxError):
        pass
    return "    "


def reindent(line: str, unit: str) -> str:
    """A generated line (four spaces per level) in the file's own indentation."""
    body = line.lstrip(" ")
    levels, rest = divmod(len(line) - len(body), 4)
    return unit * levels + " " * rest + body


@lru_cache(maxsize=16)
def rebound_names(source: str) -> frozenset[str] | None:
    """Names bound anywhere in the file other than by a module-level import (a parameter, an assignment, a
    local import, a def...): a fix must not name torch through them, since at the fix's line they may mean
    something else. None when the file cannot be read by ``ast``."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    names: set[str] = set()

    def visit(node: ast.AST, top: bool) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not top:
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler, ast.MatchAs,
                               ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        inner = top and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    try:
        visit(tree, True)
    except RecursionError:
        return None
    return frozenset(names)


def bound_to_torch(picture: Picture, prefix: str) -> bool:
    """The prefix's first name means the imported module everywhere in the file."""
    rebound = rebound_names(picture.source)
    return rebound is not None and prefix.partition(".")[0] not in rebound


def replace(picture: Picture, node: object, text: str) -> Edit:
    assert picture.locator is not None
    span = picture.locator.span(node)
    return (span.line, span.column, span.end_line, span.end_column, text)


def statement_block(picture: Picture, statement: object) -> tuple[int, int, str] | None:
    """(first line, last line, indentation) of a simple statement that has its lines to itself, so that a
    fix can put lines before or after it, or replace it with a block; None if it shares a line."""
    if statement is None or picture.locator is None or not picture.source:
        return None
    span = picture.locator.span(statement)
    lines = picture.source_lines()
    if span.end_line > len(lines):
        return None
    indent = lines[span.line - 1][: span.column - 1]
    rest = lines[span.end_line - 1][span.end_column - 1:].strip()
    if indent.strip() or rest and not rest.startswith("#") or not has_break(lines[span.end_line - 1]):
        return None
    return span.line, span.end_line, indent


def insert_after(picture: Picture, statement: object, code_lines: list[str]) -> Edit | None:
    """Lines of code inserted after a statement, at its indentation."""
    block = statement_block(picture, statement)
    if block is None:
        return None
    _, last, indent = block
    nl, unit = newline(picture), indent_unit(picture.source)
    text = "".join(_indent(line, indent, unit) + nl for line in code_lines)
    return (last + 1, 1, last + 1, 1, text)


def replace_statement(picture: Picture, statement: object, code_lines: list[str]) -> Edit | None:
    """A statement replaced by lines of code (a block) at the same indentation."""
    block = statement_block(picture, statement)
    if block is None:
        return None
    assert picture.locator is not None
    span = picture.locator.span(statement)
    _, _, indent = block
    nl, unit = newline(picture), indent_unit(picture.source)
    text = nl.join(_indent(line, indent, unit) if index else reindent(line, unit)
                   for index, line in enumerate(code_lines))
    return (span.line, span.column, span.end_line, span.end_column, text)


def delete_statement(picture: Picture, statement: object) -> Edit | None:
    """The lines of a statement (and of the comment right above it) removed, when it has them to itself and
    its block keeps another statement (a line at the same indentation next to it); None otherwise, rather
    than leave an empty block."""
    block = statement_block(picture, statement)
    if block is None:
        return None
    first, last, indent = block
    lines = picture.source_lines()

    def neighbour(indices: range) -> str | None:
        for index in indices:
            stripped = lines[index].strip()
            if stripped and not stripped.startswith("#"):
                return lines[index][: len(lines[index]) - len(lines[index].lstrip())]
        return None

    before, after = neighbour(range(first - 2, -1, -1)), neighbour(range(last, len(lines)))
    if indent not in (before, after):
        return None
    while first > 1 and lines[first - 2].startswith(indent + "#"):
        first -= 1  # the comment lines right above say what the statement does: they go with it
    return (first, 1, last + 1, 1, "")


def _indent(line: str, indent: str, unit: str) -> str:
    return indent + reindent(line, unit) if line else line


def init_module(picture: Picture) -> tuple[str, list[Edit]] | None:
    """How a fix can name ``torch.nn.init``: the file's own alias, else ``nn.init`` with an added
    ``import torch.nn as nn`` (when the name ``nn`` is free); None when neither works."""
    for prefix in (picture.init_prefix, picture.nn_prefix and f"{picture.nn_prefix}.init"):
        if prefix and bound_to_torch(picture, prefix):
            return prefix, []
    if not picture.nn_name_free or not bound_to_torch(picture, "nn"):
        return None
    nl = newline(picture)
    if picture.import_anchor is not None:
        edit = insert_after(picture, picture.import_anchor, ["import torch.nn as nn"])
        if edit is None:
            return None
        return "nn.init", [edit]
    return "nn.init", [(1, 1, 1, 1, "import torch.nn as nn" + nl)]


def fixable(finding: Finding, unsafe: bool) -> bool:
    if finding.fix is None:
        return False
    return finding.fix["applicability"] == "safe" or unsafe


def apply_edits(text: str, findings: list[Finding], unsafe: bool) -> tuple[str, list[Finding]]:
    """Apply every applicable, non-overlapping fix; returns the new text and the findings whose fixes went
    in."""
    starts = line_starts(text)

    def offset(position: dict[str, int]) -> int:
        return starts[position["row"] - 1] + position["column"] - 1

    chosen: list[tuple[int, int, str]] = []
    applied: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for finding in findings:
        if not fixable(finding, unsafe):
            continue
        assert finding.fix is not None
        spans = [(offset(e["location"]), offset(e["end_location"]), e["content"]) for e in finding.fix["edits"]]
        spans = [span for span in spans if span not in chosen]  # the same import added by two fixes: once
        if any(not (end <= a or start >= b) and not (start == end == a == b) for start, end, _ in spans
               for a, b in taken):
            continue  # overlaps a fix already chosen this round; the next round sees it again
        chosen.extend(spans)
        taken.extend((start, end) for start, end, _ in spans)
        applied.append(finding)
    for start, end, content in sorted(chosen, key=lambda edit: (edit[0], edit[1]), reverse=True):
        text = text[:start] + content + text[end:]
    return text, applied


def nn_module(picture: Picture) -> tuple[str, list[Edit]] | None:
    """How a fix can name ``torch.nn`` (for ``isinstance``), adding ``import torch.nn as nn`` if needed."""
    if picture.nn_prefix is not None and bound_to_torch(picture, picture.nn_prefix):
        return picture.nn_prefix, []
    found = init_module(picture)
    if found is None or found[0] != "nn.init":
        return None
    return "nn", found[1]


def call_statement(site: InitSite) -> bool:
    """The init call is a statement of its own (what the rewrites below replace or branch around)."""
    return isinstance(site.statement, cst.Expr) and site.statement.value is site.node


def branch_call(picture: Picture, site: InitSite, branches: list[tuple[str, list[str]]],
                keep_old: bool = True) -> Edit | None:
    """The call's statement as ``if <test>: <lines> elif ...: ... else: <the call as it was>``."""
    if not call_statement(site) or not branches:
        return None
    lines: list[str] = []
    for index, (condition, body) in enumerate(branches):
        if index and index == len(branches) - 1 and not keep_old:
            lines += ["else:", *("    " + line for line in body)]  # the last group is all that is left
            break
        lines += [f"{'if' if index == 0 else 'elif'} {condition}:", *("    " + line for line in body)]
    if keep_old:
        old = statement_text(picture, site.statement)
        if is_multiline(old):
            return None
        lines += ["else:", f"    {old}"]
    return replace_statement(picture, site.statement, lines)


def statement_text(picture: Picture, statement: object) -> str:
    assert picture.locator is not None
    span = picture.locator.span(statement)
    lines = picture.source_lines()[span.line - 1: span.end_line]  # the parser's lines
    if len(lines) == 1:
        return lines[0][span.column - 1: span.end_column - 1]
    return "".join([lines[0][span.column - 1:], *lines[1:-1], lines[-1][: span.end_column - 1]])


def module_expression(root: str, path: str) -> str | None:
    """``self.net[0].fc`` for the dotted path ``net.0.fc`` under ``self``; None for loop-built paths."""
    path = path.strip(".")
    if not path or "*" in path or path.startswith("<"):
        return None
    if root == "":
        return path  # a loop over a tuple of modules: the path is the element's own expression
    out = root
    for part in path.split("."):
        if not part.isidentifier() and not part.isdigit():
            return None
        out += f"[{part}]" if part.isdigit() else f".{part}"
    return out


def split_call(picture: Picture, site: InitSite, groups: list[tuple[set[int], str]]) -> tuple[list[Edit], str] | None:
    """Edits that give each group of layers its own call and leave the call as it was for the rest:
    ``if isinstance(m, nn.Conv2d): <call A> elif ...: <call B> else: <old call>``. Groups are told apart by
    type when their kinds do not overlap the remaining layers', else by identity (``m in (self.fc1, ...)``)
    or by parameter name (``name in ("fc1.weight", ...)``). None when no test can single them out."""
    if not call_statement(site):
        return None
    reached = {ref.layer for ref in site.targets}
    remaining = set(reached)
    extra: list[Edit] = []
    branches: list[tuple[str, str]] = []
    how = ""
    for uids, call in groups:
        others = remaining - uids
        kinds = {picture.layer(u).kind for u in uids}
        condition: str | None = None
        scope = site.scope if site.scope is not None and not site.scope.params else None  # ``m``, a module
        if scope is not None and not kinds & {picture.layer(u).kind for u in others}:
            found = nn_module(picture)
            if found is not None:
                nn_name, edits = found
                extra += [e for e in edits if e not in extra]
                names = sorted(kinds)
                spelled = f"{nn_name}.{names[0]}" if len(names) == 1 else \
                    "(" + ", ".join(f"{nn_name}.{k}" for k in names) + ")"
                condition = f"isinstance({scope.var}, {spelled})"
                how = "by type"
        roots = {scope.roots.get(u) for u in uids} if scope is not None else set()
        root = roots.pop() if len(roots) == 1 else None
        if condition is None and scope is not None and root is not None and not scope.several_runs:
            condition = _module_test(scope, root, uids, reached)
            how = "by module"
        if condition is None and site.name_var is not None and site.param_names:
            names_for = sorted({site.param_names[r] for r in site.targets if r.layer in uids and r in site.param_names})
            if names_for and not any("*" in n for n in names_for):  # a loop-built block has one name per copy
                quoted = [json.dumps(n) for n in names_for]
                condition = f"{site.name_var} == {quoted[0]}" if len(quoted) == 1 else \
                    f"{site.name_var} in ({', '.join(quoted)})"
                how = "by name"
        if condition is None:
            return None
        branches.append((condition, call))
        remaining = others
    edit = branch_call(picture, site, [(condition, [call]) for condition, call in branches], keep_old=bool(remaining))
    if edit is None:
        return None
    return [edit, *extra], how


def _module_test(scope: SiteScope, root: str, uids: set[int], reached: set[int]) -> str | None:
    """A test on the dispatch variable true for exactly these modules: ``m is self.fc``, ``m in (self.a,
    self.b)``, or ``m in self.body`` for a Sequential/ModuleList whose items (loop-built ones have no index of
    their own) all belong to the group. None when some module cannot be named so."""
    def parent(uid: int) -> str:
        return scope.paths.get(uid, "").strip(".").rpartition(".")[0]

    singles: set[str] = set()
    containers: dict[str, str] = {}
    for uid in uids:
        path = scope.paths.get(uid, "")
        expr = module_expression(root, path)
        if expr is not None:
            singles.add(expr)
            continue
        head, _, label = path.strip(".").rpartition(".")
        container = module_expression(root, head) if head and label == "*" else None
        if container is None or scope.containers.get(head) not in ("Sequential", "ModuleList"):
            return None
        containers[head] = container
    for head in containers:
        items = {u for u in reached if parent(u) == head}
        if not items <= uids:
            return None  # the container also holds modules the call suits
    singles -= {expr for uid in uids if parent(uid) in containers  # already covered by ``m in <container>``
                for expr in [module_expression(root, scope.paths.get(uid, ""))] if expr}
    tests = []
    if singles:
        shown = sorted(singles)
        tests.append(f"{scope.var} is {shown[0]}" if len(shown) == 1 else f"{scope.var} in ({', '.join(shown)})")
    tests += [f"{scope.var} in {containers[head]}" for head in sorted(containers)]
    return " or ".join(tests) if tests else None


@fix_builder
def call_fix(picture: Picture, site: InitSite, calls: dict[str, set[int]], what: str,
             applicability: str = "unsafe", override: bool = True) -> Fix:
    """An unsafe fix giving layers the init they call for: ``calls`` maps the call text (with ``{init}`` for
    the file's name of torch.nn.init) to the layers that need it. One call for everything the site reaches
    replaces it; otherwise the call is split so the layers it already serves keep it. A string says why
    there is no fix."""
    if "generator" in site.args:
        return "the call draws from its own `generator=`, which a rewritten call would have to take over by hand"
    if site.via == "assign":
        return "the weight is assigned a tensor drawn by hand: replace the assignment with the init call by hand"
    if not calls:
        return "no single init suits the layers this call gets wrong"
    found = init_module(picture)
    if found is None:
        return NO_INIT_NAME
    prefix, import_edits = found
    texts = {template.format(init=prefix): uids for template, uids in calls.items()}
    reached = {ref.layer for ref in site.targets}
    if len(texts) == 1 and next(iter(texts.values())) >= reached:
        call = next(iter(texts))
        return make_fix(applicability, f"Replace with `{call}`", [replace(picture, site.node, call), *import_edits])
    split = split_call(picture, site, [(uids, call) for call, uids in texts.items()])
    if split is None:
        after = override_after_apply(picture, site, texts) if override else None
        if after is None:
            return NOT_SPLITTABLE if call_statement(site) or site.scope is not None else SHARED_LINE
        return make_fix(applicability, f"{what}, after `{after[1]}`", [*after[0], *import_edits])
    edits, how = split
    shown = "; ".join(f"`{call}`" for call in texts)
    return make_fix(applicability, f"{what}, split {how}: {shown}",
                    [*edits, *[e for e in import_edits if e not in edits]])


def override_after_apply(picture: Picture, site: InitSite,
                         texts: dict[str, set[int]]) -> tuple[list[Edit], str] | None:
    """For a call inside a loop, an ``apply``'d function or a helper that no test inside it can split: the
    right call for each layer that needs one, right after the statement that ran it (where the model and its
    layers have names: ``self.fc1.weight``), so the layers the call suits keep it."""
    scope = site.scope
    if scope is None:
        return None
    suffix = site.target_text[len(scope.var):]  # ``.weight`` of ``m.weight``; ``.data`` of ``p.data``
    if scope.params and site.target_text != scope.var and suffix != ".data" or \
            not scope.params and not site.target_text.startswith(scope.var + "."):
        return None
    by_statement: dict[int, tuple[object, list[str], dict[str, dict[str, list[str]]]]] = {}
    for call, uids in texts.items():
        for uid in sorted(uids, key=lambda u: scope.paths.get(u, "")):
            tail = suffix
            if scope.params:  # ``p`` is a parameter: name it as ``<module>.<param>``
                refs = [ref for ref in site.targets if ref.layer == uid]
                if len(refs) != 1 or not refs[0].param:
                    return None
                tail = f".{refs[0].param}{suffix}"
            if uid not in scope.anchors:
                return None  # a layer no later statement can name
            statement, root = scope.anchors[uid]
            found = _override_target(root, scope.paths.get(uid, ""))
            if found is None:
                return None
            container, name = found
            _, plain, loops = by_statement.setdefault(id(statement), (statement, [], {}))
            bucket = plain if name is None else loops.setdefault(container, {}).setdefault(name, [])
            line = call.replace(f"({site.target_text}", f"({container if name is None else '_module'}{tail}", 1)
            if line not in bucket:
                bucket.append(line)
    edits: list[Edit] = []
    for statement, plain, loops in by_statement.values():
        edit = insert_after(picture, statement, plain + _loop_lines(loops))
        if edit is None:
            return None
        edits.append(edit)
    statements = [entry[0] for entry in by_statement.values()]
    return edits, "; ".join(split_lines(statement_text(picture, s))[0].strip() for s in statements)


def _override_target(root: str, path: str) -> tuple[str, str | None] | None:
    """How code after the loop or ``apply`` reaches one module: its expression (name None), or for a module
    inside loop-built blocks (``blocks.*.mlp.fc1``) the container and the name suffix to pick it by."""
    expr = module_expression(root, path)
    if expr is not None:
        return expr, None
    path = path.strip(".")
    if path.count("*") != 1 or ".*." not in f".{path}":
        return None
    prefix, rest = f".{path}".split(".*.", 1)
    container = module_expression(root, prefix) if prefix.strip(".") else root
    if container is None or not rest:
        return None
    return container, rest


def _loop_lines(loops: dict[str, dict[str, list[str]]]) -> list[str]:
    lines: list[str] = []
    for container, by_name in loops.items():
        lines.append(f"for _name, _module in {container}.named_modules():")
        for name, calls in by_name.items():
            lines.append(f'    if _name.endswith(".{name}"):')
            lines += [f"        {call}" for call in calls]
    return lines
