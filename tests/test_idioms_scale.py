"""Idioms for IL201-IL203, IL301, IL302 and IL501: what each rule must say, and the deliberate inits of real
code it must leave alone. Each test gives the exact (code, line) findings of the families it is about."""

from __future__ import annotations

import pytest

from initlint.analysis import check_source, picture_of
from initlint.config import Settings
from initlint.picture.model import RESIDUAL
from tests.test_idioms import _src, expect, line_of

SCALE = ("IL2", "IL3", "IL5")


# --------------------------------------------------------------------------- IL201 constant-weights


def test_zeroed_hidden_layer_before_relu() -> None:
    got = expect(
        """
        import torch.nn as nn
        import torch.nn.functional as F

        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(256, 128)
                self.fc2 = nn.Linear(128, 10)
                nn.init.zeros_(self.fc1.weight)

            def forward(self, x):
                return self.fc2(F.relu(self.fc1(x)))
        """,
        ("IL201", "zeros_(self.fc1.weight)"),
        families=SCALE,
    )
    assert "128 units" in got[0].message and "no gradient" in got[0].message
    assert 'kaiming_normal_(self.fc1.weight, nonlinearity="relu")' in got[0].message


def test_fill_on_hidden_layer_in_sequential() -> None:
    expect(
        """
        import torch.nn as nn

        net = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
        net[0].weight.data.fill_(0.5)
        """,
        ("IL201", "fill_(0.5)"),
        families=SCALE,
    )


@pytest.mark.parametrize(
    "body",
    [
        # residual-final layer (zero_init_residual / Fixup)
        """
        self.fc1 = nn.Linear(64, 256)
        self.fc2 = nn.Linear(256, 64)
        nn.init.zeros_(self.fc2.weight)

    def forward(self, x):
        return x + self.fc2(F.relu(self.fc1(x)))
        """,
        # the output head
        """
        self.fc1 = nn.Linear(64, 256)
        self.head = nn.Linear(256, 10)
        nn.init.zeros_(self.head.weight)

    def forward(self, x):
        return self.head(F.relu(self.fc1(x)))
        """,
        # a gate
        """
        self.fc1 = nn.Linear(64, 64)
        self.gate = nn.Linear(64, 64)
        nn.init.zeros_(self.gate.weight)

    def forward(self, x):
        return self.fc1(x) * torch.sigmoid(self.gate(x))
        """,
        # adaLN modulation chunks
        """
        self.ada = nn.Sequential(nn.SiLU(), nn.Linear(64, 6 * 64))
        nn.init.constant_(self.ada[-1].weight, 0)

    def forward(self, x, c):
        shift, scale, gate, a, b, d = self.ada(c).chunk(6, dim=1)
        return x * (1 + scale) + shift
        """,
        # LoRA up-projection
        """
        self.lora_A = nn.Linear(64, 8, bias=False)
        self.lora_B = nn.Linear(8, 64, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.base = nn.Linear(64, 64)

    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(x))
        """,
        # norm weight and bias
        """
        self.fc = nn.Linear(64, 64)
        self.norm = nn.LayerNorm(64)
        nn.init.ones_(self.norm.weight)
        nn.init.zeros_(self.norm.bias)
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        return self.fc(F.relu(self.norm(x)))
        """,
    ],
    ids=["residual-final", "head", "gate", "adaln", "lora-up", "norm-and-bias"],
)
def test_deliberate_zeros_are_silent(body: str) -> None:
    code = "import math\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()" + "\n" + "\n".join("    " + line if line.strip() else "" for line in _src(body).splitlines())
    got = [f for f in check_source(code, "m.py") if f.code.startswith(SCALE)]
    assert got == [], [f.message for f in got]


def test_zero_module_helper_is_silent() -> None:
    expect(
        """
        import torch.nn as nn
        import torch.nn.functional as F

        def zero_module(module):
            for p in module.parameters():
                p.detach().zero_()
            return module

        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(32, 32, 3, padding=1)
                self.conv2 = zero_module(nn.Conv2d(32, 32, 3, padding=1))
                self.out = nn.Conv2d(32, 3, 1)

            def forward(self, x):
                return self.out(F.silu(self.conv2(F.silu(self.conv1(x)))))
        """,
        families=SCALE,
    )


# --------------------------------------------------------------------------- IL202 off-scale-init


