"""Fixtures for the document commands: a runner and post-mortems on disk."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from hindsight.cli import documents, reviewer  # noqa: F401  (register new, render and review)

from ..system import CORPUS, require

SARIF_SCHEMA = CORPUS.parent / "schemas" / "sarif-2.1.0.json"

GOOD = """---
title: Checkout errors after a configuration deploy
severity: SEV2
authors: [Maria Lopez]
started: 2026-03-02 14:02:00
resolved: 2026-03-02 14:52:00
written: 2026-03-03
review_date: 2026-04-01
---

# Checkout errors after a configuration deploy

## Summary

On 2 March 2026 at 14:02 UTC, a configuration change made the checkout service reject card
payments. For 50 minutes about 30% of customers could not complete an order, and we lost an
estimated 1,200 orders. We rolled the change back at 14:52 and no payment data was lost.

## Timeline

| Time | Actor | Event |
| --- | --- | --- |
| 2026-03-02 14:09 UTC | Alertmanager | Paged on-call: checkout error rate above 5% |
| 2026-03-02 14:31 UTC | @maria | Linked the errors to the timeout setting |
| 2026-03-02 14:52 UTC | @maria | Rolled back the setting; error rate back to normal |
| 2026-03-02 15:30 UTC | @maria | Closed the incident after 30 minutes of normal traffic |

## Root cause analysis

- The payment provider needs up to 3 seconds, but the new timeout was 1 second.
- The configuration review checklist has no step for provider latency.

## What went well

- The error-rate alert paged on-call 7 minutes after the deploy.
- The rollback runbook worked the first time and took 4 minutes from start to finish.
- Support posted a status page update within 20 minutes, so customers knew we were on it.

## What could be improved

- Diagnosis took 22 minutes because deploys are not shown on the checkout dashboard.

## Action items

| Action | Owner | Due | Priority | Term | Status |
| --- | --- | --- | --- | --- | --- |
| Set the payment provider timeout to 5 seconds | @maria | 2026-03-04 | P1 | immediate | done |
| Add a provider-latency step to the review checklist | @tom | 2026-03-20 | P2 | long-term | open |
"""

BLAMING = GOOD.replace(
    "- Diagnosis took 22 minutes",
    "- Maria forgot to check the dashboard. Diagnosis took 22 minutes",
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def write(tmp_path: Path):
    """Write a file under the test's temporary folder and return its path."""

    def writer(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return writer


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the test's folder, as CI runs from the repository root."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def validator() -> jsonschema.protocols.Validator:
    """The official SARIF 2.1.0 schema, with `uri`, `uri-reference` and `date-time` checked."""
    require(SARIF_SCHEMA.is_file(), f"SARIF schema not found at {SARIF_SCHEMA}")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    checker = cls.FORMAT_CHECKER
    assert {"uri", "uri-reference", "date-time"} <= set(checker.checkers)
    return cls(schema, format_checker=checker)


def schema_errors(validator: jsonschema.protocols.Validator, log: dict) -> list[str]:
    """Where and why a SARIF log breaks the schema (empty when it is valid)."""
    errors = validator.iter_errors(log)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]
