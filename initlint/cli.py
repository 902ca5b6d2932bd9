"""The ``initlint`` command line: click commands and nothing else."""

from __future__ import annotations

import sys

import click

from initlint import __version__
from initlint.config import DEFAULT_SELECT, Settings
from initlint.engine import check_paths
from initlint.registry import RULES, known_prefix, rule_page
from initlint.report import FORMATS


def _codes(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    for code in codes:
        if not known_prefix(code):
            raise click.BadParameter(f"unknown rule code or prefix {code!r} (see `initlint rules`)")
    return codes


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="initlint")
def main() -> None:
    """Find weight initialization that does not fit the activation that follows it."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", callback=_codes, help="Comma-separated rule codes or prefixes to enable (e.g. IL1,IL401).")
@click.option("--ignore", callback=_codes, help="Comma-separated rule codes or prefixes to disable.")
@click.option("--output-format", type=click.Choice(sorted(FORMATS)), default="text", show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
def check(paths: tuple[str, ...], select: tuple[str, ...] | None, ignore: tuple[str, ...] | None,
          output_format: str, jobs: int | None, exit_zero: bool) -> None:
    """Check Python files (default: the current directory) and report findings."""
    settings = Settings(select=select or DEFAULT_SELECT, ignore=ignore or ())
    findings, count = check_paths(list(paths) or ["."], settings, jobs=jobs)
    click.echo(FORMATS[output_format](findings, count))
    if any(f.severity == "internal" for f in findings):
        sys.exit(2)
    sys.exit(0 if exit_zero or not findings else 1)


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


@main.command(name="rules")
def list_rules() -> None:
    """List every rule: code, name, and what it finds."""
    for known in RULES.values():
        click.echo(f"{known.code}  {known.name:<30} {known.summary}")


if __name__ == "__main__":  # pragma: no cover
    main()