def test_fixed_std_through_a_deep_stack() -> None:
    got = expect(
        """
        import torch.nn as nn

        class Deep(nn.Module):
            def __init__(self):
                super().__init__()
                layers = []
                for _ in range(20):
                    layers += [nn.Linear(512, 512), nn.ReLU()]
                self.body = nn.Sequential(*layers)
                for m in self.body:
                    if isinstance(m, nn.Linear):
                        nn.init.normal_(m.weight, 0, 0.01)
        """,
        ("IL202", "normal_(m.weight, 0, 0.01)"),
        families=SCALE,
    )
    message = got[0].message
    assert "20 Linear(512, 512)+ReLU layers at std=0.01" in message
    assert "~0.16x per layer" in message and "~1e-16x at the output" in message
    assert "0.0625" in message


def test_uniform_too_large_before_tanh() -> None:
    got = expect(
        """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(400, 400)
                self.act = nn.Tanh()
                self.out = nn.Linear(400, 2)
                self.fc.weight.data.uniform_(-1.0, 1.0)

            def forward(self, x):
                return self.out(self.act(self.fc(x)))
        """,
        ("IL202", "uniform_(-1.0, 1.0)"),
        families=SCALE,
    )
    assert "flat ends" in got[0].message


@pytest.mark.parametrize(
    "setup",
    [
        "nn.init.normal_(self.fc.weight, std=0.05)",  # within 4x of sqrt(2/512) = 0.0625
        "nn.init.normal_(self.fc.weight, std=config.init_std)",  # scale from config
        "nn.init.trunc_normal_(self.fc.weight, std=0.02)",  # Linear(512, 512): 3.1x, inside the band
    ],
)
def test_scales_within_band_or_unknown_are_silent(setup: str) -> None:
    expect(
        f"""
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self, config=None):
                super().__init__()
                self.fc = nn.Linear(512, 512)
                self.out = nn.Linear(512, 10)
                {setup}

            def forward(self, x):
                return self.out(F.relu(self.fc(x)))
        """,
        families=SCALE,
    )


def test_transformer_std_002_in_residual_mlp_and_gated_unit_is_silent() -> None:
    expect(
        """
        import torch.nn as nn
        import torch.nn.functional as F

        class Block(nn.Module):
            def __init__(self, d=128):
                super().__init__()
                self.norm = nn.LayerNorm(d)
                self.fc1 = nn.Linear(d, 4 * d)
                self.fc2 = nn.Linear(4 * d, d)
                self.w1 = nn.Linear(d, 4 * d)
                self.w3 = nn.Linear(d, 4 * d)
                self.emb = nn.Embedding(1000, d)
                for m in self.modules():
                    if isinstance(m, (nn.Linear, nn.Embedding)):
                        nn.init.normal_(m.weight, std=0.02)

            def forward(self, x):
                x = x + self.fc2(F.gelu(self.fc1(self.norm(x))))
                return F.silu(self.w1(x)) * self.w3(x)
        """,
        families=SCALE,
    )


def test_layer_followed_by_norm_is_silent() -> None:
    expect(
        """
        import torch.nn as nn

        net = nn.Sequential(nn.Conv2d(64, 64, 3), nn.BatchNorm2d(64), nn.ReLU(), nn.Conv2d(64, 10, 1))
        nn.init.normal_(net[0].weight, std=0.001)
        """,
        families=SCALE,
    )


def test_off_scale_factor_is_configurable() -> None:
    src = _src(
        """
        import torch.nn as nn
        import torch.nn.functional as F

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(512, 512)
                self.out = nn.Linear(512, 10)
                nn.init.normal_(self.fc.weight, std=0.02)

            def forward(self, x):
                return self.out(F.relu(self.fc(x)))
        """
    )
    assert [f.code for f in check_source(src, "m.py")] == []  # 3.1x: inside the default 4x
    tight = [f.code for f in check_source(src, "m.py", Settings(off_scale_factor=2.0))]
    assert tight == ["IL202"]


# --------------------------------------------------------------------------- IL203 fan-formula-mismatch


def test_conv_fan_without_kernel() -> None:
    got = expect(
        """
        import math
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(64, 128, 3, padding=1)
                self.head = nn.Linear(128, 10)
                for m in self.modules():
                    if isinstance(m, nn.Conv2d):
                        n = m.in_channels
                        m.weight.data.normal_(0, math.sqrt(2.0 / n))
        """,
        ("IL203", "normal_(0, math.sqrt(2.0 / n))"),
        families=SCALE,
    )
    assert "fan_in = 576" in got[0].message and "3x3 = 9" in got[0].message


