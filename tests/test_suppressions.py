"""``# noqa``, ``# initlint: ignore[...]``, ``# initlint: skip-file`` and IL002 for unused ones."""

from __future__ import annotations

import textwrap

from initlint.analysis import check_source
from initlint.config import Settings

MODEL = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(256, 256)
        self.act = nn.ReLU()
        nn.init.xavier_uniform_(self.fc.weight){comment}

    def forward(self, x):
        return self.act(self.fc(x))
"""


def found(comment: str, settings: Settings | None = None) -> list[tuple[str, int]]:
    source = MODEL.format(comment=comment)
    return [(f.code, f.row) for f in check_source(source, "m.py", settings)]


def test_no_comment_reports() -> None:
    assert found("") == [("IL101", 9)]


def test_noqa_with_the_code() -> None:
    assert found("  # noqa: IL101") == []


def test_noqa_with_several_codes() -> None:
    assert found("  # noqa: E501, IL101") == []


def test_bare_noqa() -> None:
    assert found("  # noqa") == []


def test_initlint_ignore() -> None:
    assert found("  # initlint: ignore[IL101]") == []


def test_noqa_for_another_code_does_not_suppress() -> None:
    assert sorted(found("  # noqa: IL401")) == [("IL002", 9), ("IL101", 9)]


def test_other_tools_codes_are_not_reported_unused() -> None:
    assert found("  # noqa: E501") == [("IL101", 9)]


def test_noqa_inside_a_string_is_not_a_comment() -> None:
    source = MODEL.format(comment="; x = '# noqa: IL101'")
    assert [f.code for f in check_source(source, "m.py")] == ["IL101"]


def test_unused_suppression_after_the_fix() -> None:
    source = MODEL.format(comment="  # noqa: IL101").replace(
        "xavier_uniform_(self.fc.weight)", 'kaiming_uniform_(self.fc.weight, nonlinearity="relu")')
    (finding,) = check_source(source, "m.py")
    assert finding.code == "IL002" and finding.row == 9
    assert "IL101" in finding.message


def test_unselected_code_is_not_unused() -> None:
    assert found("  # noqa: IL101", Settings(select=("IL4",))) == []


def test_il002_can_be_ignored() -> None:
    assert found("  # noqa: IL401", Settings(ignore=("IL002",))) == [("IL101", 9)]


def test_skip_file() -> None:
    source = "# initlint: skip-file\n" + MODEL.format(comment="")
    assert check_source(source, "m.py") == []


def test_skip_file_must_be_a_comment_line() -> None:
    source = 'NOTE = "# initlint: skip-file"\n' + MODEL.format(comment="")
    assert [f.code for f in check_source(source, "m.py")] == ["IL101"]


def test_suppression_applies_to_the_reported_line_of_a_shared_call() -> None:
    source = textwrap.dedent("""\
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Linear(64, 64)
                self.b = nn.Linear(64, 64)
                self.act = nn.ReLU()
                for m in self.modules():
                    if isinstance(m, nn.Linear):
                        nn.init.xavier_normal_(m.weight)  # noqa: IL101 -- matches the reference code

            def forward(self, x):
                return self.act(self.b(self.act(self.a(x))))
        """)
    assert check_source(source, "m.py") == []


UNUSED = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)  # noqa: IL101
        self.fc2 = nn.Linear(4, 4)  # noqa: E501, IL201
        self.fc3 = nn.Linear(4, 4)  # initlint: ignore[IL101, IL102]
        self.fc4 = nn.Linear(4, 4)  # noqa: IL101 kept for the paper
        nn.init.xavier_uniform_(self.fc.weight)  # noqa: IL401, IL101

    def forward(self, x):
        return self.fc4(self.fc3(self.fc2(self.fc(x).relu())))
"""


def test_unused_suppressions_are_removed_by_a_safe_fix_keeping_what_is_used_and_other_tools_codes() -> None:
    from initlint.analysis import fix_source

    text, fixed, left = fix_source(UNUSED, "m.py", Settings())
    assert fixed == 4
    assert "        self.fc = nn.Linear(4, 4)\n" in text
    assert "        self.fc2 = nn.Linear(4, 4)  # noqa: E501\n" in text
    assert "        self.fc3 = nn.Linear(4, 4)\n" in text
    assert "        nn.init.xavier_uniform_(self.fc.weight)  # noqa: IL101\n" in text
    assert [(f.code, f.row, f.fix) for f in left] == [("IL002", 10, None)]  # says more than the directive
    assert left[0].no_fix == "the comment says more than the directive: edit it by hand"
    assert fix_source(text, "m.py", Settings())[:2] == (text, 0)
