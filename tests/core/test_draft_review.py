"""The draft Hindsight writes reviews clean apart from what only a person can write."""

from __future__ import annotations

import datetime as dt

from hindsight.core.parser import parse
from hindsight.core.review import review
from hindsight.core.template import new_postmortem

# What a draft can't have yet: the analysis, the lessons and the follow-ups people write.
ONLY_PEOPLE_CAN_WRITE = {"empty-section", "went-well-missing", "improvements-missing"}
INCIDENT = {
    "title": "Checkout errors after the 14:00 deploy",
    "severity": "SEV2",
    "services": ["checkout"],
    "authors": ["Maria Lopez"],
    "started": "2026-03-02T14:02:00Z",
    "detected": "2026-03-02T14:09:00Z",
    "resolved": "2026-03-02T15:10:00Z",
    "summary": "On 2 March checkout failed for 30% of customers for about an hour.",
    "timeline": [
        {"at": "2026-03-02T14:09:00Z", "actor": "Alertmanager", "text": "Paged on-call"},
        {"at": "2026-03-02T15:10:00Z", "actor": "@maria", "text": "Rolled back the deploy"},
    ],
}


def test_a_draft_from_an_incident_gets_findings_only_for_what_people_must_write():
    report = review(parse(new_postmortem(INCIDENT, dt.date(2026, 3, 3))), explicit=True)
    assert {f.rule for f in report.findings} <= ONLY_PEOPLE_CAN_WRITE


def test_the_guidance_comments_in_a_blank_template_are_not_reviewed_as_text():
    report = review(parse(new_postmortem(None, dt.date(2026, 3, 3))), explicit=True)
    assert {f.rule for f in report.findings} <= ONLY_PEOPLE_CAN_WRITE