@pytest.mark.parametrize(
    "fan",
    [
        "m.kernel_size[0] * m.kernel_size[1] * m.out_channels",  # fan_out (torchvision's old ResNet)
        "m.kernel_size[0] * m.kernel_size[1] * m.in_channels",  # fan_in
        "m.weight[0].numel()",  # unknown to us: silent
        "m.weight.size(1) * m.weight.size(2) * m.weight.size(3)",  # fan_in from the tensor
    ],
)
def test_right_or_unknown_fans_are_silent(fan: str) -> None:
    expect(
        f"""
        import math
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(64, 128, 3, padding=1)
                for m in self.modules():
                    if isinstance(m, nn.Conv2d):
                        n = {fan}
                        m.weight.data.normal_(0, math.sqrt(2.0 / n))
        """,
        families=SCALE,
    )


def test_grouped_conv_fan_out_per_group_is_accepted() -> None:
    expect(
        """
        import math
        import torch.nn as nn

        class DW(nn.Module):
            def __init__(self):
                super().__init__()
                self.dw = nn.Conv2d(32, 32, 3, padding=1, groups=32)
                for m in self.modules():
                    if isinstance(m, nn.Conv2d):
                        fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                        fan_out //= m.groups
                        m.weight.data.normal_(0, math.sqrt(2.0 / fan_out))
        """,
        families=SCALE,
    )


# --------------------------------------------------------------------------- IL301


def test_named_parameters_xavier_on_every_weight_of_an_lstm() -> None:
    got = expect(
        """
        import torch.nn as nn

        class Tagger(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = nn.LSTM(100, 128, num_layers=2)
                for name, p in self.lstm.named_parameters():
                    if "weight" in name:
                        nn.init.xavier_uniform_(p)
        """,
        ("IL301", "nn.init.xavier_uniform_(p)"),
        families=SCALE,
    )
    assert "weight_hh_l1" in got[0].message and "spectral radius" in got[0].message


def test_default_recurrent_weights_while_the_model_inits_the_rest() -> None:
    expect(
        """
        import torch.nn as nn

        class LM(nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = nn.Embedding(10000, 200)
                self.rnn = nn.GRU(200, 200)
                self.decoder = nn.Linear(200, 10000)
                nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
                nn.init.zeros_(self.decoder.bias)
        """,
        ("IL301", "nn.GRU(200, 200)"),
        families=SCALE,
    )


@pytest.mark.parametrize(
    "init",
    [
        # orthogonal weight_hh, xavier weight_ih
        """
        for name, p in self.lstm.named_parameters():
            if "weight_hh" in name:
                nn.init.orthogonal_(p)
            elif "weight_ih" in name:
                nn.init.xavier_uniform_(p)
        """,
        # per-gate orthogonal blocks
        """
        for name, p in self.lstm.named_parameters():
            if "weight_hh" in name:
                for i in range(4):
                    nn.init.orthogonal_(p.data[i * 128:(i + 1) * 128])
        nn.init.xavier_uniform_(self.fc.weight)
        """,
        # nothing initialized at all: the defaults are a choice we cannot second-guess
        "",
        # an init function we cannot see
        "init_rnn(self.lstm)",
    ],
    ids=["orthogonal", "per-gate", "nothing", "opaque"],
)
def test_recurrent_inits_that_are_fine(init: str) -> None:
    body = "\n".join("        " + line for line in _src(init).splitlines())
    code = _src(
        """
        import torch.nn as nn
        from mylib import init_rnn

        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = nn.LSTM(64, 128)
                self.fc = nn.Linear(128, 10)
        """
    ) + body + "\n"
    got = [f for f in check_source(code, "m.py") if f.code.startswith(SCALE)]
    assert got == [], [f.message for f in got]


# --------------------------------------------------------------------------- IL302


def test_forget_bias_on_the_input_gate_slice() -> None:
    got = expect(
        """
        import torch.nn as nn

        class M(nn.Module):
            def __init__(self, hidden=256):
                super().__init__()
                self.lstm = nn.LSTM(64, hidden)
                for name, p in self.lstm.named_parameters():
                    if "weight_hh" in name:
                        nn.init.orthogonal_(p)
                    elif "bias" in name:
                        nn.init.zeros_(p)
                        p.data[:hidden].fill_(1.0)
        """,
        ("IL302", "p.data[:hidden].fill_(1.0)"),
        families=SCALE,
    )
    assert "input gate i" in got[0].message and "[256:512]" in got[0].message


