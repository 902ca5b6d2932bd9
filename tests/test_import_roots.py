"""Import roots a script adds to ``sys.path`` itself (sys_path.py), and a class imported from another file
that the importing file builds with modules as arguments (``Top(Encoder(...))``)."""

from __future__ import annotations

from pathlib import Path

from initlint.config import Settings
from initlint.explain import explain_paths
from initlint.sys_path import added_roots
from tests.test_project import run, where, write

PARTS = """\
import torch
import torch.nn as nn


class FeedForward(nn.Module):
    \"\"\"One convolution over time, then ReLU.\"\"\"

    def __init__(self, width, hidden):
        super().__init__()
        self.up = nn.Conv1d(width, hidden, kernel_size=3, padding=1)

    def forward(self, x):
        return torch.relu(self.up(x))
"""
TOP = """\
import torch.nn as nn


class Top(nn.Module):
    def __init__(self, body):
        super().__init__()
        self.body = body
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)

    def forward(self, x):
        return self.body(x)
"""
PLAIN_TOP = """\
import torch.nn as nn


class Top(nn.Module):
    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return self.body(x)
"""
TRAIN = """\
from parts import FeedForward
from top import Top


def main(args):
    body = FeedForward(args.width, args.hidden)
    return Top(body)
"""
XAVIER_LINE = 10  # of TOP


def adding(line: str) -> str:
    return f"import os\nimport sys\n\n{line}\n\n" + TRAIN


def test_an_imported_class_built_with_a_module_in_another_file(tmp_path: Path) -> None:
    """``Top(body)`` in train.py, ``Top`` from top.py, ``body`` a FeedForward of parts.py: the blanket
    xavier in Top's ``__init__`` reaches the passed part's ``up`` that feeds ReLU (the import line binding
    ``Top`` is no use of the class that would leave its constructor arguments unknown)."""
    write(tmp_path, {"parts.py": PARTS, "top.py": TOP, "train.py": TRAIN})
    findings = run(tmp_path)
    assert where(findings, tmp_path) == [("top.py", XAVIER_LINE, "IL101")]
    assert "`FeedForward.up` (Conv1d(?, ?, 3), parts.py:10)" in findings[0].message


def test_a_directory_the_script_adds_to_sys_path_is_an_import_root(tmp_path: Path) -> None:
    """src/ layout: src/bin/train.py adds src/model to ``sys.path`` and imports ``parts`` and ``top`` by
    their bare names, as a run of the script finds them."""
    files = {"src/model/parts.py": PARTS, "src/model/top.py": TOP}
    line = "sys.path.append(os.path.join(os.path.dirname(__file__), '..', 'model'))"
    write(tmp_path, files | {"src/bin/train.py": adding(line)})
    assert where(run(tmp_path), tmp_path) == [("src/model/top.py", XAVIER_LINE, "IL101")]


def test_without_the_added_path_the_imports_stay_unresolved(tmp_path: Path) -> None:
    """The same tree with the ``sys.path`` line left out (or a path relative to the directory the script is
    started from, which the text does not tell): train.py takes nothing in from the other files, and the
    blanket init in top.py, checked on its own, reaches no layer (``--explain`` says both)."""
    for line in ("", "sys.path.append('../model')", "sys.path.append(os.path.join(os.getcwd(), 'model'))"):
        write(tmp_path, {"src/model/parts.py": PARTS, "src/model/top.py": TOP, "src/bin/train.py": adding(line)})
        assert run(tmp_path) == [], line
        text, ok = explain_paths([str(tmp_path)], Settings(respect_gitignore=False))
        assert ok
        assert "takes in from the checked files" not in text, line
        assert "src/bin/train.py: no init call reaches a layer this file builds" in text, line
        assert "src/model/top.py: no init call reaches a layer this file builds" in text, line


def test_two_roots_naming_different_modules_pick_none(tmp_path: Path) -> None:
    """tools/train.py adds ../lib, and both tools/ (the script's own directory) and lib/ hold a ``top``:
    which one Python imports depends on the order of ``sys.path`` at run time, so neither is taken. With
    the one in tools/ gone, lib/top.py is the module and its init is checked against the part."""
    line = "sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))"
    write(tmp_path, {"lib/parts.py": PARTS, "lib/top.py": TOP, "tools/top.py": PLAIN_TOP,
                     "tools/train.py": adding(line)})
    assert run(tmp_path) == []
    (tmp_path / "tools" / "top.py").unlink()
    assert where(run(tmp_path), tmp_path) == [("lib/top.py", XAVIER_LINE, "IL101")]


def test_the_paths_read_from_sys_path_calls(tmp_path: Path) -> None:
    """Each form fixed by where the file is; never one that depends on the working directory or on a name
    the file binds twice; ``os``, ``sys`` and ``Path`` as the file imports them."""
    script = tmp_path / "a" / "b" / "run.py"
    text = """\
import os.path as osp
import sys
from pathlib import Path

HERE = osp.dirname(osp.abspath(__file__))
TWICE = "/x"
TWICE = "/y"
sys.path.insert(0, HERE)
sys.path.append(str(Path(__file__).resolve().parents[1] / "lib"))
sys.path.append(osp.join(HERE, "..", "..", "vendor"))
sys.path.append(Path(__file__).parent.parent)
sys.path.append("/opt/models")
sys.path.append("..")
sys.path.append(TWICE)
sys.path.append(osp.join(osp.getcwd(), "x"))
"""
    base = script.parent
    assert added_roots(str(script), text) == [str(base), str(base.parent / "lib"), str(tmp_path / "vendor"),
                                              str(base.parent), "/opt/models"]
    # ``sys`` not the module: nothing is read
    assert added_roots(str(script), text.replace("import sys\n", "sys = object()\n")) == []
