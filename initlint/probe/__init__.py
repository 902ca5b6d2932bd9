"""The probe: build the user's model, run it, and measure what its initialization does to the signal.

Unlike ``initlint check``, everything here imports and runs user code, and needs torch (the ``probe``
extra). The names below are loaded on first use, so importing this package (as the CLI does to register
the command) costs nothing and never imports torch.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "lsuv_init": "initlint.probe.lsuv",
    "LSUVReport": "initlint.probe.lsuv",
    "monitor": "initlint.probe.monitoring",
    "Monitor": "initlint.probe.monitoring",
    "ProbeWarning": "initlint.probe.monitoring",
    "measure": "initlint.probe.stats",
}

__all__ = ["LSUVReport", "Monitor", "ProbeWarning", "lsuv_init", "measure", "monitor"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