def test_forget_bias_right_slice_is_silent() -> None:
    expect(
        """
        import torch.nn as nn

        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = nn.LSTM(64, 256)
                for name, p in self.lstm.named_parameters():
                    if "weight_hh" in name:
                        nn.init.orthogonal_(p)
                    elif "bias" in name:
                        p.data.fill_(0)
                        n = p.size(0)
                        start, end = n // 4, n // 2
                        p.data[start:end].fill_(1.0)
        """,
        families=SCALE,
    )


def test_gru_given_a_forget_bias() -> None:
    expect(
        """
        import torch.nn as nn

        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.gru = nn.GRU(64, 96)
                for name, p in self.gru.named_parameters():
                    if "weight_hh" in name:
                        nn.init.orthogonal_(p)
                    elif "bias" in name:
                        n = p.size(0)
                        p.data[n // 4:n // 2].fill_(1.0)
        """,
        ("IL302", "p.data[n // 4:n // 2].fill_(1.0)"),
        families=SCALE,
    )


ZEROED_CELL = """
import torch.nn as nn

class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = nn.LSTMCell(32, 64)
        nn.init.orthogonal_(self.cell.weight_hh)
        nn.init.zeros_(self.cell.bias_ih)
        nn.init.zeros_(self.cell.bias_hh)
"""
ZEROED_ON = Settings(zeroed_lstm_biases=True)


def test_zeroed_lstm_biases_without_forget_gate_when_asked() -> None:
    expect(ZEROED_CELL, ("IL302", "zeros_(self.cell.bias_ih)"), ("IL302", "zeros_(self.cell.bias_hh)"),
           families=SCALE, settings=ZEROED_ON)


def test_zeroed_lstm_biases_are_silent_by_default() -> None:
    """Zeroing every LSTM bias is a common deliberate choice: only ``zeroed-lstm-biases = true`` reports it."""
    expect(ZEROED_CELL, families=SCALE,
           sites={"zeros_(self.cell.bias_ih)": {"cell.bias_ih"}, "zeros_(self.cell.bias_hh)": {"cell.bias_hh"}})


# --------------------------------------------------------------------------- IL501


DEEP = """
import torch.nn as nn
import torch.nn.functional as F

class Plain(nn.Module):
    def __init__(self, depth={depth}):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(1024, 1024) for _ in range(depth)])
        self.out = nn.Linear(1024, 10)
{extra}
    def forward(self, x):
        for layer in self.layers:
            x = F.relu(layer(x))
        return self.out(x)
"""


def test_deep_default_stack() -> None:
    src = DEEP.format(depth=16, extra="")
    got = [f for f in check_source(src, "m.py") if f.code.startswith(SCALE)]
    assert [(f.code, f.row) for f in got] == [("IL501", line_of(src, "nn.Linear(1024, 1024) for"))]
    assert "~0.408x per layer, ~6e-7x after 16 layers" in got[0].message


@pytest.mark.parametrize(
    "depth, extra",
    [
        (7, ""),  # shallow
        (16, ("        for m in self.modules():\n            if isinstance(m, nn.Linear):\n"
             "                nn.init.kaiming_normal_(m.weight, nonlinearity=\"relu\")\n")),
        (16, "        self.apply(init_weights_from_elsewhere)\n"),
    ],
    ids=["shallow", "initialized", "opaque-apply"],
)
def test_deep_default_stack_silences(depth: int, extra: str) -> None:
    src = DEEP.format(depth=depth, extra=extra)
    assert [f.code for f in check_source(src, "m.py") if f.code.startswith(SCALE)] == []


def test_deep_sequential_with_norms_is_not_plain() -> None:
    expect(
        """
        import torch.nn as nn

        layers = []
        for _ in range(12):
            layers += [nn.Linear(256, 256), nn.BatchNorm1d(256), nn.ReLU()]
        net = nn.Sequential(*layers)
        """,
        families=SCALE,
    )


