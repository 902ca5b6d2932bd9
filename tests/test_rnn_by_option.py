"""A recurrent layer whose class an option names (issue 16): ``getattr(nn, cell)(...)`` under ``if cell in
('LSTM', 'GRU'):`` builds an LSTM in one run and a GRU in another. Each is its own scenario for IL301; the
name is resolved through the file's import of ``torch.nn``, never by how the module is spelled.
"""

from __future__ import annotations

from initlint.analysis import check_source, picture_of
from tests.test_idioms import _src, line_of


def _model(build: str, header: str = "import torch.nn as nn", init: str = "") -> str:
    return f"""
    {header}


    class Tagger(nn.Module):
        def __init__(self, cell, vocab, width, depth):
            super().__init__()
            self.table = nn.Embedding(vocab, width)
{build}
            self.score = nn.Linear(width, 9)
            nn.init.normal_(self.table.weight, 0, 0.05)
            nn.init.xavier_uniform_(self.score.weight)
{init}
        def forward(self, tokens):
            out, _ = self.rnn(self.table(tokens))
            return self.score(out)
    """


BY_OPTION = """
            if cell in ("LSTM", "GRU"):
                self.rnn = getattr(nn, cell)(width, width, depth)
            else:
                self.rnn = nn.RNN(width, width, depth, nonlinearity="relu")
"""


def _il301(code: str) -> list:
    found = check_source(_src(code), "model.py")
    assert not [f for f in found if f.code == "IL001"], [f.message for f in found]
    return sorted((f for f in found if f.code == "IL301"), key=lambda f: (f.row, f.message))


def _kinds(code: str) -> list[str]:
    return sorted(layer.kind for layer in picture_of(_src(code)).layers.values()
                  if layer.kind in ("RNN", "LSTM", "GRU"))


def test_each_option_is_its_own_scenario():
    code = _model(BY_OPTION)
    src = _src(code)
    found = _il301(code)
    by_scenario = {f.numbers.get("scenario"): f for f in found}
    assert set(by_scenario) == {"`cell='LSTM'`", "`cell='GRU'`", "`cell` other than 'LSTM' and 'GRU'"}
    line = line_of(src, "getattr(nn, cell)")
    assert by_scenario["`cell='LSTM'`"].row == by_scenario["`cell='GRU'`"].row == line
    assert by_scenario["`cell` other than 'LSTM' and 'GRU'"].row == line_of(src, "nn.RNN(")
    assert by_scenario["`cell='LSTM'`"].message.startswith("With `cell='LSTM'`: `rnn` keeps PyTorch's default")
    assert "range(4)" in by_scenario["`cell='LSTM'`"].help and "range(3)" in by_scenario["`cell='GRU'`"].help
    assert _kinds(code) == ["GRU", "LSTM", "RNN"]


def test_a_directly_written_lstm_is_the_same_finding_without_a_scenario():
    found = _il301(_model("            self.rnn = nn.LSTM(width, width, depth)"))
    assert len(found) == 1 and "scenario" not in found[0].numbers
    assert found[0].title == "`rnn` keeps PyTorch's default init for weight_hh_l0"


def test_a_fix_is_offered_only_when_one_class_is_built_there():
    fixes = {f.numbers["scenario"]: f.fix for f in _il301(_model(BY_OPTION))}
    assert fixes["`cell='LSTM'`"] is None and fixes["`cell='GRU'`"] is None  # gate counts differ: 4 and 3
    assert fixes["`cell` other than 'LSTM' and 'GRU'"] is not None


def test_names_resolved_through_the_import():
    aliased = _model(BY_OPTION.replace("getattr(nn, cell)", "getattr(tnn, cell)"),
                     header="import torch.nn as nn\n    import torch.nn as tnn")
    assert _kinds(aliased) == ["GRU", "LSTM", "RNN"]
    foreign = _model(BY_OPTION.replace("getattr(nn, cell)", "getattr(cells, cell)"),
                     header="import torch.nn as nn\n    import mylib.cells as cells")
    assert _kinds(foreign) == ["RNN"]  # not torch.nn's: nothing is built for it
    assert len(_il301(foreign)) == 1


def test_the_arm_an_equality_test_picks():
    build = """
            if cell == "GRU":
                self.rnn = getattr(nn, cell)(width, width, depth)
            else:
                self.rnn = nn.LSTM(width, width, depth)
"""
    found = _il301(_model(build))
    assert [(f.numbers.get("scenario"), f.numbers["layer"]) for f in found] == \
        [("`cell='GRU'`", "rnn"), ("`cell` other than 'GRU'", "rnn")]
    assert _kinds(_model(build)) == ["GRU", "LSTM"]


def test_a_literal_name_and_an_unknown_one():
    assert _kinds(_model('            self.rnn = getattr(nn, "GRU")(width, width, depth)')) == ["GRU"]
    unknown = _model("            self.rnn = getattr(nn, cell)(width, width, depth)")
    assert _kinds(unknown) == []  # nothing says which class: no layer, no finding
    assert _il301(unknown) == []
    sites = picture_of(_src(unknown)).explain()
    assert len(sites) == 2  # the embedding's and the scorer's inits were seen


def test_an_init_of_every_option_silences_each():
    init = """
            for name, p in self.rnn.named_parameters():
                if "weight_hh" in name:
                    nn.init.orthogonal_(p)
"""
    code = _model(BY_OPTION, init=init)
    assert _il301(code) == []
    src = _src(code)
    picture = picture_of(src)
    (site,) = [e for e in picture.explain() if e.line == line_of(src, "nn.init.orthogonal_(p)")]
    assert {picture.layers[r.ref.layer].kind for r in site.reached} == {"LSTM", "GRU", "RNN"}


def test_an_init_under_one_option_leaves_the_others():
    init = """
            if cell == "LSTM":
                for name, p in self.rnn.named_parameters():
                    if "weight_hh" in name:
                        nn.init.orthogonal_(p)
"""
    found = _il301(_model(BY_OPTION, init=init))
    # the GRU's run never reaches the init; the else arm (``cell not in (...)``) is not told apart from
    # ``cell == "LSTM"`` (Condition.contradicts leaves membership tests alone), so it counts as maybe initialized
    assert {f.numbers["scenario"] for f in found} == {"`cell='GRU'`"}
