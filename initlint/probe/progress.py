"""A progress bar for long probes (``--train``, ``--compare`` over many schemes): on a terminal only, and
never under CI (the ``CI`` variable), so logs stay clean. click's own progress bar, no new dependency."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import TextIO

import click


def wanted(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("CI")


@contextlib.contextmanager
def progress(total: int, label: str, stream: TextIO | None = None) -> Iterator[Callable[[], None]]:
    """Yields ``advance()``; a bar on ``stream`` (stderr) only when it is a terminal and this is not CI."""
    stream = stream or sys.stderr
    if total <= 1 or not wanted(stream):
        yield lambda: None
        return
    with click.progressbar(length=total, label=label, file=stream, show_eta=True) as bar:
        yield lambda: bar.update(1)