def test_deep_sequential_default_init() -> None:
    expect(
        """
        import torch.nn as nn

        layers = []
        for _ in range(10):
            layers += [nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.1)]
        net = nn.Sequential(*layers, nn.Linear(256, 1))
        """,
        ("IL501", "layers += [nn.Linear(256, 256)"),
        families=SCALE,
    )


def test_deep_default_depth_is_configurable() -> None:
    src = DEEP.format(depth=6, extra="")
    assert [f.code for f in check_source(src, "m.py", Settings(deep_default_depth=6))] == ["IL501"]
    assert [f.code for f in check_source(src, "m.py")] == []


# --------------------------------------------------------------------------- engine: numbers that loops change


VGG_LIKE = """
import torch.nn as nn

class VGG(nn.Module):
    def __init__(self, cfg{default}):
        super().__init__()
        layers = []
        in_channels = 3
        for v in cfg:
            layers += [nn.Conv2d(in_channels, v, 3, padding=1), nn.ReLU()]
            in_channels = v
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(in_channels, 64)
        self.out = nn.Linear(64, 10)
        nn.init.normal_(self.fc.weight, 0, 0.01)

    def forward(self, x):
        return self.out(self.fc(self.features(x).mean((2, 3))).relu())
"""


def test_loop_carried_width_is_unknown_when_the_items_are() -> None:
    """``in_channels = v`` inside a loop over unknown items: after it the width is unknown, not 3."""
    src = VGG_LIKE.format(default="")
    assert [f for f in check_source(src, "m.py") if f.code.startswith(SCALE)] == []


def test_loop_over_a_known_config_runs_item_by_item() -> None:
    """Over a known config the loop runs once per item: the width after it is the last item (256)."""
    src = VGG_LIKE.format(default="=(64, 128, 256)")
    got = [f for f in check_source(src, "m.py") if f.code.startswith(SCALE)]
    assert [f.code for f in got] == ["IL202"]
    assert "Linear(256, 64)" in got[0].message and "fan_in=256" in got[0].message


def test_vgg_config_with_pools_is_a_deep_default_stack() -> None:
    expect(
        """
        import torch.nn as nn

        CFG = [16, 16, "M", 32, 32, "M", 64, 64, 64, "M", 128, 128]

        def make_layers(cfg, in_channels=3):
            layers = []
            for v in cfg:
                if v == "M":
                    layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
                else:
                    layers += [nn.Conv2d(in_channels, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
                    in_channels = v
            return nn.Sequential(*layers)

        class Features(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = make_layers(CFG)

            def forward(self, x):
                return self.features(x)
        """,
        ("IL501", "layers += [nn.Conv2d(in_channels, v"),
        families=SCALE,
    )


# --------------------------------------------------------------------------- helpers as init sites (fairseq)


def test_fairseq_style_linear_helper_is_an_init_site_for_every_layer_it_builds() -> None:
    got = expect(
        """
        import torch.nn as nn
        import torch.nn.functional as F

        def Linear(in_features, out_features, bias=True):
            m = nn.Linear(in_features, out_features, bias)
            nn.init.xavier_uniform_(m.weight)
            if bias:
                nn.init.constant_(m.bias, 0.0)
            return m

        def Embedding(num_embeddings, embedding_dim, padding_idx):
            m = nn.Embedding(num_embeddings, embedding_dim, padding_idx=padding_idx)
            nn.init.normal_(m.weight, mean=0, std=embedding_dim ** -0.5)
            nn.init.constant_(m.weight[padding_idx], 0)
            return m

        class FFN(nn.Module):
            def __init__(self, d=512):
                super().__init__()
                self.embed = Embedding(1000, d, 1)
                self.fc1 = Linear(d, 4 * d)
                self.fc2 = Linear(4 * d, d)
                self.out = Linear(d, 1000)

            def forward(self, x):
                x = self.embed(x)
                x = x + self.fc2(F.relu(self.fc1(x)))
                return self.out(x)
        """,
        ("IL101", "nn.init.xavier_uniform_(m.weight)"),
        families=("IL1", "IL2", "IL3", "IL4", "IL5"),
    )
    assert "`fc1` (Linear(512, 2048)" in got[0].message  # only the layer that feeds ReLU


# --------------------------------------------------------------------------- regressions from the blind set


