"""Every output format, rendered from the same few findings and compared with what it must say."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from helpers import BAD_MODEL

import initlint
from initlint.findings import Finding, stable_fingerprint
from initlint.registry import RULES, rule_page, rule_severity
from initlint.report import FORMATS
from initlint.report.concise import first_sentence
from initlint.report.sarif import artifact_uri

SCHEMA = Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json"

# Sorted as the engine sorts them: by filename, then position. The second message has a %, a CR LF,
# a comma, a colon and XML's special characters; the second file's path has a comma.
FINDINGS = [
    Finding("IL001", "cannot parse the file: invalid syntax", "/srv/models/broken.py", 3, 5, 3, 5),
    Finding("IL101", "Xavier init on `fc`, which feeds ReLU: it shrinks by 50% per layer. Use He init.\r\n"
                     "See <the> rule & page.", "models/a,b.py", 9, 9, 9, 48),
    Finding("IL402", "`nn.init.normal` is deprecated, use `nn.init.normal_`.", "models/a,b.py", 12, 5, 12, 19),
]
FILES_CHECKED = 4

BAD = BAD_MODEL


def render(name: str, findings: list[Finding] = FINDINGS, files_checked: int = FILES_CHECKED) -> str:
    return FORMATS[name](findings, files_checked)


def test_registered_formats() -> None:
    assert list(FORMATS) == ["text", "concise", "json", "json-lines", "sarif", "github", "junit"]


# --- concise ---------------------------------------------------------------------------------------

def test_concise() -> None:
    assert render("concise").splitlines() == [
        "/srv/models/broken.py:3:5: IL001 cannot parse the file: invalid syntax",
        "models/a,b.py:9:9: IL101 Xavier init on `fc`, which feeds ReLU: it shrinks by 50% per layer",
        "models/a,b.py:12:5: IL402 `nn.init.normal` is deprecated, use `nn.init.normal_`",
        "Found 3 findings in 4 files.",
    ]


def test_concise_summary_is_the_text_one() -> None:
    assert render("concise", [], 2) == "All checks passed! (2 files checked)"
    assert render("concise", FINDINGS[:1], 1).splitlines()[-1] == render("text", FINDINGS[:1], 1).splitlines()[-1]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("One. Two.", "One."),
        ("no full stop at all", "no full stop at all"),
        ("Version 0.0625 is a number. Next.", "Version 0.0625 is a number."),
        ("Shrinks (He et al. 2015) the signal. Next.", "Shrinks (He et al. 2015) the signal."),
        ("An activation, e.g. ReLU, follows. Next.", "An activation, e.g. ReLU, follows."),
        ("Ends a line.\nThen more.", "Ends a line."),
        ("One sentence\nover two lines. Next.", "One sentence over two lines."),
    ],
)
def test_first_sentence(message: str, expected: str) -> None:
    assert first_sentence(message) == expected


# --- json-lines ------------------------------------------------------------------------------------

def test_json_lines() -> None:
    lines = render("json-lines").split("\n")
    assert len(lines) == len(FINDINGS)
    assert [json.loads(line) for line in lines] == [f.to_dict() for f in FINDINGS]
    assert json.loads(lines[1]) == {
        "code": "IL101",
        "message": FINDINGS[1].message,
        "title": "Xavier init on `fc`, which feeds ReLU: it shrinks by 50% per layer",
        "severity": "error",
        "url": "https://github.com/initlint/initlint/blob/main/rules/IL101-rectifier-needs-he.md",
        "filename": "models/a,b.py",
        "cell": None,
        "location": {"row": 9, "column": 9},
        "end_location": {"row": 9, "column": 48},
        "related": [],
        "notes": [{"label": "note", "text": "See <the> rule & page."}],
        "help": "use He init",
        "numbers": {},
        "fingerprint": stable_fingerprint(FINDINGS[1]),
        "fix": None,
        "no_fix_reason": None,
    }


def test_json_lines_empty() -> None:
    assert render("json-lines", [], 3) == ""


# --- github ----------------------------------------------------------------------------------------

def test_github() -> None:
    assert render("github").split("\n") == [
        (
            "::error title=IL001 cannot parse the file%3A invalid syntax,file=/srv/models/broken.py,line=3,col=5,"
            "endLine=3,endColumn=5::/srv/models/broken.py:3:5: IL001 cannot parse the file: invalid syntax"
        ),
        (
            "::error title=IL101 Xavier init on `fc`%2C which feeds ReLU%3A it shrinks by 50%25 per layer,"
            "file=models/a%2Cb.py,line=9,col=9,endLine=9,endColumn=48"
            "::models/a,b.py:9:9: IL101 Xavier init on `fc`, which feeds ReLU: it shrinks by 50%25 per layer"
            "%0Ahelp: use He init"
        ),
        (
            "::error title=IL402 `nn.init.normal` is deprecated%2C use `nn.init.normal_`,file=models/a%2Cb.py,"
            "line=12,col=5,endLine=12,endColumn=19"
            "::models/a,b.py:12:5: IL402 `nn.init.normal` is deprecated, use `nn.init.normal_`"
        ),
    ]


def test_github_escapes_properties() -> None:
    odd = Finding("IL101", "a: b, c", "dir:x/100%,y.py", 1, 2, 3, 4)
    assert render("github", [odd], 1) == (
        "::error title=IL101 a%3A b%2C c,file=dir%3Ax/100%25%2Cy.py,line=1,col=2,endLine=3,endColumn=4"
        "::dir:x/100%25,y.py:1:2: IL101 a: b, c"
    )


def test_github_empty_has_no_summary() -> None:
    assert render("github", [], 3) == ""


# --- junit -----------------------------------------------------------------------------------------

def test_junit() -> None:
    expected = """\
