"""A year of earlier demo incidents, so search, similar incidents and insights show something.

Twenty-eight resolved incidents over the last eleven months, each with a
post-mortem and action items, drawn from a few recurring causes (an expiring
certificate, a connection pool, a bad configuration push, a noisy vendor) so
repeats, contributing factors, timeliness and recognition have data. Rows are
written directly (no signals that notify anyone); a fixed seed makes every
demo the same.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from hindsight.accounts.models import User
from hindsight.actions.models import ActionItem, ActionKind, ActionStatus
from hindsight.catalog.models import Service
from hindsight.incidents.models import (
    EventKind,
    EventSource,
    Incident,
    IncidentStatus,
    TimelineEvent,
)
from hindsight.postmortems.models import PostMortem, PostMortemStatus

# (title, services, severity, factors in the root-cause analysis, action items)
CAUSES = [
    (
        "Checkout errors after the gateway certificate expired",
        ["checkout-api", "payment-gateway"],
        "SEV2",
        [
            "The gateway certificate expired because renewal was a manual step.",
            "No alert warned about certificate expiry dates.",
        ],
        ["Automate certificate renewal", "Alert 14 days before a certificate expires"],
    ),
    (
        "Search timeouts: database connection pool exhausted",
        ["search"],
        "SEV3",
        [
            "The connection pool was sized for half of today's traffic (capacity).",
            "A slow query held connections for minutes.",
        ],
        ["Resize the search connection pool", "Add a statement timeout"],
    ),
    (
        "Sign-in failures after a configuration push",
        ["accounts"],
        "SEV2",
        [
            "A configuration change to the session store was pushed without review.",
            "The change had no staged rollout.",
        ],
        ["Require review for production configuration changes", "Stage configuration rollouts"],
    ),
    (
        "Payments delayed by the card vendor's rate limit",
        ["payment-gateway"],
        "SEV3",
        [
            "We were throttled by the upstream card vendor after a retry storm.",
            "Retries had no backoff; escalation to the vendor took an hour.",
        ],
        ["Add exponential backoff to vendor calls", "Agree an escalation contact with the vendor"],
    ),
    (
        "Storefront slow after a deploy emptied the cache",
        ["web-storefront"],
        "SEV4",
        [
            "The deploy flushed the cache and every request missed at once.",
            "The runbook did not say to warm the cache first.",
        ],
        ["Warm the cache before switching traffic", "Update the deploy runbook"],
    ),
]
EARLIER_INCIDENTS = 28
SECTIONS = "## What went well\n\nThe alert fired and the on-call engineer joined within minutes.\n"


def _body(title: str, factors: list[str], actions: list[str], started: datetime) -> str:
    listed = "\n".join(f"- {factor}" for factor in factors)
    items = "\n".join(f"- {action}" for action in actions)
    return (
        f"# {title}\n\n## Summary\n\nOn {started:%Y-%m-%d} {title.lower()}; customers saw "
        f"errors until it was fixed.\n\n## Root cause analysis\n\n{listed}\n\n{SECTIONS}\n"
        f"## Action items\n\n{items}\n"
    )


def seed_library(*, services: dict[str, Service], people: list[User], now: datetime) -> None:
    """Create the earlier incidents with their post-mortems, events and action items."""
    rng = random.Random(2024)
    for number in range(EARLIER_INCIDENTS):
        title, slugs, severity, factors, actions = CAUSES[number % len(CAUSES)]
        started = now - timedelta(days=330 - number * 11.5, hours=rng.randint(0, 12))
        if number == 0:  # on this day a year ago: resurfaced for the review meeting
            started = now - timedelta(days=365)
        detected = started + timedelta(minutes=rng.randint(2, 25))
        acknowledged = detected + timedelta(minutes=rng.randint(1, 15)) if number % 6 else None
        resolved = detected + timedelta(minutes=rng.randint(30, 400))
        commander = people[number % len(people)]
        incident = Incident.objects.create(
            title=title,
            severity=severity,
            status=IncidentStatus.CLOSED,
            summary=f"{title}. Customers saw errors until it was fixed.",
            commander=commander,
            created_by=commander,
            started_at=started,
            detected_at=detected,
            acknowledged_at=acknowledged,
            mitigated_at=resolved,
            resolved_at=resolved,
            closed_at=resolved,
            created_at=started,
            updated_at=resolved,
        )
        incident.services.set([services[slug] for slug in slugs])
        for minutes, text in ((0, f"Alert firing: {title}"), (30, "Rolled back the change")):
            TimelineEvent.objects.create(
                incident=incident,
                occurred_at=detected + timedelta(minutes=minutes),
                recorded_at=detected + timedelta(minutes=minutes),
                kind=EventKind.NOTE,
                source=EventSource.SYSTEM,
                actor_name=commander.display_name,
                text=text,
            )
        written = resolved + timedelta(hours=rng.choice([20, 30, 40, 60, 90]))
        postmortem = PostMortem.objects.create(
            incident=incident,
            title=f"Post-mortem: {title}",
            status=PostMortemStatus.PUBLISHED,
            body=_body(title, factors, actions, started),
            quality_score=rng.randint(55, 95),
            approved_at=written,
            published_at=written,
            created_at=resolved,
            updated_at=written,
        )
        postmortem.authors.add(commander)
        for index, action in enumerate(actions):
            done = rng.random() < 0.7
            due = (resolved + timedelta(days=14 + 7 * index)).date()
            ActionItem.objects.create(
                incident=incident,
                postmortem=postmortem,
                title=action,
                owner=people[(number + index) % len(people)],
                due_date=due,
                kind=ActionKind.LONG_TERM if index else ActionKind.IMMEDIATE,
                status=ActionStatus.DONE if done else ActionStatus.OPEN,
                completed_at=resolved + timedelta(days=rng.randint(3, 30)) if done else None,
                external_url="https://tracker.example/issues/1" if done and index == 0 else "",
                created_at=resolved,
                updated_at=resolved,
            )
