"""A suite's verdicts as JUnit XML, the report format git CI systems (GitHub Actions, GitLab,
Jenkins, Azure Pipelines) show on a pull request: one testsuite, one testcase per
combination, a failure with every reason for a broken one.

Written with the standard library's ElementTree: the format is a handful of elements and
attributes, ElementTree escapes text and attributes correctly, and a package for it
(junit-xml, unmaintained since 2020) would add a dependency for nothing more.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from app.assurance.suite import Verdict

SUITE_NAME = "assured combinations"
# What XML 1.0 cannot hold at all, escaped or not (a name may hold a control character):
# ElementTree would write it and leave a file no CI system can read.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _readable(text: str) -> str:
    return _NOT_XML.sub("\N{REPLACEMENT CHARACTER}", text)


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _testcase(verdict: Verdict) -> ET.Element:
    # classname: who answers for it, so a report grouped by class is grouped by owner.
    case = ET.Element(
        "testcase",
        classname=verdict.owner,
        name=f"{verdict.combination}: {verdict.name}",
        time=_seconds(verdict.seconds),
    )
    if not verdict.held:
        failure = ET.SubElement(case, "failure", message="; ".join(verdict.reasons), type="broken")
        failure.text = "\n".join(f"- {reason}" for reason in verdict.reasons)
    found = [f"found: {verdict.finding.detail}", *(f"  {line}" for line in verdict.finding.lines)]
    ET.SubElement(case, "system-out").text = "\n".join(found)
    return case


def report(
    verdicts: Sequence[Verdict], *, catalog: str, seconds: float, problems: Sequence[str] = ()
) -> ET.ElementTree[ET.Element]:
    """The JUnit document of a run on ``catalog``; ``problems``: the catalog could not be
    loaded, so no combination ran, and the report says why as one testcase in error."""
    broken = sum(not verdict.held for verdict in verdicts)
    tests = len(verdicts) + (1 if problems else 0)
    counts = {
        "tests": str(tests),
        "failures": str(broken),
        "errors": "1" if problems else "0",
        "skipped": "0",
        "time": _seconds(seconds),
    }
    root = ET.Element("testsuites", {"name": "offerwright catalog assure", **counts})
    started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    suite = ET.SubElement(
        root, "testsuite", {"name": f"{SUITE_NAME}: {catalog}", "timestamp": started, **counts}
    )
    if problems:
        case = ET.SubElement(suite, "testcase", classname="catalog", name="catalog loads", time="0")
        error = ET.SubElement(
            case, "error", message=f"{len(problems)} catalog error(s)", type="invalid catalog"
        )
        error.text = "\n".join(problems)
    for verdict in verdicts:
        suite.append(_testcase(verdict))
    for element in root.iter():
        element.attrib = {key: _readable(value) for key, value in element.attrib.items()}
        if element.text:
            element.text = _readable(element.text)
    ET.indent(root)
    return ET.ElementTree(root)


def write(path: Path, document: ET.ElementTree[ET.Element]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document.write(path, encoding="utf-8", xml_declaration=True)
