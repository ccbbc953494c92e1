"""Review results as JSON (the DESIGN.md contract), GitHub annotations and text groups.

SARIF lives in `hindsight.core.sarif`.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hindsight.core.model import Document, Section
from hindsight.core.review import Finding, Report

WHOLE_DOCUMENT = "Whole document"
FRONT_MATTER = "Front matter"


@dataclass(frozen=True)
class FileReport:
    """The report on one file, under the path the user gave, with the parsed document."""

    path: str
    report: Report
    document: Document | None = None


@dataclass(frozen=True)
class Refusal:
    """A file that was not reviewed, and why (not a file, too large, not UTF-8...)."""

    path: str
    reason: str


@dataclass
class Group:
    """Findings in one part of a document: a section, or one action item."""

    heading: str
    findings: list[Finding] = field(default_factory=list)


NOT_A_POSTMORTEM = "found in a folder, it doesn't read like a post-mortem"


def _json_file(result: FileReport) -> dict[str, Any]:
    report = result.report
    entry: dict[str, Any] = {
        "path": result.path,
        "status": report.status,
        "score": report.score,
        "findings": [finding.as_dict() for finding in report.findings],
    }
    if not report.postmortem:
        entry["reason"] = NOT_A_POSTMORTEM
    return entry


def to_json(results: Iterable[FileReport], refusals: Iterable[Refusal] = ()) -> str:
    """`{"files": [{"path", "status", "score", "findings": [...]}]}`: the DESIGN.md contract,
    with each file's status ("reviewed" or "not-reviewed"; then also "reason").

    A file not reviewed has no score (`null`); one that could not be read is listed
    too, after the others, with no findings.
    """
    files = [_json_file(result) for result in results] + [
        {
            "path": refusal.path,
            "status": "not-reviewed",
            "score": None,
            "findings": [],
            "reason": refusal.reason,
        }
        for refusal in refusals
    ]
    return json.dumps({"files": files}, indent=2, ensure_ascii=False)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _front_matter_end(source: str) -> int:
    """The line of the closing `---` of the front matter, or 0 without front matter."""
    if source.split("\n", 1)[0].strip() != "---":
        return 0
    at, line = source.find("\n"), 1
    while at != -1:
        following = source.find("\n", at + 1)
        line += 1
        if source[at + 1 : len(source) if following == -1 else following].strip() in {
            "---",
            "...",
        }:
            return line
        at = following
    return 0


def _anchors(document: Document) -> tuple[list[tuple[int, str]], dict[int, str]]:
    """Where each section starts (with its heading path), and each action item's line."""
    anchors: list[tuple[int, str]] = [(0, WHOLE_DOCUMENT)]
    end = _front_matter_end(document.source)
    if end:
        anchors = [(0, FRONT_MATTER), (end + 1, WHOLE_DOCUMENT)]
    items: dict[int, str] = {}

    def visit(sections: list[Section], parents: str) -> None:
        for section in sections:
            path = f"{parents} › {_short(section.title)}" if parents else _short(section.title)
            anchors.append((section.line, path))
            for item in section.items:
                items.setdefault(item.line, f'{path} › "{_short(item.text)}"')
            visit(section.children, path)

    visit(document.sections, "")
    anchors.sort(key=lambda anchor: anchor[0])  # stable: a section after what shares its line
    return anchors, items


def group_findings(document: Document | None, findings: Iterable[Finding]) -> list[Group]:
    """Findings (sorted by line) grouped by the action item or section they point into."""
    if document is None:
        return [Group(WHOLE_DOCUMENT, list(findings))]
    anchors, items = _anchors(document)
    starts = [line for line, _ in anchors]
    groups: list[Group] = []
    for finding in findings:
        heading = items.get(finding.line) or anchors[bisect_right(starts, finding.line) - 1][1]
        if not groups or groups[-1].heading != heading:
            groups.append(Group(heading))
        groups[-1].findings.append(finding)
    return groups


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(results: Iterable[FileReport], refusals: Iterable[Refusal] = ()) -> str:
    """GitHub Actions workflow commands: one `::error file=..,line=..::` per finding."""
    commands = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for result in results:
        for finding in result.report.findings:
            props = ",".join(
                [
                    f"file={_escape_property(result.path)}",
                    f"line={max(1, finding.line)}",
                    f"title={_escape_property(finding.rule)}",
                ]
            )
            text = _escape_data(f"{finding.message} {finding.suggestion}".strip())
            lines.append(f"::{commands[finding.severity]} {props}::{text}")
    for refusal in refusals:
        props = f"file={_escape_property(refusal.path)},title=not reviewed"
        lines.append(f"::error {props}::{_escape_data(refusal.reason)}")
    return "\n".join(lines) + ("\n" if lines else "")
