"""initlint: static analysis of weight initialization in PyTorch model code."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("initlint")
except PackageNotFoundError:  # running from a checkout
    __version__ = "0.0.0"

from initlint.engine import check_paths, check_source

__all__ = ["__version__", "check_paths", "check_source"]
