"""Review results as JSON (the DESIGN.md contract), SARIF 2.1.0 and GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from hindsight.core.review import REGISTRY, Report

SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
RULE_DOCS = "docs/rules/{}.md"


@dataclass(frozen=True)
class FileReport:
    """The report on one file, under the path the user gave."""

    path: str
    report: Report


def to_json(results: Iterable[FileReport]) -> str:
    """`{"files": [{"path", "score", "findings": [...]}]}` exactly as DESIGN.md specifies."""
    files = [
        {
            "path": result.path,
            "score": result.report.score,
            "findings": [finding.as_dict() for finding in result.report.findings],
        }
        for result in results
    ]
    return json.dumps({"files": files}, indent=2, ensure_ascii=False)


def to_sarif(results: Iterable[FileReport], version: str) -> str:
    """A SARIF 2.1.0 log that code-scanning UIs accept."""
    materialised = list(results)
    used = sorted({f.rule for r in materialised for f in r.report.findings})
    rules = [
        {
            "id": rule_id,
            "name": rule_id,
            "shortDescription": {"text": REGISTRY.get(rule_id).message},
            "help": {"text": REGISTRY.get(rule_id).suggestion},
            "helpUri": RULE_DOCS.format(rule_id),
            "properties": {"category": REGISTRY.get(rule_id).category},
            "defaultConfiguration": {"level": SARIF_LEVELS[REGISTRY.get(rule_id).severity]},
        }
        for rule_id in used
        if rule_id in REGISTRY
    ]
    results_out = [
        {
            "ruleId": finding.rule,
            "ruleIndex": used.index(finding.rule),
            "level": SARIF_LEVELS[finding.severity],
            "message": {"text": f"{finding.message} {finding.suggestion}".strip()},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": result.path.replace("\\", "/")},
                        "region": {"startLine": max(1, finding.line)},
                    }
                }
            ],
        }
        for result in materialised
        for finding in result.report.findings
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hindsight",
                        "version": version,
                        "informationUri": "https://github.com/hindsight/hindsight",
                        "rules": rules,
                    }
                },
                "results": results_out,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(results: Iterable[FileReport]) -> str:
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
    return "\n".join(lines) + ("\n" if lines else "")
