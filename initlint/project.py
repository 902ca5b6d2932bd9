"""The checked tree as a project: which checked file an import names, and which files are checked together.

Never imports or runs anything: modules are found by path, the way Python would find them.

- A relative import (``from .utils import x``, ``from .. import models``) is resolved from the importing
  file's own directory.
- An absolute import (``from models.networks import init_weights``) is tried against the ``src`` roots of
  the configuration first, then against the importing file's directory and each directory above it, nearest
  first: the root from which the dotted path exists among the checked files, as Python would find it with
  that directory on ``sys.path`` (``python train.py`` puts the script's directory there; a project root
  holding the top package is found a few levels up).
- A file that adds directories to ``sys.path`` itself (``sys.path.append(os.path.join(os.path.dirname(
  __file__), '..', 'lib'))``, read statically by sys_path.py) has its absolute imports tried against those
  directories too. When they and the roots above name two different files for one import, the import is
  left unresolved: which one Python takes depends on the order of ``sys.path`` at run time.
- Only checked files are ever named: ``initlint check train.py`` checks one file, alone.

Files that import each other are checked together, by one worker (``groups``): each file is parsed once,
by the worker that checks its group, and the pictures of the files that import it are built from the same
parsed tree. Imports are found for grouping by a cheap scan of the text (no parse); a large connected set of
files is cut into groups of at most ``MAX_GROUP_FILES`` (budget.py), so a library of a thousand files still
uses every core and bounded memory. An import whose target fell into another group is not followed, which
costs only what it would have found (the file is then checked as if that module were third-party).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from initlint.picture.budget import MAX_GROUP_FILES

_FROM = re.compile(r"^[ \t]*from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import\b", re.MULTILINE)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([\w.]+(?:[ \t]*,[ \t]*[\w.]+)*)", re.MULTILINE)
_SUFFIXES = (".py", ".pyi")


class Tree:
    """The checked files, as absolute paths, and how a module path names one of them."""

    def __init__(self, files: Iterable[str], src: Sequence[str] = (),
                 added: Mapping[str, Sequence[str]] | None = None) -> None:
        self.files = {os.path.normpath(os.path.abspath(f)): f for f in files if f.endswith(_SUFFIXES)}
        self.src = tuple(os.path.normpath(os.path.abspath(s)) for s in src)
        # the directories each file adds to ``sys.path`` itself (sys_path.py), by the file's absolute path
        self.added = {os.path.normpath(os.path.abspath(f)): tuple(roots) for f, roots in (added or {}).items() if roots}

    def _module_file(self, base: str, dotted: str) -> str | None:
        """The checked file ``dotted`` names below directory ``base`` (a module or a package's __init__)."""
        stem = os.path.join(base, *dotted.split(".")) if dotted else base
        for candidate in (stem + ".py", stem + ".pyi", os.path.join(stem, "__init__.py"),
                          os.path.join(stem, "__init__.pyi")):
            if dotted == "" and not candidate.endswith(("__init__.py", "__init__.pyi")):
                continue
            found = self.files.get(candidate)
            if found is not None:
                return found
        return None

    def resolve(self, importer: str, level: int, dotted: str) -> str | None:
        """The checked file an import names (as the path was given), or None when it is not in the tree."""
        here = os.path.dirname(os.path.normpath(os.path.abspath(importer)))
        if level > 0:
            base = here
            for _ in range(level - 1):
                base = os.path.dirname(base)
            return self._module_file(base, dotted)
        if not dotted:
            return None
        usual = self._absolute(here, dotted)
        added = self.added.get(os.path.normpath(os.path.abspath(importer)), ())
        through = {found for root in added if (found := self._module_file(root, dotted)) is not None}
        if usual is not None:
            through.add(usual)
        # one module wherever it is found from; two roots that name different files: which one Python
        # takes depends on the order of sys.path at run time, so none is picked
        return through.pop() if len(through) == 1 else None

    def _absolute(self, here: str, dotted: str) -> str | None:
        """An absolute import through the ``src`` roots, then the importing file's directory and those above."""
        for root in self.src:
            found = self._module_file(root, dotted)
            if found is not None:
                return found
        base = here
        while True:
            found = self._module_file(base, dotted)
            if found is not None:
                return found
            parent = os.path.dirname(base)
            if parent == base:
                return None
            base = parent

    def edges(self, texts: Mapping[str, str]) -> Iterator[tuple[str, str]]:
        """(importer, imported) for the imports found in the files' texts (``scanned_imports``)."""
        for importer, text in texts.items():
            if not importer.endswith(_SUFFIXES):
                continue
            for level, module, names in scanned_imports(text):
                targets = [self.resolve(importer, level, module)]
                targets += [self.submodule(importer, level, module, n) for n in names]
                for target in targets:
                    if target is not None and target != importer:
                        yield importer, target

    def connected(self, texts: Mapping[str, str]) -> set[str]:
        """The files of ``texts`` that import another of them or are imported by one."""
        out: set[str] = set()
        for importer, target in self.edges(texts):
            if target in texts:
                out |= {importer, target}
        return out

    def submodule(self, importer: str, level: int, dotted: str, name: str) -> str | None:
        """``from pkg import name`` where ``name`` is a module of the package (not a name defined in it)."""
        return self.resolve(importer, level, f"{dotted}.{name}" if dotted else name)


def scanned_imports(text: str) -> list[tuple[int, str, list[str]]]:
    """(level, module, names) of the import lines of a file's text, found without parsing it: enough to know
    which files to check together (the worker reads the real imports from the parse)."""
    out: list[tuple[int, str, list[str]]] = []
    for match in _FROM.finditer(text):
        level, module = len(match.group(1)), match.group(2)
        rest = text[match.end(): text.find("\n", match.end()) if "\n" in text[match.end():] else len(text)]
        names = re.findall(r"[A-Za-z_]\w*", rest.split("#", 1)[0].replace(" as ", " "))
        out.append((level, module, names))
    for match in _IMPORT.finditer(text):
        for module in match.group(1).split(","):
            out.append((0, module.strip(), []))
    return out


def groups(files: Sequence[str], texts: dict[str, str], tree: Tree) -> list[list[str]]:
    """The files cut into groups checked by one worker each: files that import each other (directly or
    through others) share a group, up to ``MAX_GROUP_FILES`` files (then the connected set is cut in path
    order, so a package's neighbours stay together as far as they can)."""
    parent = {f: f for f in files}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for importer, target in tree.edges({f: texts[f] for f in files if f in texts}):
        if target in parent:
            parent[find(target)] = find(importer)
    by_root: dict[str, list[str]] = {}
    for f in files:
        by_root.setdefault(find(f), []).append(f)
    out: list[list[str]] = []
    for members in by_root.values():
        members.sort(key=lambda p: Path(p).as_posix())
        for start in range(0, len(members), MAX_GROUP_FILES):
            out.append(members[start: start + MAX_GROUP_FILES])
    out.sort(key=lambda g: (-len(g), g[0]))
    return out
