"""The construction interpreter, assembled from its parts: one class per job (see frame.py)."""

from __future__ import annotations

from initlint.picture.calls import Calls
from initlint.picture.composite_calls import CompositeCalls
from initlint.picture.containers import Containers
from initlint.picture.drawn import Drawn
from initlint.picture.expressions import Expressions
from initlint.picture.param_names import ParamNames
from initlint.picture.recorder import Recorder
from initlint.picture.statements import Statements


class Interpreter(Statements, Expressions, Calls, CompositeCalls, Containers, ParamNames, Drawn, Recorder):
    """Runs one function body abstractly: statements, expressions, containers, calls and init sites."""
