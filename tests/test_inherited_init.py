"""An init method on a base network class, judged on every subclass that builds layers (issue 16, items 1,
5, 6): ``BaseNet.init_weights(init_type, gain)`` with ``self.apply(init_func)``, the generators in other files,
the call on a model whose class is picked at run time. Each claim the findings make is measured with torch."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from initlint.analysis import picture_of
from initlint.config import Settings
from initlint.engine import check_group
from initlint.findings import Finding
from initlint.picture.model import Picture
from initlint.project import Tree
from tests.test_project import run, where, write

BASE = """\
import torch.nn as nn
from torch.nn import init


class BaseNet(nn.Module):
    def __init__(self):
        super().__init__()

    def init_weights(self, init_type='normal', gain=0.02):
        def init_func(m):
            name = m.__class__.__name__
            if hasattr(m, 'weight') and (name.find('Conv') != -1 or name.find('Linear') != -1):
                if init_type == 'normal':
                    init.normal_(m.weight.data, 0.0, gain)
                elif init_type == 'xavier':
                    init.xavier_normal_(m.weight.data, gain=gain)
                elif init_type == 'xavier_uniform':
                    init.xavier_uniform_(m.weight.data, gain=1.0)
                elif init_type == 'kaiming':
                    init.kaiming_normal_(m.weight.data, a=0, mode='fan_in')
                elif init_type == 'orthogonal':
                    init.orthogonal_(m.weight.data, gain=gain)
                else:
                    raise NotImplementedError(init_type)
                if hasattr(m, 'bias') and m.bias is not None:
                    init.constant_(m.bias.data, 0.0)

        self.apply(init_func)
        for m in self.children():
            if hasattr(m, 'init_weights'):
                m.init_weights(init_type, gain)
"""
# the rows of BASE's init calls
NORMAL, XAVIER, XAVIER_UNIFORM, KAIMING, ORTHOGONAL = 14, 16, 18, 20, 22

GENERATORS = """\
import torch.nn as nn
import torch.nn.functional as F
from nets.base_net import BaseNet


class ToyGenerator(BaseNet):
    def __init__(self, opt):
        super().__init__()
        nf = opt.ngf
        self.stem = nn.Conv2d(opt.label_nc, 4 * nf, 3, padding=1)
        self.body = nn.Conv2d(4 * nf, nf, 3, padding=1)
        self.to_rgb = nn.Conv2d(nf, 3, 3, padding=1)

    def forward(self, seg):
        x = F.relu(self.stem(seg))
        x = F.relu(self.body(x))
        return self.to_rgb(x)
"""
PICKER = """\
import importlib


def find_class(name):
    module = importlib.import_module('nets.' + name)
    return getattr(module, name)


def create_network(name, opt):
    cls = find_class(name)
    net = cls(opt)
    net.init_weights(opt.init_type, opt.init_variance)
    return net