def test_init_hidden_is_not_an_init_call() -> None:
    """``model.init_hidden(bsz)`` makes state tensors; it must not make the file's inits unknowable."""
    expect(
        """
        import torch.nn as nn

        class LM(nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = nn.Embedding(1000, 64)
                self.rnn = nn.LSTM(64, 64)
                nn.init.uniform_(self.encoder.weight, -0.1, 0.1)

        lm = LM()
        hidden = lm.init_hidden(8)
        """,
        ("IL301", "self.rnn = nn.LSTM(64, 64)"),
        families=SCALE,
    )


def test_module_list_from_a_list_sum_and_an_enumerate_indexed_loop() -> None:
    expect(
        """
        import torch.nn as nn
        import torch.nn.functional as F

        class NeRF(nn.Module):
            def __init__(self, D=8, W=256, input_ch=63):
                super().__init__()
                self.pts = nn.ModuleList([nn.Linear(input_ch, W)] + [nn.Linear(W, W) for i in range(D - 1)])
                self.out = nn.Linear(W, 4)

            def forward(self, x):
                h = x
                for i, l in enumerate(self.pts):
                    h = self.pts[i](h)
                    h = F.relu(h)
                return self.out(h)
        """,
        ("IL501", "nn.ModuleList([nn.Linear(input_ch, W)]"),
        families=SCALE,
    )


def test_loop_over_a_tuple_of_parameters() -> None:
    expect(
        """
        import torch.nn as nn

        class Core(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = nn.LSTMCell(288, 256)
                nn.init.orthogonal_(self.lstm.weight_hh)
                for b in (self.lstm.bias_ih, self.lstm.bias_hh):
                    b.data.fill_(0)
        """,
        ("IL302", "b.data.fill_(0)"),
        families=SCALE,
        settings=ZEROED_ON,
    )


def test_tuple_assignment_of_a_list_and_a_width() -> None:
    expect(
        """
        import torch.nn as nn

        class Tower(nn.Module):
            def __init__(self, hidden=(256, 128)):
                super().__init__()
                layers, width = [], 64
                for h in hidden:
                    layers += [nn.Linear(width, h), nn.ReLU()]
                    width = h
                self.mlp = nn.Sequential(*layers)
                self.out = nn.Linear(width, 1)
                for m in self.modules():
                    if isinstance(m, nn.Linear):
                        nn.init.constant_(m.weight, 0.01)

            def forward(self, x):
                return self.out(self.mlp(x))
        """,
        ("IL201", "nn.init.constant_(m.weight, 0.01)"),
        families=SCALE,
    )


def test_residual_branch_closed_by_the_parent_module_is_silent() -> None:
    """GPT-2 style: the MLP returns c_proj's output and the Block adds it to the skip."""
    expect(
        """
        import torch.nn as nn

        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(256, 1024)
                self.act = nn.GELU()
                self.proj = nn.Linear(1024, 256)
                nn.init.normal_(self.fc.weight, std=0.02)

            def forward(self, x):
                return self.proj(self.act(self.fc(x)))

        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.ln = nn.LayerNorm(256)
                self.mlp = MLP()

            def forward(self, x):
                return x + self.mlp(self.ln(x))
        """,
        families=SCALE,
    )


def test_per_gate_xavier_on_recurrent_weights() -> None:
    expect(
        """
        import torch.nn as nn

        class M(nn.Module):
            def __init__(self, hidden=64):
                super().__init__()
                self.lstm = nn.LSTM(32, hidden)
                self.fc = nn.Linear(hidden, 2)
                nn.init.xavier_uniform_(self.fc.weight)
                for k in range(4):
                    nn.init.xavier_uniform_(self.lstm.weight_hh_l0.data[k * hidden:(k + 1) * hidden])
        """,
        ("IL301", "nn.init.xavier_uniform_(self.lstm.weight_hh_l0.data"),
        families=SCALE,
    )


def test_or_of_two_name_tests_narrows_to_both() -> None:
    """fairseq's ``LSTM()`` helper: ``if "weight" in name or "bias" in name: param.data.uniform_(...)``."""
    expect(
        """
        import torch.nn as nn

        def LSTM(input_size, hidden_size, **kwargs):
            m = nn.LSTM(input_size, hidden_size, **kwargs)
            for name, param in m.named_parameters():
                if "weight" in name or "bias" in name:
                    param.data.uniform_(-0.1, 0.1)
            return m

        class Encoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = nn.Embedding(1000, 512)
                self.lstm = LSTM(512, 512)
                nn.init.uniform_(self.embed.weight, -0.1, 0.1)
        """,
        ("IL301", "param.data.uniform_(-0.1, 0.1)"),
        families=SCALE,
    )


