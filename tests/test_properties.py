"""Properties over generated inputs (hypothesis, hypothesmith), bounded for CI; ``bench/fuzz.py`` runs the same
properties longer.

- ``check`` returns findings or IL001 and never raises nor reports an internal error (IL000);
- ``--fix`` output parses, a second fix changes nothing, and every line no fix touched is still there;
- ``--add-noqa`` changes no string literal;
with targeted generators for the characters ``str.splitlines`` breaks at and for numeric extremes."""

from __future__ import annotations

import os

import hypothesmith
from helpers import BAD_MODEL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from initlint.analysis import check_source, fix_source
from initlint.config import Settings
from initlint.lines import split_lines
from initlint.noqa import add_noqa_to_source, string_literals

# CI keeps each property to a few seconds; bench/fuzz.py sets INITLINT_FUZZ_EXAMPLES for a long run.
EXAMPLES = int(os.environ.get("INITLINT_FUZZ_EXAMPLES", "25"))
BOUNDED = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize="INITLINT_FUZZ_EXAMPLES" not in os.environ,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.filter_too_much])

ODD_BREAKS = "\f\v\x1c\x1d\x1e\x85\u2028\u2029"
NUMBERS = st.sampled_from(["0", "1e-320", "1e-310", "1e308 * 10", "-1e308 * 10", "float('nan')", "float('inf')",
                           "10 ** 400", "10 ** 5000", "2 ** 62", "-1", "0.0", "1e308", "5e-324", "-0.0",
                           "1 / 3", "True", "None", "(1,) * 3"])

# Spots in the model where a number can go (a layer size, an init argument).
TEMPLATES = [
    BAD_MODEL.replace("nn.Linear(256, 256)", "nn.Linear({n}, 256)"),
    BAD_MODEL.replace("nn.Linear(256, 256)", "nn.Linear(256, {n})"),
    BAD_MODEL.replace("nn.init.xavier_uniform_(self.fc.weight)", "nn.init.normal_(self.fc.weight, std={n})"),
    BAD_MODEL.replace("nn.init.xavier_uniform_(self.fc.weight)", "nn.init.uniform_(self.fc.weight, -{n}, {n})"),
    BAD_MODEL.replace("nn.init.xavier_uniform_(self.fc.weight)", "nn.init.xavier_uniform_(self.fc.weight, gain={n})"),
    BAD_MODEL.replace("nn.init.xavier_uniform_(self.fc.weight)", "nn.init.constant_(self.fc.weight, {n})"),
    BAD_MODEL.replace("nn.init.xavier_uniform_(self.fc.weight)",
                      "nn.init.kaiming_normal_(self.fc.weight, a={n}, nonlinearity='leaky_relu')"),
]
FIXABLE = [
    BAD_MODEL,
    BAD_MODEL.replace("nn.init.xavier_uniform_(self.fc.weight)", "nn.init.xavier_uniform(self.fc.bias)"),
    BAD_MODEL.replace("        nn.init.xavier_uniform_(self.fc.weight)\n",
                      "        for p in self.parameters():\n            nn.init.kaiming_uniform_(p)\n"),
    BAD_MODEL.replace("        self.act = nn.ReLU()\n", "        self.act = nn.ReLU()  # noqa: IL402\n"),
]


def _sound(findings: list) -> None:
    internal = [f.message for f in findings if f.code == "IL000" or f.severity == "internal"]
    assert not internal, internal


def _raw_string(text: str) -> str:
    """A string literal holding the characters as they are (``repr`` would escape them)."""
    return "'" + text.replace("\\", "").replace("'", "").replace("\r", "").replace("\n", "") + "'"


@st.composite
def with_odd_lines(draw: st.DrawFn, source: str) -> str:
    """The source with comments and strings holding the odd line-break characters (and lone CRs) inserted
    between its lines."""
    lines = source.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(1, len(lines) - 1))
        following = next((line for line in lines[at:] if line.strip() and not line.lstrip().startswith("#")), "")
        text = draw(st.text(alphabet=ODD_BREAKS + "ab \r", min_size=1, max_size=6))
        top_level = following and not following[0].isspace()
        if top_level and draw(st.booleans()):
            lines.insert(at, f"NOTE = {_raw_string(text)}")
        else:
            lines.insert(at, "# " + text.replace("\r", "\r#"))
    return "\n".join(lines)


@given(hypothesmith.from_grammar())
@BOUNDED
def test_check_never_raises_on_any_grammatical_source(source: str) -> None:
    _sound(check_source("import torch\nimport torch.nn as nn\n" + source, "fuzz.py"))


@given(st.sampled_from(TEMPLATES), NUMBERS)
@BOUNDED
def test_numeric_extremes_give_a_finding_or_silence(template: str, number: str) -> None:
    source = template.format(n=number)
    found = check_source(source, "m.py")
    _sound(found)
    assert all(f.code != "IL001" for f in found), [f.message for f in found]
    text, _, _ = fix_source(source, "m.py", Settings(), unsafe=True)
    compile(text, "m.py", "exec")


@given(st.sampled_from(FIXABLE).flatmap(with_odd_lines))
@BOUNDED
def test_fix_parses_is_idempotent_and_keeps_every_other_line(source: str) -> None:
    text, fixed, left = fix_source(source, "m.py", Settings(), unsafe=True)
    _sound(left)
    compile(text, "m.py", "exec")
    assert fix_source(text, "m.py", Settings(), unsafe=True)[:2] == (text, 0)
    kept = split_lines(text)
    for line in split_lines(source):
        if any(c in line for c in ODD_BREAKS + "\r"):  # the inserted lines: no fix is about them
            assert line in kept, repr(line)
    assert fixed >= 1


@given(st.sampled_from(FIXABLE[:3]).flatmap(with_odd_lines), st.text(alphabet=ODD_BREAKS + "x'\\", max_size=5))
@BOUNDED
def test_add_noqa_changes_no_string_literal(source: str, tail: str) -> None:
    source = source.replace("nn.init.", f"self.tag = {_raw_string(tail)}; nn.init.", 1) if tail else source
    findings = [f for f in check_source(source, "m.py") if f.code not in ("IL001", "IL002")]
    _sound(findings)
    by_line: dict[int, set[str]] = {}
    for finding in findings:
        by_line.setdefault(finding.row, set()).add(finding.code)
    text, _ = add_noqa_to_source(source, by_line)
    assert string_literals(text) == string_literals(source)
    compile(text, "m.py", "exec")
    assert [f.code for f in check_source(text, "m.py") if f.code != "IL002"] == []