"""


def project(root: Path, generators: str = GENERATORS, **more: str) -> Path:
    return write(root, {"nets/__init__.py": "", "nets/base_net.py": BASE, "nets/generators.py": generators,
                        "nets/picker.py": PICKER, **more})


def by_row(findings: list[Finding]) -> dict[int, list[Finding]]:
    out: dict[int, list[Finding]] = {}
    for finding in findings:
        out.setdefault(finding.row, []).append(finding)
    return out


def test_base_class_init_method_reaches_the_subclass_in_another_file(tmp_path: Path) -> None:
    """The base builds nothing; the generator in another file inherits ``init_weights``: each option is its
    own scenario, reported at the base's init call and naming the subclass's layers and their file. Sizes
    from ``opt.*`` stay unknown, so only what holds for every size is said."""
    findings = run(project(tmp_path))
    assert where(findings, tmp_path) == [("nets/base_net.py", XAVIER, "IL101"),
                                         ("nets/base_net.py", XAVIER, "IL202"),
                                         ("nets/base_net.py", XAVIER_UNIFORM, "IL101"),
                                         ("nets/base_net.py", ORTHOGONAL, "IL202")]
    rows = by_row(findings)
    family, xavier = rows[XAVIER]  # the family lacks ReLU's gain (IL101) and the gain is a std (IL202)
    assert family.code == "IL101" and family.message.startswith(
        "With `init_type='xavier'`: Xavier init on `stem` and `body`, which feed ReLU")
    assert family.fix == xavier.fix  # one rewrite, if any: the two findings never fight over the call
    assert xavier.message.startswith("With `init_type='xavier'`: `xavier_normal_` with gain=0.02 initializes "
                                     "`ToyGenerator.stem` (Conv2d(?, ?, 3), generators.py:10)")
    assert "for every size its std is at most 0.02 times He's" in xavier.message
    uniform, = rows[XAVIER_UNIFORM]
    assert uniform.message.startswith("With `init_type='xavier_uniform'`: Xavier init on `stem` and `body`, "
                                      "which feed ReLU")
    assert "`ToyGenerator.body` (Conv2d(?, ?, 3), generators.py:11)" in uniform.message
    assert "to_rgb" not in uniform.message  # its output is the model's output: nothing to judge
    orthogonal, = rows[ORTHOGONAL]
    assert orthogonal.message.startswith("With `init_type='orthogonal'`: `orthogonal_` with gain=0.02")
    assert "at most 0.0141 times He's" in orthogonal.message
    # normal_(0, 0.02) fits some fan_in (5000) and kaiming fits ReLU: both silent
    assert NORMAL not in rows and KAIMING not in rows


@pytest.mark.parametrize("fan_in, fan_out", [(3 * 9, 64 * 9), (64 * 9, 64 * 9), (256 * 9, 16 * 9), (1, 4096),
                                             (4096, 1), (9, 9)])
def test_the_every_size_claims_hold_with_torch(fan_in: int, fan_out: int) -> None:
    """What the findings above say for every size, measured with torch's own inits on weights of very
    different shapes: xavier_normal_(gain=0.02) is at most 0.02x He's std for ReLU, orthogonal_(gain=0.02)
    at most 0.02/sqrt(2) = 0.0141x, xavier_uniform_(gain=1) below He's."""
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    he = math.sqrt(2.0 / fan_in)
    rows, cols = fan_out, fan_in  # a Linear(fan_in, fan_out): torch's fans of an (out, in) weight
    w = torch.empty(rows, cols)
    torch.nn.init.xavier_normal_(w, gain=0.02)
    expected = 0.02 * math.sqrt(2.0 / (fan_in + fan_out))
    assert abs(w.std().item() / expected - 1) < 0.1 if rows * cols > 1000 else True
    assert expected <= 0.02 * he
    torch.nn.init.orthogonal_(w, gain=0.02)
    rms = w.pow(2).mean().sqrt().item()  # orthonormal rows or columns: rms = gain/sqrt(max(rows, cols))
    assert rms == pytest.approx(0.02 / math.sqrt(max(rows, cols)), rel=1e-3)
    assert rms <= 0.02 / math.sqrt(2) * he * (1 + 1e-3)
    torch.nn.init.xavier_uniform_(w, gain=1.0)
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    assert w.abs().max().item() <= bound
    assert bound / math.sqrt(3) < he


def test_an_override_in_the_subclass_wins(tmp_path: Path) -> None:
    """A subclass with its own ``init_weights`` (kaiming for ReLU) never runs the base's: nothing reported
    on its layers, while a sibling that inherits the base's method is judged."""
    generators = GENERATORS + """

class KaimingGenerator(BaseNet):
    def __init__(self, opt):
        super().__init__()
        self.stem = nn.Conv2d(opt.label_nc, 64, 3, padding=1)
        self.body = nn.Conv2d(64, 64, 3, padding=1)

    def forward(self, seg):
        return self.body(F.relu(self.stem(seg)))

    def init_weights(self, init_type='normal', gain=0.02):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, nonlinearity='relu')
"""
    findings = run(project(tmp_path, generators))
    assert [row for _, row, _ in where(findings, tmp_path)] == [XAVIER, XAVIER, XAVIER_UNIFORM, ORTHOGONAL]
    assert all("KaimingGenerator" not in f.message for f in findings)
    assert all("ToyGenerator" in f.message for f in findings)