<?xml version='1.0' encoding='utf-8'?>
<testsuites name="initlint" tests="2" failures="2" errors="0">
  <testsuite name="initlint" tests="2" failures="2" errors="0" skipped="0">
    <testcase classname="/srv/models/broken.py" name="/srv/models/broken.py">
      <failure message="IL001: cannot parse the file: invalid syntax" type="IL001">\
/srv/models/broken.py:3:5: IL001 cannot parse the file: invalid syntax</failure>
    </testcase>
    <testcase classname="models/a,b.py" name="models/a,b.py">
      <failure message="IL101: Xavier init on `fc`, which feeds ReLU: it shrinks by 50% per layer." type="IL101">\
models/a,b.py:9:9: IL101 Xavier init on `fc`, which feeds ReLU: it shrinks by 50% per layer. Use He init.
See &lt;the&gt; rule &amp; page.</failure>
      <failure message="IL402: `nn.init.normal` is deprecated, use `nn.init.normal_`." type="IL402">\
models/a,b.py:12:5: IL402 `nn.init.normal` is deprecated, use `nn.init.normal_`.</failure>
    </testcase>
  </testsuite>
</testsuites>"""
    assert render("junit") == expected


def test_junit_parses_back() -> None:
    root = ET.fromstring(render("junit"))
    assert root.tag == "testsuites"
    (suite,) = root
    assert (suite.tag, suite.get("name"), suite.get("tests"), suite.get("failures")) == ("testsuite", "initlint",
                                                                                          "2", "2")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert list(cases) == ["/srv/models/broken.py", "models/a,b.py"]
    failures = cases["models/a,b.py"].findall("failure")
    assert [(f.get("type"), f.get("message")) for f in failures] == [
        ("IL101", "IL101: Xavier init on `fc`, which feeds ReLU: it shrinks by 50% per layer."),
        ("IL402", "IL402: `nn.init.normal` is deprecated, use `nn.init.normal_`."),
    ]
    assert failures[0].text == ("models/a,b.py:9:9: IL101 Xavier init on `fc`, which feeds ReLU: it shrinks by 50% "
                                "per layer. Use He init.\nSee <the> rule & page.")


def test_junit_no_findings() -> None:
    root = ET.fromstring(render("junit", [], 3))
    (suite,) = root
    assert (root.get("tests"), root.get("failures"), suite.get("tests"), suite.get("failures")) == ("1", "0", "1", "0")
    (case,) = suite
    assert (case.tag, case.get("classname"), case.get("name"), list(case)) == ("testcase", "initlint", "initlint", [])


def test_junit_drops_characters_xml_cannot_carry() -> None:
    odd = Finding("IL001", "cannot read \x00 byte\x1b", "x.py", 1, 1, 1, 1)
    (suite,) = ET.fromstring(render("junit", [odd], 1))
    (failure,) = suite.iter("failure")
    assert failure.text == "x.py:1:1: IL001 cannot read \ufffd byte\ufffd"


# --- sarif -----------------------------------------------------------------------------------------

def sarif(findings: list[Finding] = FINDINGS) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render("sarif", findings))
    return log


def region(start_line: int, start_column: int, end_line: int, end_column: int) -> dict[str, int]:
    return {"startLine": start_line, "startColumn": start_column, "endLine": end_line, "endColumn": end_column}


def result(finding: Finding, message: str, uri: str, where: dict[str, int]) -> dict[str, Any]:
    return {
        "ruleId": finding.code,
        "ruleIndex": list(RULES).index(finding.code),
        "level": "error",
        "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": where}}],
        "partialFingerprints": {"initlintFingerprint/v1": stable_fingerprint(finding)},
    }


def test_sarif_structure() -> None:
    log = sarif()
    assert list(log) == ["$schema", "version", "runs"]
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert set(run) == {"tool", "columnKind", "results"}
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert list(run["tool"]) == ["driver"]
    assert {k: v for k, v in driver.items() if k != "rules"} == {
        "name": "initlint",
        "version": initlint.__version__,
        "informationUri": "https://github.com/initlint/initlint",
    }
    assert run["results"] == [
        result(FINDINGS[0], "cannot parse the file: invalid syntax", "file:///srv/models/broken.py",
               region(3, 5, 3, 5)),
        {**result(FINDINGS[1], "Xavier init on `fc`, which feeds ReLU: it shrinks by 50% per layer; help: use He "
                  "init", "models/a,b.py", region(9, 9, 9, 48)),
         "properties": {"notes": ["See <the> rule & page."]}},
        result(FINDINGS[2], "`nn.init.normal` is deprecated, use `nn.init.normal_`", "models/a,b.py",
               region(12, 5, 12, 19)),
    ]


def test_sarif_rules() -> None:
    rules = sarif()["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    for descriptor, rule in zip(rules, RULES.values()):
        page = rule_page(rule.code)
        assert page is not None, f"{rule.code} has no page"
        assert set(descriptor) == {"id", "name", "shortDescription", "fullDescription", "help", "helpUri",
                                   "defaultConfiguration"}
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"] == {"text": rule.summary}
        assert descriptor["help"] == {"text": page, "markdown": page}
        assert descriptor["helpUri"] == f"https://github.com/initlint/initlint/blob/main/rules/{rule.code}-{rule.name}.md"
        level = {"error": "error", "warning": "warning", "info": "note"}[rule_severity(rule.code)]
        assert descriptor["defaultConfiguration"] == {"level": level}
        full = descriptor["fullDescription"]["text"]
        assert full and "\n" not in full and not full.startswith("#")
    il101 = rules[list(RULES).index("IL101")]
    assert il101["helpUri"] == "https://github.com/initlint/initlint/blob/main/rules/IL101-rectifier-needs-he.md"
    assert il101["fullDescription"]["text"].startswith("Looks for a layer whose weight is initialized with Xavier/Glorot")
    assert il101["help"]["markdown"].startswith("# IL101: rectifier-needs-he\n")


def test_sarif_results_point_at_their_rule() -> None:
    run = sarif()["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]


def test_sarif_unknown_code_gets_a_descriptor() -> None:
    run = sarif([Finding("IL999", "new", "x.py", 1, 1, 1, 2)])["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    (res,) = run["results"]
    assert res["ruleIndex"] == len(RULES)
    assert rules[-1] == {"id": "IL999", "defaultConfiguration": {"level": "error"}}


def test_sarif_no_findings() -> None:
    run = sarif([])["runs"][0]
    assert run["results"] == []
    assert len(run["tool"]["driver"]["rules"]) == len(RULES)


@pytest.mark.parametrize(
    ("filename", "uri"),
    [
        ("models/a,b.py", "models/a,b.py"),
        ("./model.py", "model.py"),
        ("dir with space/x:y#1.py", "dir%20with%20space/x%3Ay%231.py"),
        ("100%.py", "100%25.py"),
        ("/srv/a b/net.py", "file:///srv/a%20b/net.py"),
        ("/srv/x:y.py", "file:///srv/x:y.py"),
    ],
)
def test_artifact_uri(filename: str, uri: str) -> None:
    assert artifact_uri(filename) == uri


@pytest.mark.parametrize("findings", [FINDINGS, [], [Finding("IL999", "new", "x.py", 1, 1, 1, 2)]])
def test_sarif_matches_official_schema(findings: list[Finding]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(sarif(findings))]
    assert errors == []


def test_official_schema_is_the_oasis_one() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


# --- the command line ------------------------------------------------------------------------------

def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("initlint")
    command = [exe] if exe else [sys.executable, "-m", "initlint"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd, timeout=120,
                          check=False)


def test_cli_sarif(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    completed = run("check", "--output-format", "sarif", str(tmp_path))
    assert completed.returncode == 1, completed.stderr
    log = json.loads(completed.stdout)
    (res,) = log["runs"][0]["results"]
    assert res["ruleId"] == "IL101"
    location = res["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == (tmp_path / "bad.py").as_uri()
    assert location["region"] == region(9, 9, 9, 48)


def test_cli_sarif_relative_path(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    completed = run("check", "--output-format", "sarif", ".", cwd=tmp_path)
    assert completed.returncode == 1, completed.stderr
    (res,) = json.loads(completed.stdout)["runs"][0]["results"]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.py"


@pytest.mark.parametrize("name", ["concise", "json-lines", "github", "junit"])
def test_cli_other_formats(tmp_path: Path, name: str) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    completed = run("check", "--output-format", name, ".", cwd=tmp_path)
    assert completed.returncode == 1, completed.stderr
    assert "IL101" in completed.stdout
