"""The older name of :mod:`initlint.picture.torchspec`: the same names, kept for the modules that import it."""

from initlint.picture.torchspec import *
from initlint.picture.torchspec import __all__  # noqa: F401