def test_an_init_we_cannot_narrow_is_not_taken_for_the_default() -> None:
    """A test we cannot read (``if name in SPECIAL:``) may reach ``weight_hh``: IL301 must not say it keeps
    the default."""
    expect(
        """
        import torch.nn as nn
        from config import SPECIAL

        class Encoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = nn.LSTM(64, 64)
                self.fc = nn.Linear(64, 2)
                nn.init.xavier_uniform_(self.fc.weight)
                for name, p in self.lstm.named_parameters():
                    if SPECIAL[name]:
                        nn.init.orthogonal_(p)
        """,
        families=SCALE,
    )


def test_xavier_gain_002_on_a_modulation_branchs_first_conv_is_too_small() -> None:
    """A conditioning branch (shared conv -> ReLU -> scale and shift convs, added to a normalized input):
    ``gain=0.02`` on the shared conv is a std put where a gain goes, and the convs after the ReLU see (and
    learn from) features ~0.009x the input's scale. The residual-branch silence is for the branch's last
    layers, not for one whose output feeds further weight layers through an activation. Numbers checked with
    torch: xavier_normal_(Conv2d(16, 64, 3).weight, gain=0.02).std() = 0.00106, He's sqrt(2/144) = 0.118
    (111x), and relu(conv(x)) has rms 0.0090 for unit-variance x."""
    got = expect(
        """
        import torch.nn as nn

        class Modulation(nn.Module):
            def __init__(self):
                super().__init__()
                self.norm = nn.BatchNorm2d(32, affine=False)
                self.shared = nn.Sequential(nn.Conv2d(16, 64, 3, padding=1), nn.ReLU())
                self.to_scale = nn.Conv2d(64, 32, 3, padding=1)
                self.to_shift = nn.Conv2d(64, 32, 3, padding=1)
                for m in self.modules():
                    if isinstance(m, nn.Conv2d):
                        nn.init.xavier_normal_(m.weight, gain=0.02)

            def forward(self, x, cond):
                h = self.shared(cond)
                return self.norm(x) * (1 + self.to_scale(h)) + self.to_shift(h)
        """,
        ("IL202", "nn.init.xavier_normal_(m.weight, gain=0.02)"),
        families=SCALE,
    )
    message = got[0].message
    assert "`shared.0` (Conv2d(16, 64, 3)" in message and "to_scale" not in message and "to_shift" not in message
    assert "fan_in=144, fan_out=576 it gives std 0.0011 where ReLU after it wants 0.118: 112x too small" in message
    assert "Per layer the signal scales by 0.0089" in message
    assert 'kaiming_normal_(m.weight, nonlinearity="relu")' in message


RESIDUAL_BLOCK = """
import torch.nn as nn
import torch.nn.functional as F

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(256, 256)
        self.fc2 = nn.Linear(256, 256)
        nn.init.{first}
        nn.init.{last}

    def forward(self, x):
        return x + self.fc2(F.relu(self.fc1(x)))
"""


def test_small_gain_on_a_residual_branchs_last_layer_is_silent() -> None:
    """Fixup / zero-init-residual: the branch's last layer starts small so the block starts near identity.
    The site is seen (it reaches fc2.weight, the last init of it) and is silent because fc2's output meets the
    skip add, not an activation; the same gain on fc1, whose output feeds fc2 through the ReLU, is told."""
    last = "xavier_uniform_(self.fc2.weight, gain=0.02)"
    src = _src(RESIDUAL_BLOCK.format(first='kaiming_normal_(self.fc1.weight, nonlinearity="relu")', last=last))
    expect(src, sites={last: {"fc2.weight"}}, families=SCALE)
    picture = picture_of(src)
    (explained,) = [e for e in picture.explain() if e.site.func == "xavier_uniform_"]
    (reach,) = explained.reached
    assert reach.last and reach.follow.kind == RESIDUAL and reach.follows == "residual"
    first = "xavier_uniform_(self.fc1.weight, gain=0.02)"
    flagged = _src(RESIDUAL_BLOCK.format(first=first, last="zeros_(self.fc2.weight)"))
    (found,) = expect(flagged, ("IL202", first), families=SCALE)
    assert "`fc1` (Linear(256, 256)" in found.message and "fan_in=256, fan_out=256" in found.message
