"""JUnit XML, for CI systems that show test reports: one test case per file with findings."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from initlint.findings import Finding
from initlint.report.concise import first_sentence

# Characters XML 1.0 cannot carry at all, even escaped; ElementTree would write them as they are.
# Lone surrogates (a file name that is not UTF-8) cannot be written either.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    # A reader normalizes line ends to "\n" anyway; doing it here makes the file say what it reads as.
    return _NOT_XML.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


def render_junit(findings: list[Finding], files_checked: int) -> str:
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.filename, []).append(f)
    tests = max(len(by_file), 1)
    counts = {"tests": str(tests), "failures": str(len(by_file)), "errors": "0"}
    root = ET.Element("testsuites", {"name": "initlint", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": "initlint", **counts, "skipped": "0"})
    for filename, in_file in by_file.items():
        name = _xml_safe(filename)
        case = ET.SubElement(suite, "testcase", classname=name, name=name)
        for f in in_file:
            failure = ET.SubElement(case, "failure", message=_xml_safe(f"{f.code}: {first_sentence(f.message)}"),
                                    type=f.code)
            failure.text = _xml_safe(f"{f.where()}: {f.code} {f.message}")
    if not by_file:
        ET.SubElement(suite, "testcase", classname="initlint", name="initlint")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
