"""torch's composite modules seen from inside (issue 16, item 4): ``nn.Transformer``, ``TransformerEncoder``/
``Decoder`` and their layers build Linear, attention and norm parts (torchspec.composites) that a blanket
``for p in self.parameters(): if p.dim() > 1: xavier_uniform_(p)`` reaches. Only ``linear1`` feeds the
layer's activation (ReLU by default); attention projections, ``linear2`` and norms are no rectifier's input.
"""

from __future__ import annotations

from initlint.analysis import check_source, picture_of
from tests.test_idioms import _src, expect, line_of

BLANKET = """
            for p in self.parameters():
                if p.dim() > 1:
                    nn.init.xavier_uniform_(p)
"""


def _model(build: str, init: str = BLANKET, header: str = "") -> str:
    return f"""
    import torch.nn as nn
    import torch.nn.functional as F
    {header}

    class Model(nn.Module):
        def __init__(self, vocab=1000):
            super().__init__()
            self.embed = nn.Embedding(vocab, 256)
{build}
            self.head = nn.Linear(256, vocab)
{init}
        def forward(self, x):
            return self.head(self.body(self.embed(x)))
    """


def reached(code: str, snippet: str) -> dict[str, str]:
    """Layer path -> what its output meets, for the init site on the line of ``snippet``."""
    src = _src(code)
    (site,) = [e for e in picture_of(src).explain() if e.line == line_of(src, snippet)]
    return {r.layer.split(" ")[0]: r.follows for r in site.reached}


def _il101(code: str):
    found = [f for f in check_source(_src(code), "model.py") if f.code == "IL101"]
    assert len(found) == 1, [f.message for f in found]
    return found[0]


TRANSFORMER = "            self.body = nn.Transformer(256, 4, 2, 3, 1024, 0.1)"


def test_xavier_on_every_matrix_reaches_each_stacks_linear1():
    code = _model(TRANSFORMER)
    finding = _il101(code)
    assert "`body.encoder.layers.*.linear1`" in finding.message
    assert "`body.decoder.layers.*.linear1`" in finding.message
    assert "feed ReLU" in finding.message
    assert finding.numbers["fan_in"] == 256 and finding.numbers["fan_out"] == 1024
    for silent in ("linear2", "self_attn", "out_proj", "multihead_attn", "embed", "head"):
        assert silent not in finding.title


def test_the_parts_it_reaches_and_what_each_meets():
    meets = reached(_model(TRANSFORMER), "nn.init.xavier_uniform_(p)")
    assert meets["body.encoder.layers.*.linear1"] == "ReLU, then linear"
    assert meets["body.decoder.layers.*.linear1"] == "ReLU, then linear"
    assert meets["body.encoder.layers.*.linear2"] == "residual"
    assert meets["body.decoder.layers.*.self_attn"] == "unknown"  # in_proj_weight: queries, keys, values
    assert meets["body.decoder.layers.*.multihead_attn.out_proj"] == "unknown"
    assert meets["embed"] == "unknown"  # the transformer's input meets attention and a skip, not a layer
    assert not any("norm" in path for path in meets)  # 1-D weights, skipped by p.dim() > 1
    assert len([p for p in meets if ".layers.*." in p]) == 4 + 6  # encoder: attn, out_proj, 2 linears; decoder


def test_torchs_defaults_size_the_parts():
    code = _model("            self.body = nn.TransformerEncoder(nn.TransformerEncoderLayer(512, 8), 6)")
    meets = reached(code, "nn.init.xavier_uniform_(p)")
    assert "body.layers.*.linear1" in meets
    finding = _il101(code)
    assert (finding.numbers["fan_in"], finding.numbers["fan_out"]) == (512, 2048)  # dim_feedforward=2048


def test_a_bare_transformer_is_torchs_own_xavier_not_reported():
    """``nn.Transformer`` runs xavier_uniform_ itself: torch's default, like every layer's reset_parameters,
    is not an init the code calls (IL101 judges calls), so there is nothing to report."""
    code = _model(TRANSFORMER, init="")
    assert picture_of(_src(code)).explain() == []
    expect(code)