def test_two_subclasses_are_named_in_one_finding_per_call(tmp_path: Path) -> None:
    generators = GENERATORS + """

class ToyDiscriminator(BaseNet):
    def __init__(self, opt):
        super().__init__()
        self.conv = nn.Conv2d(3, 64, 4, 2, 1)
        self.head = nn.Conv2d(64, 1, 4)

    def forward(self, x):
        return self.head(F.relu(self.conv(x)))
"""
    findings = run(project(tmp_path, generators))
    uniform, = by_row(findings)[XAVIER_UNIFORM]
    assert "`ToyGenerator.stem` (Conv2d(?, ?, 3), generators.py:10)" in uniform.message
    assert "`ToyDiscriminator.conv` (Conv2d(3, 64, 4), generators.py:23)" in uniform.message
    family, xavier = by_row(findings)[XAVIER]
    assert "`ToyGenerator.stem`" in family.message and "`ToyDiscriminator.conv`" in family.message
    assert "`ToyGenerator.stem`" in xavier.message and "`ToyDiscriminator.conv`" in xavier.message
    # the discriminator's first conv has known sizes, so the default option is judged with its numbers
    normal, = by_row(findings)[NORMAL]
    assert normal.message.startswith("With `init_type='normal'` (the default): `normal_` with std=0.02 gives "
                                     "`ToyDiscriminator.conv` (Conv2d(3, 64, 4), generators.py:23) std 0.02, but "
                                     "with fan_in=48, fan_out=1024 and ReLU after it the layer wants "
                                     "sqrt(2/fan_in) = 0.204: 10.2x too small")
    torch = pytest.importorskip("torch")
    conv = torch.nn.Conv2d(3, 64, 4, 2, 1)
    torch.nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
    assert conv.weight.std().item() == pytest.approx(math.sqrt(2 / 48), rel=0.05)


def test_a_base_spelled_alike_but_not_imported_is_not_the_base(tmp_path: Path) -> None:
    """``other.BaseNet`` names a class of a module that is not checked, not the ``BaseNet`` this file
    defines: bases are resolved through the imports. The control, the same class built on the local
    ``BaseNet``, is judged."""
    source = BASE + """

import other


class Elsewhere(other.BaseNet):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(64, 64)
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        return self.out(nn.functional.relu(self.fc(x)))
"""
    write(tmp_path, {"alone.py": source})
    assert run(tmp_path / "alone.py") == []
    picture = picture_of(source)
    assert {layer.path: layer.owner for layer in picture.layers.values()} == {"fc": "Elsewhere", "out": "Elsewhere"}
    assert picture.inits == []  # the layers are seen, and no init call reaches them
    control = picture_of(source.replace("(other.BaseNet)", "(BaseNet)"))
    assert [(site.location.line, sorted(control.layer(t.layer).path for t in site.targets))
            for site in control.inits][:5] == [(row, ["fc", "out"]) for row in
                                               (NORMAL, XAVIER, XAVIER_UNIFORM, KAIMING, ORTHOGONAL)]
    write(tmp_path, {"control.py": source.replace("(other.BaseNet)", "(BaseNet)")})
    # Linear(64, 64) before ReLU: normal_(0, 0.02) is 8.8x below He's sqrt(2/64) too
    assert where(run(tmp_path / "control.py"), tmp_path) == [("control.py", NORMAL, "IL202"),
                                                             ("control.py", XAVIER, "IL101"),
                                                             ("control.py", XAVIER, "IL202"),
                                                             ("control.py", XAVIER_UNIFORM, "IL101"),
                                                             ("control.py", ORTHOGONAL, "IL202")]


def test_a_subclass_without_its_own_init_is_the_bases_run(tmp_path: Path) -> None:
    """A subclass that builds nothing of its own (no ``__init__``) builds what its base builds: the base's own
    run judges those layers, once, and the subclass adds no second finding."""
    source = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(64, 64)
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        return self.out(nn.functional.relu(self.fc(x)))

    def init_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)


class Wider(Net):
    pass


net = Wider()
net.init_weights()
"""
    write(tmp_path, {"one.py": source})
    findings = run(tmp_path / "one.py")
    assert [(f.row, f.code) for f in findings] == [(16, "IL101")]
    assert "`fc` (Linear(64, 64), line 7)" in findings[0].message


def test_a_base_method_never_called_is_judged_and_told_uncalled(tmp_path: Path) -> None:
    """Consistent with an init method of the class itself: an inherited one that nothing calls is still
    judged on the subclass (what it would do), and IL503 says nobody calls it."""
    source = """\
import torch.nn as nn


class Base(nn.Module):
    def initialize(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)


