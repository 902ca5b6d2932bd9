"""The ``initlint`` command line: click commands and nothing else."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
from collections import Counter

import click

from initlint import __version__
from initlint.analysis import FileFix, check_source, fix_source
from initlint.baseline import add_noqa as baseline
from initlint.config import ConfigError, load_settings, with_overrides
from initlint.engine import check_paths, fix_paths
from initlint.explain import explain_paths
from initlint.files import decode, encode
from initlint.findings import Finding
from initlint.notebook import check_notebook
from initlint.probe.command import probe as probe_command  # imports no torch: the probe loads when it runs
from initlint.registry import RULES, known_prefix, rule_name, rule_page
from initlint.report import FORMATS


def _codes(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    if not codes:
        raise click.BadParameter("needs at least one rule code or prefix (`ALL` for every rule)")
    for code in codes:
        if not known_prefix(code):
            raise click.BadParameter(f"unknown rule code or prefix {code!r} (see `initlint rules`)")
    return codes


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="initlint")
def main() -> None:
    """Find weight initialization that does not fit the activation that follows it."""


main.add_command(probe_command)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", callback=_codes, help="Comma-separated rule codes or prefixes to enable (e.g. IL1,IL401).")
@click.option("--ignore", callback=_codes, help="Comma-separated rule codes or prefixes to disable.")
@click.option("--output-format", type=click.Choice(sorted(FORMATS)), default="text", show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option("--quiet", "-q", is_flag=True, help="Print the findings and nothing else (no summary line).")
@click.option("--stdin-filename", default=None, help="With `-` as the path: the name to report for standard input.")
@click.option("--extend-select", callback=_codes, help="Rule codes or prefixes to enable on top of --select.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="A pyproject.toml to read [tool.initlint] from (default: the nearest one upwards).")
@click.option("--show-settings", is_flag=True, help="Print the resolved settings and exit.")
@click.option("--force-exclude", is_flag=True, help="Apply `exclude` to files named on the command line too.")
@click.option("--add-noqa", is_flag=True, help="Add `# noqa: CODE` to every line with a finding (baseline a codebase).")
@click.option("--fix", "apply_fixes", is_flag=True, help="Apply safe fixes (and unsafe ones with --unsafe-fixes).")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that change the numbers a model starts from.")
@click.option("--diff", "show_diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option("--show-fixes", is_flag=True,
              help="List the fixes per file and rule (with --fix or --diff), and why the other findings have none.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="With --fix: exit 1 when anything was fixed, even if clean.")
@click.option("--explain", is_flag=True,
              help="Per init site: the layers it reaches, what follows each, and the verdict with its reason.")
@click.option("--verbose", "-v", is_flag=True, help="Print the traceback of an internal error.")
def check(paths: tuple[str, ...], select: tuple[str, ...] | None, ignore: tuple[str, ...] | None,
          output_format: str, jobs: int | None, exit_zero: bool, statistics: bool, quiet: bool,
          stdin_filename: str | None, extend_select: tuple[str, ...] | None, config_path: str | None,
          show_settings: bool, force_exclude: bool, add_noqa: bool, apply_fixes: bool, unsafe_fixes: bool,
          show_diff: bool, show_fixes: bool, exit_non_zero_on_fix: bool, explain: bool,
          verbose: bool) -> None:
    """Check Python files (default: the current directory) and report findings."""
    _raw_file_names(sys.stdout, sys.stderr)
    if add_noqa and (apply_fixes or show_diff):
        raise click.UsageError("--add-noqa cannot be combined with --fix or --diff: run one, then the other")
    try:
        settings = load_settings(config_path)
    except ConfigError as error:
        click.echo(f"initlint: error: {error}", err=True)
        sys.exit(2)
    settings = with_overrides(settings, select=select, ignore=ignore, extend_select=extend_select,
                              force_exclude=force_exclude or None)
    if show_settings:
        click.echo(settings.describe())
        return
    if explain:
        text, readable = explain_paths(list(paths) or ["."], settings)
        click.echo(text)
        sys.exit(0 if readable else 2)
    if (apply_fixes or show_diff) and paths != ("-",):
        if "-" in paths:
            raise click.BadParameter("`-` (standard input) cannot be mixed with other paths", param_hint="PATHS")
        results, count = fix_paths(list(paths) or ["."], settings, unsafe_fixes, write=not show_diff, jobs=jobs)
        fixed = sum(r.fixed for r in results)
        findings = sorted((f for r in results for f in r.findings), key=Finding.sort_key)
        _explain_internal(findings, verbose)
        for result in results:
            if result.problem:
                click.echo(f"initlint: error: {result.path}: {result.problem}", err=True)
        failed = 2 if any(r.problem for r in results) or _internal(findings) else 0
        if show_diff:
            click.echo("".join(r.diff for r in results), nl=False)
            unread = [f for f in findings if f.code in ("IL000", "IL001")]
            for finding in unread:  # a file we could not read has fixes nobody saw: say it, do not pass
                click.echo(f"{finding.where()}: {finding.code} {finding.message}",
                           err=True)
            click.echo(f"Would fix {fixed} finding{'s' if fixed != 1 else ''}{':' if show_fixes and fixed else '.'}",
                       err=True)
            if show_fixes:
                click.echo(_fix_summary(results), err=True, nl=False)
            sys.exit(failed or (1 if fixed or unread else 0))
        click.echo(FORMATS[output_format](findings, count))
        if output_format in ("text", "concise"):
            click.echo(f"Fixed {fixed} finding{'s' if fixed != 1 else ''}{':' if show_fixes and fixed else '.'}")
            if show_fixes:
                click.echo(_fix_summary(results), nl=False)
        if failed:
            sys.exit(failed)
        if exit_non_zero_on_fix and fixed:
            sys.exit(1)
        sys.exit(0 if exit_zero or not findings else 1)
    if paths == ("-",) and (apply_fixes or show_diff):
        data = click.get_binary_stream("stdin").read()
        try:
            original = decode(data)
        except (UnicodeDecodeError, SyntaxError, LookupError) as error:
            click.echo(f"initlint: error: cannot decode standard input: {error}", err=True)
            sys.exit(2)
        new_text, fixed, findings = fix_source(original.text, stdin_filename or "<stdin>", settings, unsafe_fixes)
        click.get_binary_stream("stdout").write(encode(new_text, original))
        sys.exit(0 if exit_zero or not findings else 1)
    if paths == ("-",):
        data = click.get_binary_stream("stdin").read()
        if (stdin_filename or "").endswith(".ipynb"):
            findings, count = check_notebook(data, stdin_filename or "<stdin>", settings), 1
        else:
            findings, count = check_source(data, stdin_filename or "<stdin>", settings), 1
    elif "-" in paths:
        raise click.BadParameter("`-` (standard input) cannot be mixed with other paths", param_hint="PATHS")
    else:
        findings, count = check_paths(list(paths) or ["."], settings, jobs=jobs)
    if add_noqa:
        if paths == ("-",):
            raise click.BadParameter("--add-noqa rewrites files; it cannot be used with standard input")
        added, changed, problems = baseline(findings)
        for problem in problems:
            click.echo(problem, err=True)
        click.echo(f"Added {added} noqa directive{'s' if added != 1 else ''} to {changed} "
                   f"file{'s' if changed != 1 else ''}.")
        sys.exit(1 if problems else 0)
    _explain_internal(findings, verbose)
    if statistics:
        click.echo(_statistics_json(findings) if output_format in ("json", "json-lines") else _statistics(findings))
    else:
        rendered = FORMATS[output_format](findings, count)
        if quiet and output_format in ("text", "concise"):
            rendered = "\n".join(rendered.splitlines()[:-1]).rstrip("\n")
        if output_format in ("text", "concise") and _use_colour():
            rendered = _colour(rendered)
        if rendered:
            click.echo(rendered)
        if show_fixes and output_format in ("text", "concise"):
            click.echo(_no_fix_list(findings), nl=False)
    if _internal(findings):
        sys.exit(2)
    sys.exit(0 if exit_zero or not findings else 1)


def _raw_file_names(*streams: object) -> None:
    """A file name that is not UTF-8 is printed as its own bytes (not a UnicodeEncodeError)."""
    for stream in streams:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError, io.UnsupportedOperation):
                reconfigure(errors="surrogateescape")


def _internal(findings: list[Finding]) -> bool:
    return any(f.severity == "internal" for f in findings)


def _explain_internal(findings: list[Finding], verbose: bool) -> None:
    """With ``--verbose``, the traceback of each internal error (on standard error)."""
    if not verbose:
        return
    for finding in findings:
        if finding.severity == "internal" and finding.detail:
            click.echo(f"initlint: internal error on {finding.filename}:\n{finding.detail}", err=True)


def _use_colour() -> bool:
    """Colours only on a terminal, and never with NO_COLOR set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


