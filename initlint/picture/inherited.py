"""Init methods a class inherits: ``BaseNetwork.init_weights`` judged on each subclass that builds layers.

A very common pattern keeps one ``init_weights(self, init_type='normal', gain=0.02)`` on a base class that
builds nothing (``self.apply(init_func)``), and the generators and discriminators that subclass it (in the
same file or, through the imports between checked files, in others) build the layers. Run on the base alone
the method reaches nothing; Python runs it with ``self`` being the subclass, so that is what it is judged
on. Only methods that initialize ``self``'s modules wholesale qualify (``self.apply(fn)``, loops over
``self.modules()``, ``self.named_parameters()``, ..., or ``self`` handed to a free function of the file:
``init_weights(self, init_type)``): what they reach is whatever the subclass builds.
A subclass's own method of the same name wins (Python's lookup), and a subclass without its own
``__init__`` builds what its base builds, which the base's own run judges already.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import libcst as cst

from initlint.picture.domain import ClassInfo

# ``self.<name>(...)``: the calls that hand over every module or parameter of ``self``
SELF_WHOLESALE = frozenset({"apply", "modules", "named_modules", "children", "named_children", "parameters",
                            "named_parameters"})


def initializes_self_wholesale(fn: cst.FunctionDef) -> bool:
    """The method's body calls ``self.apply(...)`` or iterates ``self.modules()`` and its kin."""
    return _self_uses(fn)[0]


def helpers_given_self(fn: cst.FunctionDef) -> frozenset[str]:
    """The plain names the method calls with ``self`` itself as an argument (``init_weights(self, init_type)``):
    a free function of the file handed the whole model (the builder tells them from builtins)."""
    return _self_uses(fn)[1]


def _self_uses(fn: cst.FunctionDef) -> tuple[bool, frozenset[str]]:
    params = fn.params.params
    if not params or params[0].name.value != "self":
        return False, frozenset()
    wholesale = False
    helpers: set[str] = set()
    pending: list[cst.CSTNode] = [fn.body]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in SELF_WHOLESALE \
                    and isinstance(func.value, cst.Name) and func.value.value == "self":
                wholesale = True
            elif isinstance(func, cst.Name) and any(
                    arg.keyword is None and not arg.star and isinstance(arg.value, cst.Name)
                    and arg.value.value == "self" for arg in node.args):
                helpers.add(func.value)
        pending.extend(node.children)
    return wholesale, frozenset(helpers)


def inherited_init_methods(info: ClassInfo, bases: Callable[[ClassInfo], list[ClassInfo]],
                           looks_like_init: Callable[[cst.FunctionDef], bool],
                           wholesale: Callable[[cst.FunctionDef], bool]) -> Iterator[tuple[cst.FunctionDef, ClassInfo]]:
    """The init methods ``info`` inherits from its bases (resolved through imports by ``bases``), each with
    the class that defines it, as Python's method lookup finds them (depth first, left to right; a nearer
    definition of the name wins, the class's own above all)."""
    if "__init__" not in info.methods:
        return
    seen: set[str] = set(info.methods)
    pending = list(reversed(bases(info)))
    visited: set[int] = {id(info)}
    while pending:
        base = pending.pop()
        if id(base) in visited or len(visited) > 50:
            continue
        visited.add(id(base))
        for name, fn in base.methods.items():
            if name in seen:
                continue
            seen.add(name)
            if name != "__init__" and looks_like_init(fn) and wholesale(fn):
                yield fn, base
        pending.extend(reversed(bases(base)))
