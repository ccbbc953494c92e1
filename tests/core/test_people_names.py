"""People's names found in a post-mortem (what the customer version redacts), and only those."""

from __future__ import annotations

from hindsight.core.audience import public_document
from hindsight.core.parser import parse
from hindsight.core.render import render
from hindsight.core.textutil import people_names

DOCUMENT = """---
authors: [Maria Lopez]
---

# Checkout 502s

## Summary

Checkout returned 502s for 30% of customers. The Status Page showed it within minutes.

## Timeline

| Time | Actor | Event |
| --- | --- | --- |
| 2026-03-02 14:02 UTC | Checkout API | Check failed: 502 |
| 2026-03-02 14:03 UTC | Alertmanager | Alert fired: checkout error rate |
| 2026-03-02 14:05 UTC | Tom Berg | Acknowledged the page |
| 2026-03-02 14:30 UTC | Status Page | Public update posted |
| 2026-03-02 14:52 UTC | Hindsight | Incident resolved |

## Attendees

- Incident commander: Maria Lopez
- Tom Berg (Database team)
"""


def names() -> frozenset[str]:
    return people_names(parse(DOCUMENT))


def test_a_monitor_acting_on_the_timeline_is_not_a_person() -> None:
    assert not {"Checkout API", "Checkout"} & names()


def test_tools_acting_on_the_timeline_are_not_people() -> None:
    assert not {"Alertmanager", "Hindsight", "Status Page", "Status", "Page"} & names()


def test_a_role_before_an_attendee_is_not_a_name() -> None:
    assert not {"Incident", "Incident commander: Maria Lopez"} & names()


def test_people_are_still_found_with_their_first_and_last_names() -> None:
    assert {"Maria Lopez", "Maria", "Lopez", "Tom Berg", "Tom", "Berg"} <= names()


def test_the_customer_version_keeps_ordinary_capitalised_words() -> None:
    public = render(public_document(parse(DOCUMENT)))
    assert "Checkout returned 502s" in public
    assert "The Status Page showed it" in public
