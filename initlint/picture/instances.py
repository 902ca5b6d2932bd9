"""Where a file builds the instances of its own module classes (Picture.instances): what tells the uses of
one ``LinearNorm(...)`` apart from another's, for judging a wrapper class's init per instance
(checks/per_instance.py)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class InstanceCall:
    """Where the file builds one kind of instance of its own module class: ``LinearNorm(i, o, bias=False)``,
    and which ``__init__`` parameters that call passes (None: not known, a ``*args``/``**kw`` call)."""

    cls: str
    passed: frozenset[str] | None
    text: str
    node: object = field(repr=False, compare=False)
    init_calls: frozenset[int] = frozenset()  # ids of the calls written in the class's own ``__init__``
    init_locals: frozenset[str] = frozenset()  # names that ``__init__`` assigns (not its parameters)
