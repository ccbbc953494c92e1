"""Review results as SARIF 2.1.0, in the subset GitHub code scanning ingests.

What GitHub needs, and how each is met:
- every rule with `shortDescription`, `fullDescription`, `help` and an absolute `helpUri`;
- `artifactLocation.uri` relative to the repository root (the working directory),
  percent-encoded; a file outside it is given as a `file://` URI;
- `partialFingerprints` on every result, so a new upload matches the alerts of the
  last one: a hash of the rule, the file, the flagged line's text and the message
  (numbers masked), not the line number, so editing other lines keeps alerts;
- at most 25,000 results per run (GitHub rejects more); the rest are counted in a
  notification.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePath
from typing import Any

from hindsight.core.config import DEFAULT_RULE_DOCS, PROJECT_URL
from hindsight.core.formats import FileReport, Refusal
from hindsight.core.review import REGISTRY, Finding, Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# Not `primaryLocationLineHash`: GitHub's upload action computes that key itself and
# warns when a file already holds a different value under it.
FINGERPRINT = "hindsightFinding/v1"
MAX_RESULTS = 25_000
ROOT = "%SRCROOT%"
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")
_NUMBER = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"[.:;](?:\s|$)")


def percent_encode(path: str) -> str:
    """A path as a URI path: every byte but unreserved characters and `/` as %XX."""
    return "".join(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in path.encode("utf-8"))


def artifact_location(path: str, cwd: str) -> dict[str, str]:
    """Where a file is: relative to `cwd` under %SRCROOT%, else an absolute file:// URI."""
    given = PurePath(path)
    absolute = PurePath(os.path.normpath(given if given.is_absolute() else PurePath(cwd, given)))
    try:
        relative = absolute.relative_to(os.path.normpath(cwd))
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": percent_encode(relative.as_posix()), "uriBaseId": ROOT}


def _root_uri(cwd: str) -> str:
    uri = PurePath(os.path.normpath(cwd)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def short_description(rule: Rule) -> str:
    """The message's first sentence or clause: what the alert list shows as its title."""
    end = _SENTENCE_END.search(rule.message)
    first = rule.message[: end.start()] if end else rule.message.rstrip(".")
    return first + "."


def rule_descriptor(rule: Rule, rule_docs: str) -> dict[str, Any]:
    """A reportingDescriptor; `name` is left out because it would only repeat the id."""
    address = rule_docs.replace("{rule}", rule.id)
    return {
        "id": rule.id,
        "shortDescription": {"text": short_description(rule)},
        "fullDescription": {"text": f"{rule.message} {rule.suggestion}"},
        "help": {
            "text": f"{rule.suggestion} See {address}",
            "markdown": f"{rule.suggestion}\n\n[{rule.id}]({address})",
        },
        "helpUri": address,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"category": rule.category, "tags": ["post-mortem", rule.category]},
    }


def fingerprints(result: FileReport, uri: str) -> Iterator[str]:
    """One stable fingerprint per finding: what was flagged where, not on which line."""
    source = result.document.source if result.document else ""
    lines = source.split("\n") if result.report.findings else []
    seen: dict[str, int] = {}
    for finding in result.report.findings:
        text = " ".join(lines[finding.line - 1].split()) if 0 < finding.line <= len(lines) else ""
        message = _NUMBER.sub("0", finding.message)
        key = "\0".join((finding.rule, uri, text, message)).encode("utf-8")
        digest = hashlib.sha256(key).hexdigest()[:32]
        seen[digest] = seen.get(digest, 0) + 1  # the same finding twice on equal lines
        yield f"{digest}:{seen[digest]}"


def _result(
    finding: Finding, index: int, location: dict[str, str], fingerprint: str
) -> dict[str, Any]:
    return {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": f"{finding.message} {finding.suggestion}".strip()},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": {"startLine": max(1, finding.line)},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT: fingerprint},
    }


def _notification(text: str, level: str, location: dict[str, str] | None) -> dict[str, Any]:
    note: dict[str, Any] = {"level": level, "message": {"text": text}}
    if location is not None:
        note["locations"] = [{"physicalLocation": {"artifactLocation": location}}]
    return note


def to_sarif(
    results: Iterable[FileReport],
    *,
    version: str,
    cwd: str,
    refusals: Iterable[Refusal] = (),
    rule_docs: str = DEFAULT_RULE_DOCS,
) -> str:
    """One SARIF run: every rule, every finding, and a notification per file not reviewed."""
    from hindsight.core import rules  # noqa: F401  (the built-in rules must be known)

    catalogue = list(REGISTRY)
    index = {rule.id: position for position, rule in enumerate(catalogue)}
    found = []
    for result in results:
        location = artifact_location(result.path, cwd)
        stable = fingerprints(result, location["uri"])
        for finding, fingerprint in zip(result.report.findings, stable, strict=True):
            found.append(_result(finding, index[finding.rule], location, fingerprint))
    notes = [
        _notification(f"Not reviewed: {r.reason}", "error", artifact_location(r.path, cwd))
        for r in refusals
    ]
    if len(found) > MAX_RESULTS:
        order = {level: rank for rank, level in enumerate(LEVELS.values())}
        found.sort(key=lambda result: order[result["level"]])  # stable: errors first
        notes.append(
            _notification(
                f"{len(found) - MAX_RESULTS} findings left out: GitHub code scanning accepts "
                f"at most {MAX_RESULTS} results per run.",
                "warning",
                None,
            )
        )
        found = found[:MAX_RESULTS]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "hindsight",
                "version": version,
                "informationUri": PROJECT_URL,
                "rules": [rule_descriptor(rule, rule_docs) for rule in catalogue],
            }
        },
        "originalUriBaseIds": {ROOT: {"uri": _root_uri(cwd)}},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
        "results": found,
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False)