class Mlp(Base):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(64, 64)
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        return self.out(nn.functional.relu(self.fc(x)))
"""
    write(tmp_path, {"uncalled.py": source})
    findings = run(tmp_path / "uncalled.py")
    assert [(f.row, f.code) for f in findings] == [(5, "IL503"), (8, "IL101")]
    assert "`fc` (Linear(64, 64), line 14)" in findings[1].message


def test_a_base_method_called_before_the_subclass_builds_reaches_nothing(tmp_path: Path) -> None:
    """``self.init_weights()`` at the end of the base's ``__init__`` runs when ``super().__init__()`` is
    called, before the subclass builds its layers: it initializes none of them, so no rule judges it on them
    (IL502 says the loop matches nothing the model holds when it runs, which is true of ``Mlp`` too); called at
    the end of the subclass's ``__init__``, it reaches them."""
    source = """\
import torch.nn as nn


class Base(nn.Module):
    def __init__(self):
        super().__init__()
        self.init_weights()

    def init_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)


class Mlp(Base):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(64, 64)
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        return self.out(nn.functional.relu(self.fc(x)))
"""
    write(tmp_path, {"early.py": source})
    assert [(f.row, f.code) for f in run(tmp_path / "early.py")] == [(10, "IL502")]
    late = source.replace("        super().__init__()\n        self.init_weights()\n", "        super().__init__()\n") \
        .replace("        self.out = nn.Linear(64, 10)\n", "        self.out = nn.Linear(64, 10)\n        "
                 "self.init_weights()\n")
    write(tmp_path, {"late.py": late})
    assert [(f.row, f.code) for f in run(tmp_path / "late.py")] == [(11, "IL101")]


HELPER_BASE = """\
import torch.nn as nn


def init_net(net, init_type='normal', gain=0.02):
    def init_func(m):
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            if init_type == 'normal':
                nn.init.normal_(m.weight, 0.0, gain)
            elif init_type == 'xavier':
                nn.init.xavier_uniform_(m.weight)
    net.apply(init_func)


class BaseNet(nn.Module):
    def init_weights(self, init_type='normal', gain=0.02):
        init_net(self, init_type, gain)
"""


def test_a_base_method_handing_self_to_a_free_function_reaches_the_subclass(tmp_path: Path) -> None:
    """``init_weights(self, ...)`` on the base passes the whole model to the file's ``init_net``: run on the
    subclass in another file, the helper's ``net.apply`` reaches the subclass's layers."""
    write(tmp_path, {"nets/__init__.py": "", "nets/base_net.py": HELPER_BASE, "nets/generators.py": GENERATORS,
                     "nets/picker.py": PICKER})
    findings = run(tmp_path)
    assert where(findings, tmp_path) == [("nets/base_net.py", 10, "IL101")]
    assert findings[0].message.startswith("With `init_type='xavier'`: Xavier init on `stem` and `body`, which feed "
                                          "ReLU")
    assert "`ToyGenerator.stem` (Conv2d(?, ?, 3), generators.py:10)" in findings[0].message


def test_self_handed_to_a_builtin_or_an_import_is_not_an_init(tmp_path: Path) -> None:
    """``print(self)`` or an imported ``other_init(self)`` (not among the checked files) tells nothing: the
    subclass's picture has its layers and no init call reaching them, so nothing is reported."""
    base = HELPER_BASE.replace("        init_net(self, init_type, gain)\n",
                               "        print(self)\n        other_init(self, init_type)\n") \
        .replace("import torch.nn as nn\n", "import torch.nn as nn\nfrom elsewhere import other_init\n", 1)
    files = {"nets/__init__.py": "", "nets/base_net.py": base, "nets/generators.py": GENERATORS}
    paths = [str(p) for p in sorted(write(tmp_path, files).rglob("*.py"))]
    pictures: dict[str, Picture] = {}
    found = check_group(paths, Settings(respect_gitignore=False), Tree(paths), pictures)
    assert [(f.code, f.numbers.get("routine")) for f in found] == [("IL503", "init_net")]  # nothing calls it now
    picture = pictures[str(tmp_path / "nets/generators.py")]
    assert {layer.path for layer in picture.layers.values()} == {"stem", "body", "to_rgb"}
    assert picture.inits == []
    write(tmp_path, {"nets/base_net.py": HELPER_BASE})  # the control: the file's own init_net
    assert [row for _, row, _ in where(run(tmp_path), tmp_path)] == [10]
