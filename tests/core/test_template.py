import datetime as dt

import pytest

from hindsight.core.outline import PRACTICE
from hindsight.core.parser import parse
from hindsight.core.template import IncidentError, new_postmortem

INCIDENT = {
    "title": "Checkout errors",
    "incident": "INC-1042",
    "severity": "SEV2",
    "services": ["checkout"],
    "authors": ["Maria Lopez"],
    "started": "2026-03-02T14:02:00Z",
    "detected": "2026-03-02T14:09:00Z",
    "resolved": "2026-03-02T14:52:00Z",
    "timeline": [
        {"at": "2026-03-02T14:09:00Z", "actor": "Alertmanager", "text": "Paged on-call"},
        {"at": "2026-03-02T14:52:00Z", "actor": "Maria Lopez", "text": "Rolled back"},
    ],
    "action_items": [
        {
            "text": "Add a latency check",
            "owner": "@tom",
            "due": "2026-03-20",
            "priority": "P2",
            "term": "long-term",
        }
    ],
}


def test_a_blank_template_has_the_six_sections_and_guidance():
    text = new_postmortem(None, dt.date(2026, 3, 3))
    document = parse(text)
    assert tuple(s.kind for s in document.sections) == PRACTICE
    assert text.count("<!--") == 6
    assert document.meta["written"] == dt.date(2026, 3, 3)
    assert document.meta["review_date"] == dt.date(2026, 4, 2)


def test_an_incident_fills_front_matter_timeline_and_actions():
    document = parse(new_postmortem(INCIDENT, dt.date(2026, 3, 3)))
    assert document.meta["severity"] == "SEV2"
    assert document.meta["resolved"] == dt.datetime(2026, 3, 2, 14, 52)
    assert [(e.actor, e.text, str(e.clock)) for e in document.timeline()] == [
        ("Alertmanager", "Paged on-call", "14:09:00"),
        ("Maria Lopez", "Rolled back", "14:52:00"),
    ]
    item = document.action_items()[0]
    assert (item.owner, str(item.due), item.priority, item.term) == (
        "@tom",
        "2026-03-20",
        "P2",
        "long-term",
    )


@pytest.mark.parametrize(
    ("incident", "message"),
    [
        ({"started": "yesterday"}, "`started` is not an ISO 8601 date-time: 'yesterday'"),
        ({"services": "checkout"}, "`services` must be a list of strings"),
        ({"timeline": [{"text": "x"}]}, "`timeline[0].at` must be a date-time or time string"),
        ({"colour": "red"}, "unknown key(s): colour"),
    ],
)
def test_a_malformed_incident_is_refused_with_the_key_named(incident, message):
    with pytest.raises(IncidentError) as caught:
        new_postmortem(incident, dt.date(2026, 3, 3))
    assert str(caught.value) == message
