"""TARGET -> a function that builds a fresh model: ``path/to/file.py:ClassName`` or ``pkg.module:factory``.

This is where the probe imports the user's code (and so runs whatever it runs at import time)."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import itertools
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import torch
from torch import nn

_COUNTER = itertools.count()


class TargetError(Exception):
    """A target that cannot be loaded or built: the message says why, for the user."""


@dataclass
class Target:
    spec: str  # as the user wrote it
    attribute: str  # ``ClassName`` or ``factory`` (may be dotted)
    source_path: Path | None  # the file the object is defined in, when known
    module_name: str | None  # ``pkg.module`` for module targets
    kwargs: dict[str, Any] = field(default_factory=dict)
    obj: Any = None

    @property
    def label(self) -> str:
        return self.spec if not self.kwargs else f"{self.spec}({_kwargs_text(self.kwargs)})"

    def build(self, seed: int) -> nn.Module:
        """A fresh model, built from the same seed every time (so schemes start from the same draw)."""
        return _construct(self.obj, self.kwargs, seed, self.spec)

    def lines(self) -> tuple[int, int] | None:
        """The first and last line of the target's definition in its file (for matching static findings)."""
        try:
            source, first = inspect.getsourcelines(self.obj)
        except (OSError, TypeError):
            return None
        return first, first + len(source) - 1

    def build_fixed(self, fixed_source: str, seed: int) -> nn.Module:
        """The model built from ``fixed_source`` (the target's file after initlint's fixes), loaded from a
        temporary copy so the user's file is never touched."""
        assert self.source_path is not None
        with tempfile.TemporaryDirectory(prefix="initlint-probe-") as tmp:
            copy = Path(tmp) / self.source_path.name
            copy.write_text(fixed_source, encoding="utf-8")
            package = self.module_name.rpartition(".")[0] if self.module_name else None
            module = _load_file(copy, search_dir=self.source_path.parent, package=package or None)
            obj = _resolve(module, self.attribute, self.spec)
            return _construct(obj, self.kwargs, seed, self.spec)


def _kwargs_text(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def parse_kwargs(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise TargetError(f"--kwargs is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise TargetError(f"--kwargs must be a JSON object such as '{{\"depth\": 20}}', not {text!r}")
    return value


def load_target(spec: str, kwargs: dict[str, Any]) -> Target:
    where, sep, attribute = spec.rpartition(":")
    if not sep or not where or not attribute:
        raise TargetError(f"target {spec!r} must be `path/to/file.py:ClassName` or `package.module:factory`")
    if where.endswith(".py") or "/" in where or "\\" in where:
        path = Path(where)
        if not path.is_file():
            raise TargetError(f"target {spec!r}: no such file {where!r}")
        module = _load_file(path.resolve(), search_dir=path.resolve().parent, package=None)
        target = Target(spec, attribute, path.resolve(), None, kwargs)
    else:
        try:
            module = importlib.import_module(where)
        except ImportError as error:
            raise TargetError(f"target {spec!r}: cannot import {where!r}: {error}") from None
        except Exception as error:  # noqa: BLE001 - the user's module failed at import time
            raise TargetError(f"target {spec!r}: importing {where!r} raised {type(error).__name__}: {error}") from None
        file = getattr(module, "__file__", None)
        target = Target(spec, attribute, Path(file).resolve() if file else None, where, kwargs)
    target.obj = _resolve(module, attribute, spec)
    if not callable(target.obj):
        raise TargetError(f"target {spec!r}: {attribute!r} is not a class or a function")
    return target


def _load_file(path: Path, search_dir: Path, package: str | None) -> ModuleType:
    """Import a file as a module of its own (its directory on sys.path while it loads, like a script)."""
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)
    name = f"{package}._initlint_probe_{stem}_{next(_COUNTER)}" if package else f"_initlint_probe_{stem}_{next(_COUNTER)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise TargetError(f"cannot load {str(path)!r} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(search_dir))
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # noqa: BLE001 - the user's file failed at import time
        sys.modules.pop(name, None)
        raise TargetError(f"importing {str(path)!r} raised {type(error).__name__}: {error}") from None
    finally:
        try:
            sys.path.remove(str(search_dir))
        except ValueError:
            pass
    return module


def _resolve(module: ModuleType, attribute: str, spec: str) -> Any:
    obj: Any = module
    for part in attribute.split("."):
        if not hasattr(obj, part):
            raise TargetError(f"target {spec!r}: {module.__name__!r} has no attribute {attribute!r}")
        obj = getattr(obj, part)
    return obj


def _construct(obj: Any, kwargs: dict[str, Any], seed: int, spec: str) -> nn.Module:
    torch.manual_seed(seed)
    try:
        model = obj(**kwargs)
    except Exception as error:  # noqa: BLE001 - the user's constructor failed
        raise TargetError(f"building {spec!r} raised {type(error).__name__}: {error}") from None
    if not isinstance(model, nn.Module):
        raise TargetError(f"target {spec!r} returned {type(model).__name__}, not a torch.nn.Module")
    return model
