"""forward() side uses (issue 16, item 3): printing, logging, detached copies kept for inspection and an
activated copy returned beside the output do not change where a layer's output goes next; a non-detached
copy kept in a list (a U-Net skip) does.

Each silent case shows through ``Picture.explain()`` that the init site was seen and why it is silent.
"""

from __future__ import annotations

from initlint.analysis import picture_of
from initlint.explain import silence_reason
from tests.test_idioms import _src, expect, line_of


def reached(code: str, snippet: str) -> dict[str, str]:
    """Layer path -> what its output meets, for the init site on the line of ``snippet``."""
    src = _src(code)
    line = line_of(src, snippet)
    picture = picture_of(src)
    (site,) = [e for e in picture.explain() if e.line == line]
    return {r.layer.split(" ")[0]: r.follows for r in site.reached}


def reason(code: str, snippet: str) -> str:
    src = _src(code)
    line = line_of(src, snippet)
    picture = picture_of(src)
    (site,) = [e for e in picture.explain() if e.line == line]
    return silence_reason(site, picture)


PROBE = """
    import logging
    import warnings
    import torch.nn as nn
    import torch.nn.functional as F

    logger = logging.getLogger(__name__)

    class SimpleNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(100, 100)
            self.fc2 = nn.Linear(100, 100)
            self.fc3 = nn.Linear(100, 10)
            self.features = {}
            for m in self.modules():
                if isinstance(m, nn.Linear):
                    nn.init.xavier_normal_(m.weight)

        def forward(self, x):
            activations = []
            x = F.relu(self.fc1(x))
            activations.append(x.detach())
            x = self.fc2(x)
            self.features["fc2"] = x
            print(x.shape, x)
            logger.info("fc2 %s", x)
            logging.debug(x)
            warnings.warn(str(x))
            activations.append(x.detach().cpu().numpy())
            x = F.relu(x)
            out = self.fc3(x)
            return out, F.softmax(out, dim=1)
    """


def test_side_uses_leave_the_main_path():
    got = expect(PROBE, ("IL101", "nn.init.xavier_normal_(m.weight)"), families=("IL",))
    assert "`fc1`" in got[0].message and "`fc2`" in got[0].message and "`fc3`" not in got[0].message
    assert reached(PROBE, "xavier_normal_") == {"fc1": "ReLU, then linear", "fc2": "ReLU, then linear",
                                                "fc3": "output"}


SEED_STYLE = """
    import torch.nn as nn

    class SimpleNet(nn.Module):
        def __init__(self, init_method="xavier"):
            super().__init__()
            self.fc1 = nn.Linear(100, 100)
            self.relu = nn.ReLU()
            self.fc2 = nn.Linear(100, 100)
            self.fc3 = nn.Linear(100, 10)
            if init_method == "xavier":
                nn.init.xavier_normal_(self.fc1.weight)
                nn.init.xavier_normal_(self.fc2.weight)
                nn.init.xavier_normal_(self.fc3.weight)

        def forward(self, x):
            activations = []
            x = self.fc1(x)
            activations.append(x.detach().numpy())
            x = self.relu(x)
            x = self.fc2(x)
            activations.append(x.detach().numpy())
            x = self.relu(x)
            x = self.fc3(x)
            activations.append(x.detach().numpy())
            return x, activations
    """


def test_seed_simplenet_forward_gives_relu_between_layers_and_an_output():
    """The seed document's forward (detached copies appended before each ReLU)."""
    assert reached(SEED_STYLE, "xavier_normal_(self.fc1") == {"fc1": "ReLU, then linear"}
    assert reached(SEED_STYLE, "xavier_normal_(self.fc2") == {"fc2": "ReLU, then linear"}
    assert reached(SEED_STYLE, "xavier_normal_(self.fc3") == {"fc3": "output"}
    expect(SEED_STYLE, ("IL101", "xavier_normal_(self.fc1"), ("IL101", "xavier_normal_(self.fc2"), families=("IL1",))


UNET_SKIP = """
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class Down(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(64, 64, 3, padding=1)
            self.conv2 = nn.Conv2d(128, 64, 3, padding=1)
            nn.init.xavier_uniform_(self.conv1.weight)

        def forward(self, x):
            skips = []
            x = self.conv1(x)
            skips.append(x)
            x = F.relu(x)
            return self.conv2(torch.cat([x, skips.pop()], 1))
    """


