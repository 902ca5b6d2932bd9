"""Every renderer on one small fixed example, pinned by golden files (``tests/data/render/*``): a structured
IL101 (secondary spans, notes, help, numbers, an unsafe fix), an IL402 told as prose (the adapter's title and
help) with a safe fix, and an IL101 in a notebook cell. SARIF is also validated against the 2.1.0 schema.

Regenerate after a deliberate change with ``python tests/test_render_golden.py`` and review the diff.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from initlint.findings import Finding, Note, Span, diagnostic
from initlint.report import FORMATS

GOLDEN = Path(__file__).resolve().parent / "data" / "render"
SCHEMA = Path(__file__).resolve().parent / "data" / "sarif" / "sarif-schema-2.1.0.json"
SUFFIX = {"json": "json", "sarif": "json", "junit": "xml", "json-lines": "jsonl"}

_CALL = "nn.init.xavier_uniform_(self.fc1.weight)"
_FIXED = 'init.kaiming_uniform_(self.fc1.weight, nonlinearity="relu")'
EXAMPLE = [
    diagnostic(
        "IL101", "models/mlp.py", (14, 9, 14, 9 + len(_CALL)), "Xavier init on `fc1`, which feeds ReLU",
        spans=(Span(8, 20, 8, 39, "`fc1` is built here", text="        self.fc1 = nn.Linear(784, 256)"),
               Span(18, 16, 18, 35, "ReLU is applied here", text="        return F.relu(self.fc1(x))")),
        notes=(Note("fan_in=784, fan_out=256: std 0.0429, He init wants 0.0505 (0.849x per layer)"),),
        help=f"use `{_FIXED}`",
        numbers={"fan_in": 784, "fan_out": 256, "std": 0.0429, "wanted_std": 0.0505, "ratio": 0.849,
                 "activation": "relu"},
        severity="warning", source_line=f"        {_CALL}", fingerprint="xavier_uniform_ 0.weight",
        fix={"applicability": "unsafe", "message": f"Replace with `{_FIXED}`",
             "edits": [{"content": _FIXED, "location": {"row": 14, "column": 9},
                        "end_location": {"row": 14, "column": 9 + len(_CALL)}}]}),
    Finding("IL402", "`nn.init.normal` is a deprecated alias of `nn.init.normal_`. Use `nn.init.normal_`.",
            "models/mlp.py", 15, 9, 15, 23, severity="info", source_line="        nn.init.normal(self.fc2.bias)",
            fix={"applicability": "safe", "message": "Replace with `nn.init.normal_`",
                 "edits": [{"content": "nn.init.normal_", "location": {"row": 15, "column": 9},
                            "end_location": {"row": 15, "column": 23}}]}),
    diagnostic(
        "IL101", "nb.ipynb", (6, 9, 6, 48), "Xavier init on `fc`, which feeds ReLU", cell=3,
        file_span=(60, 10, 60, 49), spans=(Span(4, 19, 4, 38, "`fc` is built here", cell=3,
                                                text="        self.fc = nn.Linear(256, 256)"),),
        help='use `nn.init.kaiming_uniform_(self.fc.weight, nonlinearity="relu")`', numbers={"fan_in": 256},
        severity="warning", source_line="        nn.init.xavier_uniform_(self.fc.weight)",
        no_fix="a test of the reason"),
]
FILES_CHECKED = 2


def golden_path(name: str) -> Path:
    return GOLDEN / f"{name}.{SUFFIX.get(name, 'txt')}"


def rendered(name: str) -> str:
    """The format's output; SARIF without the rule catalog and the version, which change with every rule page
    and release (``test_formats`` pins the catalog against the pages)."""
    text = FORMATS[name](EXAMPLE, FILES_CHECKED)
    if name == "sarif":
        log = json.loads(text)
        driver = log["runs"][0]["tool"]["driver"]
        driver["rules"] = [rule["id"] for rule in driver["rules"]]
        driver["version"] = "<version>"
        text = json.dumps(log, indent=2)
    return text + "\n"


@pytest.mark.parametrize("name", list(FORMATS))
def test_renderer_golden(name: str) -> None:
    assert rendered(name) == golden_path(name).read_text(encoding="utf-8")


def test_text_shape() -> None:
    lines = FORMATS["text"](EXAMPLE[:1], 1).splitlines()
    assert lines[0] == "models/mlp.py:14:9: IL101 Xavier init on `fc1`, which feeds ReLU"
    assert f"14 |         {_CALL}" in lines and " |         " + "^" * len(_CALL) in [line[2:] for line in lines]
    assert [line for line in lines if "help:" in line] == [f"  = help: use `{_FIXED}`"]  # exactly one help line
    assert "   |                    ------------------- `fc1` is built here" in lines


def test_concise_lines_are_short() -> None:
    for line in FORMATS["concise"](EXAMPLE, FILES_CHECKED).splitlines():
        assert len(line) <= 160


def test_json_carries_every_field() -> None:
    first, second, third = json.loads(FORMATS["json"](EXAMPLE, FILES_CHECKED))
    assert first["numbers"] == {"fan_in": 784, "fan_out": 256, "std": 0.0429, "wanted_std": 0.0505, "ratio": 0.849,
                                "activation": "relu"}
    assert [r["label"] for r in first["related"]] == ["`fc1` is built here", "ReLU is applied here"]
    assert first["severity"] == "warning" and first["url"].endswith("/rules/IL101-rectifier-needs-he.md")
    assert second["title"] == "`nn.init.normal` is a deprecated alias of `nn.init.normal_`"  # from the prose
    assert second["help"] == "use `nn.init.normal_`"
    assert third["cell"] == 3 and third["related"][0]["cell"] == 3
    assert len({item["fingerprint"] for item in (first, second, third)}) == 3


def test_sarif_carries_related_locations_fixes_and_fingerprints() -> None:
    run = json.loads(FORMATS["sarif"](EXAMPLE, FILES_CHECKED))["runs"][0]
    first, second, third = run["results"]
    assert [r["message"]["text"] for r in first["relatedLocations"]] == ["`fc1` is built here",
                                                                       "ReLU is applied here"]
    assert first["relatedLocations"][0]["physicalLocation"]["region"] == {
        "startLine": 8, "startColumn": 20, "endLine": 8, "endColumn": 39}
    [replacement] = first["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacement["insertedContent"]["text"] == _FIXED
    assert (first["level"], second["level"]) == ("warning", "note")
    assert first["properties"]["numbers"]["fan_in"] == 784
    assert all(res["partialFingerprints"]["initlintFingerprint/v1"] for res in (first, second, third))
    assert "fixes" not in third and "relatedLocations" not in third  # a notebook's cell lines are not the file's


def test_sarif_golden_validates_against_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    log = json.loads(FORMATS["sarif"](EXAMPLE, FILES_CHECKED))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)] == []


def test_github_has_title_and_help() -> None:
    first = FORMATS["github"](EXAMPLE, FILES_CHECKED).splitlines()[0]
    assert first.startswith("::warning title=IL101 Xavier init on `fc1`%2C which feeds ReLU,")
    assert first.endswith(f"%0Ahelp: use `{_FIXED}`")


if __name__ == "__main__":  # regenerate the golden files
    for format_name in sys.argv[1:] or list(FORMATS):
        golden_path(format_name).write_text(rendered(format_name), encoding="utf-8")
