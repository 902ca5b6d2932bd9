"""The older name of :mod:`initlint.picture.eval` (the evaluator) and of the domain's ``UNKNOWN``."""

from initlint.picture.domain import UNKNOWN, is_number
from initlint.picture.eval import Evaluator, gain_name

__all__ = ["UNKNOWN", "Evaluator", "gain_name", "is_number"]
