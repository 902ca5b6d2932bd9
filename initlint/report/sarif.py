"""SARIF 2.1.0, the format GitHub code scanning (and other result viewers) read.

One run; the driver lists every rule of the catalog, and each result points at its rule by id
and by index into that list. Columns are counted in code points, as in every other format.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

import initlint
from initlint.findings import Finding, stable_fingerprint, structured
from initlint.registry import REPOSITORY_URI, RULES, Rule, rule_page, rule_severity, rule_url

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"

_LEVELS = {"warning": "warning", "info": "note"}
FINGERPRINT_KEY = "initlintFingerprint/v1"

# Left as they are in a path: RFC 3986 sub-delimiters and "@". A ":" is escaped in a relative
# reference, where it could be read as a scheme, and kept in a file:// URI.
_PATH_SAFE = "/!$&'()*+,;=@"


def _level(severity: str) -> str:
    return _LEVELS.get(severity, "error")


def artifact_uri(filename: str) -> str:
    """A relative POSIX URI reference for a relative path, a ``file://`` URI for an absolute one."""
    path = PurePath(filename)
    posix = path.as_posix()
    if not path.is_absolute():
        return _quote(posix, _PATH_SAFE)
    if posix.startswith("//"):  # a Windows UNC path: //host/share/...
        return "file:" + _quote(posix, _PATH_SAFE + ":")
    if not posix.startswith("/"):  # a Windows drive: C:/...
        posix = "/" + posix
    return "file://" + _quote(posix, _PATH_SAFE + ":")


def _quote(posix: str, safe: str) -> str:
    """Percent-encoding of the name's own bytes (a file name that is not UTF-8 keeps them: ``caf%E9.py``)."""
    return quote(os.fsencode(posix), safe=safe)


def _what_it_does(page: str) -> str | None:
    """The '## What it does' section of a rule page, on one line."""
    match = re.search(r"^## What it does\s*$(.*?)(?=^#|\Z)", page, re.MULTILINE | re.DOTALL)
    if match is None:
        return None
    text = " ".join(match.group(1).split())
    return text or None


def _descriptor(rule: Rule) -> dict[str, Any]:
    page = rule_page(rule.code)
    fallback = f"{rule.code}: {rule.name}\n\n{rule.summary}."
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": (_what_it_does(page) if page else None) or f"{rule.summary}."},
        "help": {"text": page or fallback, "markdown": page or f"# {fallback}"},
        "helpUri": rule_url(rule.code),
        "defaultConfiguration": {"level": _level(rule_severity(rule.code))},
    }


def _region(row: int, column: int, end_row: int, end_column: int) -> dict[str, int]:
    start_line = max(row, 1)
    start_column = max(column, 1)
    end_line = max(end_row, start_line)
    end_column = max(end_column, start_column) if end_line == start_line else max(end_column, 1)
    return {"startLine": start_line, "startColumn": start_column, "endLine": end_line, "endColumn": end_column}


def _location(uri: str, region: dict[str, int]) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}


def _fix(f: Finding, uri: str) -> dict[str, Any] | None:
    """The finding's fix as SARIF replacements (none for a notebook: its edits are in cell lines, not the
    file's)."""
    if f.fix is None or f.cell is not None:
        return None
    replacements = [{"deletedRegion": _region(e["location"]["row"], e["location"]["column"],
                                              e["end_location"]["row"], e["end_location"]["column"]),
                     "insertedContent": {"text": e["content"]}} for e in f.fix["edits"]]
    return {"description": {"text": f"{f.fix['message']} ({f.fix['applicability']} fix)"},
            "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": replacements}]}


def _result(f: Finding, index: int) -> dict[str, Any]:
    full = structured(f)
    uri = artifact_uri(f.filename)
    text = str(full.title) + (f"; help: {full.help}" if full.help else "")
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": index,
        "level": _level(f.severity),
        "message": {"text": text if f.cell is None else f"cell {f.cell}, line {f.row}: {text}"},
        # in a notebook, the lines of the .ipynb file itself
        "locations": [_location(uri, _region(*f.file_region()))],
        "partialFingerprints": {FINGERPRINT_KEY: stable_fingerprint(f)},
    }
    related = [{"id": i, **_location(uri, _region(s.row, s.column, s.end_row, s.end_column)),
                "message": {"text": s.label}}
               for i, s in enumerate(full.spans, start=1) if s.cell is None]
    if related:
        result["relatedLocations"] = related
    fix = _fix(f, uri)
    if fix is not None:
        result["fixes"] = [fix]
    properties: dict[str, Any] = {}
    if full.notes:
        properties["notes"] = [n.text for n in full.notes]
    if f.numbers:
        properties["numbers"] = dict(f.numbers)
    if f.cell is not None:
        properties.update({"cell": f.cell, "cellLine": f.row, "cellColumn": f.column})
    if properties:
        result["properties"] = properties
    return result


def sarif_log(findings: list[Finding]) -> dict[str, Any]:
    rules = [_descriptor(rule) for rule in RULES.values()]
    index = {rule.code: i for i, rule in enumerate(RULES.values())}
    for code in sorted({f.code for f in findings} - index.keys()):  # a code the catalog does not know
        index[code] = len(rules)
        rules.append({"id": code, "defaultConfiguration": {"level": "error"}})
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "initlint",
                        "version": initlint.__version__,
                        "informationUri": REPOSITORY_URI,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index[f.code]) for f in findings],
            }
        ],
    }


def render_sarif(findings: list[Finding], files_checked: int) -> str:
    return json.dumps(sarif_log(findings), indent=2)
