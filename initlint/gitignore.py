"""Which files git ignores, asked of git in a way a checkout cannot turn into running its own commands.

A repository's ``.git/config`` is written by whoever made the checkout; keys such as ``core.fsmonitor``
name a program git runs when it reads the index. initlint runs on strangers' pull requests, so every such
key is overridden on the command line (which wins over every config file) and git gets a plain environment.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# Config keys that make git run a program while answering ``check-ignore``, overridden to do nothing.
SAFE_CONFIG = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.untrackedCache=false",
    "core.sshCommand=false",
    "core.pager=cat",
    "core.askPass=",
    "credential.helper=",
    "protocol.allow=never",
    "diff.external=",
)
# Environment variables that would make git run something or read another configuration.
_UNSAFE_ENVIRONMENT = ("GIT_EXTERNAL_DIFF", "GIT_PAGER", "GIT_ASKPASS", "GIT_SSH", "GIT_SSH_COMMAND",
                       "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_PROXY_COMMAND")


def git_command(*args: str) -> list[str]:
    command = ["git"]
    for setting in SAFE_CONFIG:
        command += ["-c", setting]
    return [*command, *args]


def git_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _UNSAFE_ENVIRONMENT}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    return env


def git_ignored(paths: list[Path], where: Path) -> set[Path]:
    """The paths git would ignore, asked from ``where`` (nothing when git or a repository is not there).

    A path git refuses (outside the repository, inside a submodule) costs only itself: a batch git rejects
    is split in halves until the paths it accepts are answered."""
    cwd = where if where.is_dir() else Path.cwd()
    answer = _check_ignore(paths, cwd)
    if answer is not None:
        return answer
    if len(paths) == 1:
        return set()
    middle = len(paths) // 2
    return git_ignored(paths[:middle], where) | git_ignored(paths[middle:], where)


def _check_ignore(paths: list[Path], cwd: Path) -> set[Path] | None:
    """One ``git check-ignore`` call; None when git rejects the batch (so it can be split)."""
    # Absolute, through the real directories git sees (a path relative to our cwd means nothing to git's).
    by_name = {os.fsencode(os.path.join(os.path.realpath(p.parent), p.name)): p for p in paths}
    try:
        result = subprocess.run(
            git_command("check-ignore", "--stdin", "-z"), input=b"\0".join(by_name) + b"\0",
            capture_output=True, timeout=60, cwd=os.path.realpath(cwd), env=git_environment(), check=False)
    except (OSError, subprocess.SubprocessError, ValueError):
        return set()
    if result.returncode in (0, 1):
        return {by_name[name] for name in result.stdout.split(b"\0") if name in by_name}
    if b"not a git repository" in result.stderr.lower():
        return set()  # no repository at all: nothing to split
    return None
