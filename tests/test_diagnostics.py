"""The structured diagnostic the checks build: what ``site_diagnostic`` keeps of what ``finding`` adds to every
finding at a call (an option's scenario), and the adapter that gives a finding told as prose its parts."""

from __future__ import annotations

import textwrap

import pytest

from initlint.analysis import check_source
from initlint.checks import common
from initlint.findings import Finding, Note, short_title, structured

XAVIER_RELU = textwrap.dedent("""\
    import torch.nn as nn
    import torch.nn.functional as F
    from torch.nn import init

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(64, 64)
            init.xavier_uniform_(self.fc.weight)

        def forward(self, x):
            return F.relu(self.fc(x))
    """)


def test_help_uses_the_files_own_alias_and_numbers_are_data() -> None:
    [finding] = check_source(XAVIER_RELU, "model.py")
    assert finding.title == "Xavier init on `fc`, which feeds ReLU"
    assert finding.help == 'use `init.kaiming_uniform_(self.fc.weight, nonlinearity="relu")`'
    assert (finding.numbers["fan_in"], finding.numbers["fan_out"]) == (64, 64)
    assert finding.numbers["ratio"] == pytest.approx(2 ** -0.5)
    [built] = finding.spans
    assert (built.row, built.label) == (8, "`fc` (Linear(64, 64)) is built here")
    assert finding.severity == "warning" and finding.source_line == "        init.xavier_uniform_(self.fc.weight)"


def test_what_finding_puts_before_the_message_becomes_a_scenario_note(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = common.finding

    def with_option(*args: object, **kwargs: object) -> Finding:
        found = plain(*args, **kwargs)  # type: ignore[arg-type]
        return Finding(**{**found.as_plain(), "message": f"With `init='xavier'`: {found.message}"})

    monkeypatch.setattr(common, "finding", with_option)
    [finding] = check_source(XAVIER_RELU, "model.py")
    assert finding.title == "Xavier init on `fc`, which feeds ReLU"
    assert finding.notes[0] == Note("`init='xavier'`", "scenario")
    assert finding.numbers["scenario"] == "`init='xavier'`"
    assert finding.message.startswith("With `init='xavier'`: Xavier init on `fc`")


def test_the_adapter_splits_a_paragraph_into_title_notes_and_help() -> None:
    prose = Finding("IL999", "`x_` on `fc` does a thing. Because of a reason (Someone et al. 2015). Use `y_(w)` "
                             "instead.", "m.py", 1, 1, 1, 2)
    full = structured(prose)
    assert (full.title, full.help) == ("`x_` on `fc` does a thing", "use `y_(w)` instead")
    assert full.notes == (Note("Because of a reason (Someone et al. 2015)."),)


def test_a_long_title_is_cut_at_a_clause_outside_brackets() -> None:
    text = ("`normal_` with std=0.01 gives `fc1` (Linear(512, 512), line 7) std 0.01, but with fan_in=512 and ReLU "
            "after it the layer wants 0.0625")
    title = short_title(text)
    assert len(title) < 100 and title == "`normal_` with std=0.01 gives `fc1` (Linear(512, 512), line 7) std 0.01"


def test_a_notebooks_notes_name_lines_by_cell() -> None:
    nbformat = pytest.importorskip("nbformat")
    from initlint.config import Settings
    from initlint.notebook import check_notebook

    cells = [nbformat.v4.new_markdown_cell("# model"),
             nbformat.v4.new_code_cell("import torch.nn as nn\nimport torch.nn.functional as F"),
             nbformat.v4.new_code_cell(textwrap.dedent("""\
                 class Net(nn.Module):
                     def __init__(self):
                         super().__init__()
                         self.a = nn.Linear(32, 32)
                         self.b = nn.Linear(32, 32)
                         for m in self.modules():
                             if isinstance(m, nn.Linear):
                                 nn.init.xavier_uniform_(m.weight)

                     def forward(self, x):
                         return F.relu(self.b(F.relu(self.a(x))))"""))]
    data = nbformat.writes(nbformat.v4.new_notebook(cells=cells)).encode()
    [finding] = check_notebook(data, "nb.ipynb", Settings())
    assert (finding.code, finding.cell, finding.row) == ("IL101", 3, 8)
    [reached] = [note.text for note in finding.notes if note.text.startswith("reaches")]
    assert "(Linear(32, 32), cell 3, line 4)" in reached and "(Linear(32, 32), cell 3, line 5)" in reached
    assert [(span.cell, span.row) for span in finding.spans] == [(3, 4), (3, 5)]