_LOCATION = re.compile(r"^(?P<where>.+?:\d+:\d+:) (?P<code>IL\d{3})", re.MULTILINE)
_CARETS = re.compile(r"^( *\| [ \t]*)(\^+)", re.MULTILINE)  # the marks under the primary span
_LABEL = re.compile(r"^( *)(= (?:note|help):)", re.MULTILINE)


def _colour(text: str) -> str:
    def paint(match: re.Match[str]) -> str:
        return f"{click.style(match['where'], bold=True)} {click.style(match['code'], fg='red', bold=True)}"

    text = _LOCATION.sub(paint, text)
    text = _CARETS.sub(lambda m: m[1] + click.style(m[2], fg="red", bold=True), text)
    return _LABEL.sub(lambda m: m[1] + click.style(m[2], fg="cyan" if "help" in m[2] else "blue", bold=True), text)


def _statistics_json(findings: list[Finding]) -> str:
    """``--statistics`` in a machine-readable format: one entry per rule, as ruff gives it."""
    counts = Counter(f.code for f in findings)
    fixable = Counter(f.code for f in findings if f.fix is not None)
    return json.dumps([{"code": code, "name": rule_name(code), "count": n, "fixable": fixable[code]}
                       for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))], indent=2)


def _statistics(findings: list[Finding]) -> str:
    counts = Counter(f.code for f in findings)
    lines = [f"{n:>5}  {code}  {rule_name(code)}" for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines.append(f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''}.")
    return "\n".join(lines)


@main.command()
@click.argument("code")
def rule(code: str) -> None:
    """Print a rule's page (e.g. `initlint rule IL101`)."""
    code = code.upper()
    if code not in RULES:
        raise click.BadParameter(f"unknown rule {code!r} (see `initlint rules`)", param_hint="CODE")
    page = rule_page(code)
    if page is None:
        known = RULES[code]
        click.echo(f"# {known.code}: {known.name}\n\n{known.summary}.")
        return
    click.echo(page.rstrip())


@main.command()
def server() -> None:
    """Run the language server for editors (LSP on stdin/stdout; needs `pip install "initlint[lsp]"`)."""
    try:
        from initlint.server import serve  # pygls is needed here only
    except ImportError as error:
        click.echo(f"initlint: error: the language server needs pygls ({error}); "
                   "install it with `pip install \"initlint[lsp]\"`", err=True)
        sys.exit(2)
    serve()


@main.command(name="rules")
def list_rules() -> None:
    """List every rule: code, name, and what it finds."""
    width = max(len(known.name) for known in RULES.values())
    click.echo(f"{'code':<6} {'name':<{width}} {'fix':<6} {'default':<8} summary")
    for known in RULES.values():
        click.echo(f"{known.code:<6} {known.name:<{width}} {known.fix:<6} {'on' if known.default else 'off':<8} {known.summary}")


def _fix_summary(results: list[FileFix]) -> str:
    """``--show-fixes``: per file, how many fixes of each rule went in (as ruff lists them), then the findings
    left that have no fix, each with the reason."""
    lines: list[str] = []
    for result in results:
        if not result.codes:
            continue
        lines.append(f"- {result.path}:")
        for code, count in sorted(Counter(result.codes).items()):
            lines.append(f"    {count} x {code} ({rule_name(code)})")
    left = sorted((f for r in results for f in r.findings), key=Finding.sort_key)
    return "".join(line + "\n" for line in lines) + _no_fix_list(left)


def _no_fix_list(findings: list[Finding]) -> str:
    """The findings that have no fix, and why (``--show-fixes``)."""
    unfixable = [f for f in findings if f.fix is None]
    if not unfixable:
        return ""
    lines = [f"No fix for {len(unfixable)} finding{'s' if len(unfixable) != 1 else ''}:"]
    lines += [f"- {f.where()}: {f.code}: {f.no_fix or 'no fix is known for this case'}"
              for f in unfixable]
    return "".join(line + "\n" for line in lines)


if __name__ == "__main__":  # pragma: no cover - after every definition, so ``python -m initlint.cli`` has them all
    main()
