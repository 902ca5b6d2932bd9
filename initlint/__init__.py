"""initlint: static analysis of weight initialization in PyTorch model code."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("initlint")
except PackageNotFoundError:  # running from a checkout
    __version__ = "0.0.0"

from initlint.analysis import check_source
from initlint.engine import check_paths

__all__ = ["__version__", "check_paths", "check_source"]