def test_a_kept_copy_that_is_not_detached_is_a_use():
    """``skips.append(x)`` before the ReLU: the copy is concatenated into a conv later, so conv1's output
    meets a linear use too, and the site is silent for that reason."""
    assert reached(UNET_SKIP, "xavier_uniform_") == {"conv1": "unknown"}
    assert reason(UNET_SKIP, "xavier_uniform_").startswith("what follows its layers is unknown")
    expect(UNET_SKIP, families=("IL",), sites={"xavier_uniform_": {"conv1.weight"}})


SHADOWED_PRINT = """
    import torch.nn as nn
    import torch.nn.functional as F
    from mytools import print

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(64, 64)
            self.fc2 = nn.Linear(64, 2)
            nn.init.xavier_uniform_(self.fc1.weight)

        def forward(self, x):
            x = self.fc1(x)
            print(x)
            return self.fc2(F.relu(x))
    """


def test_a_print_the_file_imports_is_not_the_builtin():
    assert reached(SHADOWED_PRINT, "xavier_uniform_") == {"fc1": "unknown"}
    assert reason(SHADOWED_PRINT, "xavier_uniform_").startswith("what follows its layers is unknown")
    unshadowed = SHADOWED_PRINT.replace("    from mytools import print\n", "")
    assert reached(unshadowed, "xavier_uniform_") == {"fc1": "ReLU, then linear"}


def test_a_local_print_binding_is_not_the_builtin():
    local = SHADOWED_PRINT.replace("    from mytools import print\n", "").replace(
        "            x = self.fc1(x)\n", "            print = self.hook\n            x = self.fc1(x)\n")
    assert reached(local, "xavier_uniform_") == {"fc1": "unknown"}


def test_a_detached_copy_of_a_layer_call_still_runs_the_layer():
    """``acts.append(self.fc2(x).detach())``: fc2 is applied to fc1's activated output (a use), fc2's own
    output is only kept."""
    code = """
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(64, 64)
                self.fc2 = nn.Linear(64, 64)
                nn.init.xavier_uniform_(self.fc1.weight)
                nn.init.xavier_uniform_(self.fc2.weight)

            def forward(self, x, acts):
                x = F.relu(self.fc1(x))
                acts.append(self.fc2(x).detach())
                return x
        """
    assert reached(code, "xavier_uniform_(self.fc1") == {"fc1": "ReLU, then linear/output"}
    assert reached(code, "xavier_uniform_(self.fc2") == {"fc2": "unknown"}  # kept only: no follow
    picture = picture_of(_src(code))
    (fc1,) = [layer for layer in picture.layers.values() if layer.path == "fc1"]
    (fc2,) = [layer for layer in picture.layers.values() if layer.path == "fc2"]
    assert fc1.feeds == {fc2.uid} and fc2.follows == []


def test_an_activated_copy_of_something_else_is_not_output_side():
    """``return out, torch.sigmoid(h)``: ``h`` is not returned bare, so its sigmoid is its real use."""
    code = """
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(64, 64)
                self.fc2 = nn.Linear(64, 2)
                nn.init.xavier_uniform_(self.fc1.weight)

            def forward(self, x):
                h = self.fc1(x)
                out = self.fc2(h)
                return out, torch.sigmoid(h)
        """
    assert reached(code, "xavier_uniform_") == {"fc1": "unknown"}  # linear into fc2 and a sigmoid
    returned_bare = code.replace("return out, torch.sigmoid(h)", "return h, torch.sigmoid(h)")
    assert reached(returned_bare, "xavier_uniform_") == {"fc1": "unknown"}  # fc2 (linear) and output


def test_side_uses_in_a_layer_loop_keep_the_chain():
    """``for layer in self.layers: x = F.relu(layer(x)); acts.append(x.detach())`` still runs as a stack."""
    code = """
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList([nn.Linear(64, 64) for _ in range(4)])
                self.out = nn.Linear(64, 2)
                for layer in self.layers:
                    nn.init.xavier_uniform_(layer.weight)

            def forward(self, x):
                acts = []
                for layer in self.layers:
                    x = F.relu(layer(x))
                    acts.append(x.detach())
                    print(x.mean().item())
                return self.out(x), acts
        """
    assert reached(code, "xavier_uniform_") == {"layers.*": "ReLU, then linear"}
    picture = picture_of(_src(code))
    (stack,) = [s for s in picture.stacks if s.assigned_text == "self.layers"]
    assert [kind for kind, _ in stack.steps] == ["layer", "act"] * 4
    assert {value.name for kind, value in stack.steps if kind == "act"} == {"relu"}
    expect(code, ("IL101", "xavier_uniform_"), families=("IL1",))
