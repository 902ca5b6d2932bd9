"""Whole projects (issue 16, item 5): the init helper, the model and ``apply`` in different files."""

from __future__ import annotations

import os
import signal
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from initlint import analysis, engine
from initlint.config import Settings, settings_from_table
from initlint.engine import check_paths
from initlint.explain import explain_paths
from initlint.findings import Finding
from initlint.project import Tree, groups

UTILS = """\
import torch.nn as nn


def weights_init(m):
    if isinstance(m, nn.Conv2d):
        nn.init.xavier_uniform_(m.weight)
"""
MODELS = """\
import torch.nn as nn


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(3, 64, 4, 2, 1),
            nn.ReLU(),
            nn.Conv2d(64, 128, 4, 2, 1),
            nn.ReLU(),
        )

    def forward(self, x):
        return self.model(x)
"""
TRAIN = """\
from .models import Discriminator
from .utils import weights_init

net = Discriminator()
net.apply(weights_init)
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def run(*paths: Path, settings: Settings | None = None, jobs: int = 1) -> list[Finding]:
    findings, _ = check_paths([str(p) for p in paths], settings or Settings(respect_gitignore=False), jobs=jobs)
    return findings


def where(findings: list[Finding], root: Path) -> list[tuple[str, int, str]]:
    return [(Path(f.filename).relative_to(root).as_posix(), f.row, f.code) for f in findings]


def test_relative_imports_apply_in_another_file(tmp_path: Path) -> None:
    """``net.apply(weights_init)`` in train.py, the helper in utils.py, the model in models.py: the finding
    is at the init call, in utils.py, and names the model and the file of each layer."""
    write(tmp_path, {"pkg/__init__.py": "", "pkg/utils.py": UTILS, "pkg/models.py": MODELS, "pkg/train.py": TRAIN})
    findings = run(tmp_path)
    assert where(findings, tmp_path) == [("pkg/utils.py", 6, "IL101")]
    message = findings[0].message
    assert "`Discriminator.model.0` (Conv2d(3, 64, 4), models.py:8)" in message
    assert "`Discriminator.model.2` (Conv2d(64, 128, 4), models.py:10)" in message
    assert findings[0].fix is None and "another file" in (findings[0].no_fix or "")


def test_each_file_alone_says_nothing(tmp_path: Path) -> None:
    """Files named alone are checked alone: the helper in utils.py reaches no layer of its own file (and
    nothing calls it: IL503, which the whole project does not say)."""
    write(tmp_path, {"pkg/__init__.py": "", "pkg/utils.py": UTILS, "pkg/models.py": MODELS, "pkg/train.py": TRAIN})
    assert where(run(tmp_path / "pkg" / "utils.py"), tmp_path) == [("pkg/utils.py", 4, "IL503")]
    for name in ("models.py", "train.py"):
        assert run(tmp_path / "pkg" / name) == []
    # named together on the command line, they are one project again
    assert where(run(tmp_path / "pkg" / "train.py", tmp_path / "pkg" / "utils.py", tmp_path / "pkg" / "models.py"),
                 tmp_path) == [("pkg/utils.py", 6, "IL101")]


def test_absolute_import_found_from_an_ancestor_directory(tmp_path: Path) -> None:
    """``from models.networks import init_weights`` in scripts/train.py: the project directory above it is
    the import root (the dotted path exists from there)."""
    write(tmp_path, {
        "models/__init__.py": "",
        "models/networks.py": UTILS.replace("weights_init", "init_weights") + "\n\n" + MODELS,
        "scripts/train.py": """\
            from models.networks import Discriminator, init_weights

            def main():
                net = Discriminator()
                net.apply(init_weights)
            """,
    })
    assert where(run(tmp_path), tmp_path) == [("models/networks.py", 6, "IL101")]


def test_src_setting_adds_an_import_root(tmp_path: Path) -> None:
    """A package under ``lib/`` that no ancestor of the importing file holds is found through ``src``."""
    write(tmp_path, {
        "lib/nets/__init__.py": "",
        "lib/nets/blocks.py": MODELS,
        "lib/nets/init.py": UTILS,
        "tools/run.py": """\
            from nets.blocks import Discriminator
            from nets.init import weights_init

            Discriminator().apply(weights_init)
            """,
    })
    assert run(tmp_path) == []
    settings = settings_from_table({"src": ["lib"], "respect-gitignore": False}, str(tmp_path / "pyproject.toml"),
                                   str(tmp_path))
    assert where(run(tmp_path, settings=settings), tmp_path) == [("lib/nets/init.py", 6, "IL101")]


def test_star_import(tmp_path: Path) -> None:
    """PyTorch-GAN style: ``from models import *`` brings the model (and ``from inits import *`` the init
    function)."""
    write(tmp_path, {
        "models.py": MODELS,
        "inits.py": UTILS,
        "gan.py": """\
            import torch
            from models import *
            from inits import *

            discriminator = Discriminator()
            discriminator.apply(weights_init)
            """,
    })
    findings = run(tmp_path)
    assert where(findings, tmp_path) == [("inits.py", 6, "IL101")]
    assert "models.py:8" in findings[0].message


def test_child_module_from_a_sibling_file(tmp_path: Path) -> None:
    """``self.ff = FeedForward(...)`` with FeedForward in feed_forward.py, the init in the parent."""
    write(tmp_path, {
        "feed_forward.py": """\
            import torch.nn as nn

            class FeedForward(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc1 = nn.Linear(512, 2048)
                    self.fc2 = nn.Linear(2048, 512)

                def forward(self, x):
                    return self.fc2(nn.functional.relu(self.fc1(x)))
            """,
        "tower.py": """\
            import torch.nn as nn
            from feed_forward import FeedForward

            class Tower(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.ff = FeedForward()
                    for p in self.parameters():
                        if p.dim() > 1:
                            nn.init.xavier_uniform_(p)

                def forward(self, x):
                    return self.ff(x)
            """,
    })
    findings = run(tmp_path)
    assert where(findings, tmp_path) == [("tower.py", 10, "IL101")]
    assert "`FeedForward.fc1` (Linear(512, 2048), feed_forward.py:6)" in findings[0].message


def test_a_cycle_between_two_files(tmp_path: Path) -> None:
    """a.py and b.py import each other: both are checked, the finding is found once."""
    write(tmp_path, {
        "a.py": "from b import Discriminator\n\n" + UTILS + "\n\nDiscriminator().apply(weights_init)\n",
        "b.py": "from a import weights_init\n" + MODELS,
    })
    assert where(run(tmp_path), tmp_path) == [("a.py", 8, "IL101")]


def test_a_name_that_does_not_resolve_stays_silent_and_explain_says_why(tmp_path: Path) -> None:
    """``Net`` from a module that is not among the checked files: the init is seen, reaches nothing, and
    ``--explain`` says which import was not followed and why."""
    write(tmp_path, {
        "utils.py": UTILS,
        "train.py": """\
            from networks import Net
            from utils import weights_init, missing_helper

            Net().apply(weights_init)
            """,
    })
    assert run(tmp_path) == []
    text, ok = explain_paths([str(tmp_path)], Settings(respect_gitignore=False))
    assert ok
    assert "utils.py: no init call reaches a layer this file builds" in text
    assert "`Net` from `networks`: not among the checked files" in text
    assert "`missing_helper` from `utils`: not defined there" in text
    assert "`weights_init` (utils.py)" in text


def test_a_name_the_importer_binds_otherwise_is_not_taken(tmp_path: Path) -> None:
    """models.py's class uses its own ``Block``; train.py has another ``Block``: taking models.py's class in
    would change what ``Block`` means, so it is left out (silence, never a mix of the two)."""
    write(tmp_path, {
        "models.py": """\
            import torch.nn as nn

            class Block(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(64, 64)
                    self.act = nn.ReLU()

                def forward(self, x):
                    return self.act(self.fc(x))

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.block = Block()

                def forward(self, x):
                    return self.block(x)
            """,
        "train.py": """\
            import torch.nn as nn
            from models import Net

            class Block(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(64, 64)

                def forward(self, x):
                    return self.fc(x)

            def init(m):
                if isinstance(m, nn.Linear):
                    nn.init.xavier_uniform_(m.weight)

            Net().apply(init)
            """,
    })
    assert run(tmp_path) == []
    text, _ = explain_paths([str(tmp_path / "train.py"), str(tmp_path / "models.py")], Settings(respect_gitignore=False))
    assert "`Net` from `models`: it would change what `Block` means here" in text


def test_every_file_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"pkg/__init__.py": "import torch\n", "pkg/utils.py": UTILS, "pkg/models.py": MODELS,
                     "pkg/train.py": TRAIN, "pkg/more.py": "from .models import Discriminator\nfrom .utils import *\n"})
    parsed: list[str] = []
    real = cst.parse_module

    def counting(source: str, *args: object, **kwargs: object) -> cst.Module:
        parsed.append(source)
        return real(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cst, "parse_module", counting)
    findings = run(tmp_path)
    assert where(findings, tmp_path) == [("pkg/utils.py", 6, "IL101")]
    assert len(parsed) == 5 and len(set(parsed)) == 5


@pytest.mark.internal_error_expected
def test_a_crash_in_one_files_picture_costs_only_that_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The picture of train.py fails (a bug of ours): IL000 for train.py; the other files are checked."""
    write(tmp_path, {"pkg/__init__.py": "", "pkg/utils.py": UTILS, "pkg/models.py": MODELS + "\nBROKEN = 1\n",
                     "pkg/train.py": TRAIN + "import torch.nn as nn\nnn.init.xavier_uniform_(net.model[0].weight)\n"})
    real = engine.picture_from

    def failing(source: str, *args: object) -> object:
        if "apply(weights_init)" in source:
            raise RuntimeError("boom")
        return real(source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "picture_from", failing)
    monkeypatch.setattr(analysis, "picture_from", failing)  # one file alone goes through check_source
    findings = run(tmp_path)
    assert [(p, c) for p, _, c in where(findings, tmp_path)] == [("pkg/train.py", "IL000")]
    assert "boom" in findings[0].message


def test_a_worker_killed_by_one_file_of_a_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A native crash kills the worker checking a group: its files are checked again one by one, so only
    the file that kills a worker alone is lost (IL001), and its neighbours are still checked."""
    real = engine.picture_from

    def crashing(source: str, *args: object) -> object:
        if "CRASH_HERE" in source:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "picture_from", crashing)
    monkeypatch.setattr(analysis, "picture_from", crashing)  # one file alone goes through check_source
    bad = "import torch.nn as nn\nfrom crash import X\n\n" + MODELS.split("\n", 1)[1] + \
        "\nnn.init.xavier_uniform_(Discriminator().model[0].weight)\n"
    files = {f"m{index:02}.py": bad for index in range(engine.POOL_THRESHOLD)}
    files["crash.py"] = "import torch\nX = 1\nCRASH_HERE = 1\n"
    write(tmp_path, files)
    findings = run(tmp_path, jobs=2)
    codes = {Path(f.filename).name: f.code for f in findings}
    assert codes.pop("crash.py") == "IL001"
    assert len(codes) == engine.POOL_THRESHOLD and set(codes.values()) == {"IL101"}


def test_groups_keep_importers_together_and_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [str(tmp_path / f"f{i}.py") for i in range(6)]
    texts = {files[0]: "from f1 import x\n", files[1]: "import f2\n", files[3]: "from . import f4\n"}
    for f in files:
        Path(f).write_text(texts.get(f, ""))
    tree = Tree(files)
    assert sorted(map(sorted, groups(files, texts, tree))) == sorted(
        [sorted(files[0:3]), sorted(files[3:5]), [files[5]]])
    monkeypatch.setattr("initlint.project.MAX_GROUP_FILES", 2)
    assert max(len(g) for g in groups(files, texts, tree)) == 2


def test_module_objects(tmp_path: Path) -> None:
    """``import util`` then ``util.init_linear_wt(self.fc)``; ``from pkg import inits`` then
    ``net.apply(inits.weights_init)``."""
    write(tmp_path, {
        "util.py": """\
            import torch

            def init_linear_wt(linear):
                torch.nn.init.xavier_normal_(linear.weight)
            """,
        "model.py": """\
            import torch.nn as nn
            import torch.nn.functional as F
            import util

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(128, 128)
                    self.out = nn.Linear(128, 10)
                    util.init_linear_wt(self.fc)

                def forward(self, x):
                    return self.out(F.relu(self.fc(x)))
            """,
        "pkg/__init__.py": "",
        "pkg/inits.py": UTILS,
        "pkg/models.py": MODELS,
        "pkg/train.py": """\
            from pkg import inits
            from pkg.models import Discriminator

            Discriminator().apply(inits.weights_init)
            """,
    })
    findings = run(tmp_path)
    assert where(findings, tmp_path) == [("pkg/inits.py", 6, "IL101"), ("util.py", 4, "IL101")]
    assert "`fc`" in findings[1].message and "fan_in=128, fan_out=128" in findings[1].message


def test_weight_norm_in_another_file(tmp_path: Path) -> None:
    """hifi-gan style: utils.py's ``init_weights`` applied in models.py to convs already wrapped by
    ``weight_norm``: IL507 at the init, naming where it is applied and wrapped."""
    write(tmp_path, {
        "utils.py": """\
            def init_weights(m, mean=0.0, std=0.01):
                classname = m.__class__.__name__
                if classname.find("Conv") != -1:
                    m.weight.data.normal_(mean, std)
            """,
        "models.py": """\
            import torch.nn as nn
            from torch.nn.utils import weight_norm
            from utils import init_weights

            class Block(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.convs = nn.ModuleList([weight_norm(nn.Conv1d(64, 64, 3)) for _ in range(3)])
                    self.convs.apply(init_weights)

                def forward(self, x):
                    for c in self.convs:
                        x = c(x)
                    return x
            """,
    })
    findings = run(tmp_path)
    assert where(findings, tmp_path) == [("utils.py", 4, "IL507")]
    assert "(applied at models.py:9) (models.py:8)" in findings[0].message


def test_files_are_named_from_the_file_the_finding_is_in(tmp_path: Path) -> None:
    """The script that applies the helper is two directories away from the helper and the model: the finding
    lands in lib/utils.py and names the model's file as lib/utils.py's own picture would (``models.py:8``),
    not as the script sees it (``../../lib/models.py:8``)."""
    write(tmp_path, {
        "lib/__init__.py": "", "lib/utils.py": UTILS, "lib/models.py": MODELS,
        "scripts/gan/train.py": """\
            import sys
            from pathlib import Path

            sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
            from lib.models import Discriminator
            from lib.utils import weights_init

            net = Discriminator()
            net.apply(weights_init)
            """,
    })
    findings = run(tmp_path)
    assert where(findings, tmp_path) == [("lib/utils.py", 6, "IL101")]
    (finding,) = findings
    assert "(Conv2d(3, 64, 4), models.py:8)" in finding.message, finding.message
    assert "../" not in finding.message and all("../" not in note.text for note in finding.notes)
