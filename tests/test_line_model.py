"""One line model everywhere: lines break at \\n, \\r\\n and \\r only, as Python's parser sees them.

Characters ``str.splitlines`` also breaks at (form feed, vertical tab, \\x1c-\\x1e, NEL, U+2028, U+2029) and a
lone CR inside a comment must not shift any edit: every editing path gives the same result with such a
character in an earlier comment as without it."""

from __future__ import annotations

import pytest
from helpers import BAD_MODEL

from initlint.analysis import check_source, fix_source, unified_diff
from initlint.config import Settings
from initlint.lines import line_starts, split_lines
from initlint.noqa import add_noqa_to_source, string_literals

# Breaks for str.splitlines, ordinary characters for Python (a lone CR is a break for both, but the old fixer
# counted only \n).
ODD = ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
ODD_IDS = [f"U+{ord(c):04X}" for c in ODD]

# A loop over every parameter: the fix splits the call by rank (a block written in place of the call).
SPLIT = BAD_MODEL.replace("        nn.init.xavier_uniform_(self.fc.weight)\n",
                          "        # init\n        for p in self.parameters():\n            nn.init.kaiming_uniform_(p)\n")
CRASH = BAD_MODEL.replace("nn.init.xavier_uniform_(self.fc.weight)", "nn.init.xavier_uniform_(self.fc.bias)")
UNUSED = BAD_MODEL.replace("        self.act = nn.ReLU()\n", "        self.act = nn.ReLU()  # noqa: IL402\n")


def _with_comment(source: str, char: str) -> str:
    """The source with ``char`` in a comment on its second line (before every edit)."""
    lines = source.split("\n")
    lines.insert(1, f"# a page{char}break")
    return "\n".join(lines)


def test_split_lines_breaks_only_where_python_does() -> None:
    text = "a\fb\x85c\u2028d\re\r\nf\ng"
    assert split_lines(text) == ["a\fb\x85c\u2028d\r", "e\r\n", "f\n", "g"]
    assert line_starts(text) == [0, 8, 11, 13]
    assert "".join(split_lines(text)) == text


@pytest.mark.parametrize("char", ODD, ids=ODD_IDS)
@pytest.mark.parametrize("source", [SPLIT, CRASH, UNUSED], ids=["split", "il401", "il002"])
def test_fix_is_the_same_with_an_odd_character_above(source: str, char: str) -> None:
    clean, fixed, _ = fix_source(source, "m.py", Settings(), unsafe=True)
    assert fixed >= 1 and clean != source
    odd, fixed_odd, _ = fix_source(_with_comment(source, char), "m.py", Settings(), unsafe=True)
    assert (odd, fixed_odd) == (_with_comment(clean, char), fixed)


@pytest.mark.parametrize("source", [SPLIT, CRASH, UNUSED], ids=["split", "il401", "il002"])
@pytest.mark.parametrize("newline", ["\r", "\r\n"], ids=["cr", "crlf"])
def test_fix_keeps_cr_and_crlf_files_intact(source: str, newline: str) -> None:
    clean, fixed, _ = fix_source(source, "m.py", Settings(), unsafe=True)
    other, fixed_other, _ = fix_source(source.replace("\n", newline), "m.py", Settings(), unsafe=True)
    assert (other, fixed_other) == (clean.replace("\n", newline), fixed)


def test_lone_cr_in_a_comment_is_a_line_break() -> None:
    source = _with_comment(CRASH, "\r# more")
    assert [f.row for f in check_source(source, "m.py")] == [f.row + 2 for f in check_source(CRASH, "m.py")]
    text, fixed, left = fix_source(source, "m.py", Settings())
    assert fixed == 1 and not left and text == _with_comment(fix_source(CRASH, "m.py", Settings())[0], "\r# more")


@pytest.mark.parametrize("char", ODD, ids=ODD_IDS)
def test_add_noqa_puts_the_directive_on_the_finding_line(char: str) -> None:
    source = _with_comment(BAD_MODEL, char) + 'NOTE = """text\nmore"""\n'
    (finding,) = check_source(source, "m.py")
    text, count = add_noqa_to_source(source, {finding.row: {finding.code}})
    assert count == 1
    assert split_lines(text)[finding.row - 1].endswith("nn.init.xavier_uniform_(self.fc.weight)  # noqa: IL101\n")
    assert string_literals(text) == string_literals(source)
    assert check_source(text, "m.py") == []


def test_add_noqa_never_writes_inside_a_string_opened_after_the_code() -> None:
    source = BAD_MODEL.replace("nn.init.xavier_uniform_(self.fc.weight)",
                               'nn.init.xavier_uniform_(self.fc.weight); self.note = """\nabout it\n"""')
    (finding,) = check_source(source, "m.py")
    text, count = add_noqa_to_source(source, {finding.row: {"IL101"}})
    assert (text, count) == (source, 0)


@pytest.mark.parametrize("char", ODD, ids=ODD_IDS)
def test_unused_suppression_fix_removes_only_the_comment(char: str) -> None:
    source = _with_comment(UNUSED, char)
    (il002,) = [f for f in check_source(source, "m.py") if f.code == "IL002"]
    assert split_lines(source)[il002.row - 1].startswith("        self.act = nn.ReLU()")
    text, _, _ = fix_source(source, "m.py", Settings())
    assert "        self.act = nn.ReLU()\n" in text and "noqa" not in text


def test_diff_of_a_file_without_a_last_newline_says_so() -> None:
    diff = unified_diff("m.py", "a = 1\nb = 2", "a = 1\nb = 3")
    assert diff.endswith("-b = 2\n\\ No newline at end of file\n+b = 3\n\\ No newline at end of file\n")
    assert unified_diff("m.py", "a\fb\n", "a\fc\n").count("\n-") == 1  # one line, not two


@pytest.mark.parametrize("char", ODD, ids=ODD_IDS)
def test_python2_line_is_found_with_an_odd_character_above(char: str) -> None:
    """CPython's line 2 is the print statement; counting lines with str.splitlines would read another line
    and miss that the file is Python 2."""
    [finding] = check_source(f"x = 1  # page{char}end\nprint 'hi'\n", "old.py")
    assert (finding.code, finding.row) == ("IL001", 2)
    assert "Python 2 syntax (a print statement at line 2)" in finding.message


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_editor_pieces_count_lines_as_python_does(newline: str) -> None:
    from initlint.incremental import _pieces

    text = newline.join(["import torch.nn as nn", "", "", "class A(nn.Module):", "    pass", "# \f\u2028",
                         "x = 1", ""])
    pieces = _pieces(text)
    assert [(p.start, p.lines, p.defines) for p in pieces] == [(0, 3, None), (3, 3, "A"), (6, 1, None)]
