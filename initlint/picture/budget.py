"""Work budgets of the abstract interpreter, in one place.

Each bound makes adversarial or merely large code cheap: past it a value is UNKNOWN (the rules stay silent
about what it feeds) and the rest of the file is still analysed. The numbers are far above what model code
needs (a VGG config has 21 items, a ResNet stage list 4, layer sizes fit in 32 bits).
"""

from __future__ import annotations

# arithmetic
MAX_INT_BITS = 1024  # an integer result wider than this is UNKNOWN (``10 ** 10 ** 8`` is never computed)
MAX_NUMBER = 1e300  # a number past this (or a nonzero one below its inverse) is UNKNOWN: every check's float
# arithmetic on it (a fan's square root, a std times a gain) stays within float range
MAX_SEQUENCE = 10_000  # a tuple or list literal, or a repetition ``(1,) * n``, longer than this is UNKNOWN

# statements
MAX_UNROLL = 32  # a ``for v in cfg`` over at most this many known items runs once per item
MAX_UNROLLED_RUNS = 256  # item-by-item body runs in one function, nested loops together; then loops run once
MAX_STATEMENTS = 50_000  # statements one construction interpreter runs (nested calls included) before it stops

# containers
MAX_EXPANSION = 64  # a block repeated a known number of times is spelled out up to this count
MAX_ITEMS = 4_096  # items a container holds when expanded (nested repeats multiply); past it: unknown count
MAX_NESTING = 16  # containers inside containers spelled out; deeper ones are opaque

# calls
MAX_CALL_DEPTH = 4  # helpers calling helpers: deeper calls return UNKNOWN
MAX_CALLS = 2_000  # local calls followed from one entry point (all depths together); then UNKNOWN

# layers
MAX_RNN_LAYERS = 64  # an RNN's ``num_layers`` beyond this has its per-layer parameters left unknown
MAX_DIM = 2**40  # a layer size beyond this is unknown (no fan, no std: nothing is said about it)


def int_fits(value: int) -> bool:
    return abs(value).bit_length() <= MAX_INT_BITS


def number_fits(value: float) -> bool:
    """A value the rules can compute with in floats (``nn.Linear(10 ** 400, 8)``, ``gain=1e-310`` are not)."""
    magnitude = abs(value)
    return magnitude <= MAX_NUMBER and (magnitude == 0 or magnitude >= 1 / MAX_NUMBER)


# Local names followed back (through their assignments) to tell whether a layer size reads a constructor
# argument that the file's instantiation binds (bindings.py).
MAX_SOURCE_NAMES = 64


class Work:
    """What one entry point (a class's construction, module-level code, an init routine) has spent; the
    interpreters it starts share it, so nesting and fan-out are bounded together."""

    __slots__ = ("calls", "statements", "unrolled")

    def __init__(self) -> None:
        self.unrolled = 0  # loop bodies run item by item
        self.calls = 0  # local calls followed
        self.statements = 0  # statements run

    def unroll(self, items: int) -> bool:
        """Whether a loop over ``items`` known items may still run item by item (and count it if so)."""
        if self.unrolled + items > MAX_UNROLLED_RUNS:
            return False
        self.unrolled += items
        return True

    def call(self) -> bool:
        self.calls += 1
        return self.calls <= MAX_CALLS

    def statement(self) -> bool:
        self.statements += 1
        return self.statements <= MAX_STATEMENTS

# projects (initlint/project.py, picture/linking.py)
MAX_GROUP_FILES = 64  # files one worker checks together (imports between groups are not followed)
MAX_LINKED_FILES = 32  # other files whose definitions one file's picture takes in
MAX_LINKED_DEFINITIONS = 256  # top-level definitions (classes, functions, constants) taken in from them
MAX_IMPORT_CHAIN = 8  # re-exports followed (``models/__init__.py``'s ``from .networks import *``)
