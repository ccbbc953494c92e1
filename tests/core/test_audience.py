import datetime as dt

from hindsight.core import rules  # noqa: F401
from hindsight.core.audience import executive_summary, key_times, public_document, redact
from hindsight.core.config import Config
from hindsight.core.parser import parse
from hindsight.core.render import render
from hindsight.core.review import REGISTRY, review

POSTMORTEM = """---
title: Checkout errors
severity: SEV2
services: [checkout]
authors: [Maria Lopez]
started: 2026-03-02 14:02:00
resolved: 2026-03-02 14:52:00
---

# Checkout errors

## Summary

On 2 March from 14:02 to 14:52 UTC card payments failed for 30% of customers.

## Impact

About 1,200 orders were lost.

## Timeline

| Time | Actor | Event |
| --- | --- | --- |
| 2026-03-02 14:09 | Alertmanager | Paged on-call about db-prod-01 at 10.0.3.7 |
| 2026-03-02 14:20 | Maria Lopez | Discussed in #payments-oncall |
| 2026-03-02 14:52 | @maria | Rolled back; service restored |

## Root cause analysis

- The timeout on payments.internal was 1 second ([thread](https://acme.slack.com/x)).
- The review checklist has no latency step.

## Action items

- [ ] Add a latency step to the checklist — @tom, due 2026-03-20, P2
- [ ] Set the timeout to 5 seconds — @maria, due 2026-03-04, P1
"""


def test_key_times_come_from_front_matter_then_the_timeline():
    times = key_times(parse(POSTMORTEM))
    assert times.time_to_detect == dt.timedelta(minutes=7)
    assert times.time_to_resolve == dt.timedelta(minutes=50)


def test_the_executive_summary_has_facts_impact_and_top_actions_by_priority():
    text = executive_summary(parse(POSTMORTEM))
    assert "- **Time to detect:** 7 min" in text
    assert "- **Time to resolve:** 50 min" in text
    assert "About 1,200 orders were lost." in text
    actions = text.split("## Top actions\n\n")[1].splitlines()
    assert actions == [
        "- Set the timeout to 5 seconds (@maria, due 2026-03-04, P1)",
        "- Add a latency step to the checklist (@tom, due 2026-03-20, P2)",
    ]


def test_the_public_version_keeps_customer_content_and_passes_the_disclosure_rules():
    public = public_document(parse(POSTMORTEM))
    text = render(public)
    assert [s.title for s in public.sections] == [
        "Summary",
        "Impact",
        "Timeline",
        "What caused it",
        "What we are changing",
    ]
    for leak in (
        "10.0.3.7",
        "db-prod-01",
        "#payments-oncall",
        "@maria",
        "Maria",
        "slack.com",
        "payments.internal",
        "@tom",
        "P1",
    ):
        assert leak not in text, leak
    disclosure = Config(enable=frozenset(r.id for r in REGISTRY if r.category == "disclosure"))
    assert review(parse(text), config=disclosure, audience="public").findings == []


def test_the_internal_version_fails_the_disclosure_rules():
    disclosure = Config(enable=frozenset(r.id for r in REGISTRY if r.category == "disclosure"))
    found = {
        f.rule for f in review(parse(POSTMORTEM), config=disclosure, audience="public").findings
    }
    assert found == {
        "disclosure-ip-address",
        "disclosure-hostname",
        "disclosure-internal-url",
        "disclosure-chat-channel",
        "disclosure-personal-name",
    }


def test_redact_keeps_public_links():
    assert redact("See [status](https://status.example.com/x).", frozenset()) == (
        "See [status](https://status.example.com/x)."
    )