def _encoder(activation: str) -> str:
    return (f"            layer = nn.TransformerEncoderLayer(256, 4, 512{activation})\n"
            "            self.body = nn.TransformerEncoder(layer, 3, nn.LayerNorm(256))")


def test_the_activation_argument():
    for written, shown in ((", activation='gelu'", "GELU"), (", activation=F.gelu", "GELU"),
                           (", activation=nn.GELU()", "GELU"), (", activation=F.relu", "ReLU"),
                           (", 0.1, 'relu'", "ReLU"), (", activation=nn.SiLU()", "SiLU")):
        finding = _il101(_model(_encoder(written)))
        assert f"`body.layers.*.linear1`, which feeds {shown}" in finding.message, written


def test_an_activation_it_cannot_read_is_no_finding():
    code = _model(_encoder(", activation=act")).replace("vocab=1000", "act, vocab=1000")
    assert reached(code, "nn.init.xavier_uniform_(p)")["body.layers.*.linear1"] == "unknown"
    expect(code)
    refused = _model(_encoder(", activation='tanh'"))  # torch raises RuntimeError: relu/gelu only
    assert reached(refused, "nn.init.xavier_uniform_(p)")["body.layers.*.linear1"] == "unknown"


def test_a_custom_encoder_replaces_the_parts():
    build = ("            enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(256, 4, 512, activation='gelu'), 2)\n"
             "            self.body = nn.Transformer(256, 4, custom_encoder=enc)")
    meets = reached(_model(build), "nn.init.xavier_uniform_(p)")
    assert "body.encoder.layers.*.linear1" not in meets  # ``enc`` is not stored under ``body``'s own parts
    assert meets["body.decoder.layers.*.linear1"] == "ReLU, then linear"


def test_he_on_the_copies_after_the_blanket_loop():
    init = BLANKET + """
            for block in self.body.layers:
                nn.init.kaiming_uniform_(block.linear1.weight, nonlinearity="relu")
"""
    code = _model(_encoder(""), init=init)
    assert reached(code, "nn.init.kaiming_uniform_(block.linear1.weight")["body.layers.*.linear1"] == \
        "ReLU, then linear"
    expect(code)


def test_the_fix_reinitializes_only_linear1(tmp_path):
    from tests.helpers import initlint
    path = tmp_path / "model.py"
    path.write_text(_src(_model(TRANSFORMER)))
    run = initlint("check", "--fix", "--unsafe-fixes", str(path))
    assert "Fixed 1 finding" in run.stdout, run.stdout + run.stderr
    fixed = path.read_text()
    assert 'if _name.endswith(".linear1"):' in fixed
    assert fixed.count("nn.init.kaiming_uniform_(_module.weight") == 2  # encoder and decoder copies
    assert initlint("check", str(path)).returncode == 0


def _cloned(init_before: bool) -> str:
    init = "            nn.init.xavier_uniform_(layer.linear1.weight)\n"
    build = ("            layer = nn.TransformerEncoderLayer(256, 4, 512)\n"
             + (init if init_before else "")
             + "            self.body = nn.TransformerEncoder(layer, 3)\n"
             + ("" if init_before else init))
    return _model(build, init="")


def test_an_init_before_the_copies_reaches_them():
    """``TransformerEncoder`` deep-copies the layer: an init that ran before is in every copy."""
    code = _cloned(init_before=True)
    meets = reached(code, "nn.init.xavier_uniform_(layer.linear1.weight)")
    assert meets["body.layers.*.linear1"] == "ReLU, then linear"
    assert "feeds ReLU" in _il101(code).message


def test_an_init_after_the_copies_is_il506_only():
    """After the copy the original layer runs nowhere: IL506 says so, and its Xavier is no IL101."""
    code = _cloned(init_before=False)
    meets = reached(code, "nn.init.xavier_uniform_(layer.linear1.weight)")
    assert list(meets.values()) == ["unknown"] and not any(p.startswith("body.") for p in meets)
    found = [f.code for f in check_source(_src(code), "model.py")]
    assert found == ["IL506"]
