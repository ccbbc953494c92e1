"""The post-mortem draft written when an incident is resolved.

The draft has the practice's structure (YAML front matter, then Summary,
Timeline, Root-cause analysis, What went well, What could be improved,
Action items), pre-filled with what Hindsight knows — title, severity,
services, durations, participants and the timeline's key events — and HTML
comments with guidance where only people can write. Due times come from the
per-severity policy (``settings.POSTMORTEM_DUE``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.core.metrics import humanize, incident_metrics
from hindsight.incidents.models import EventKind, EventSource, Incident, TimelineEvent
from hindsight.incidents.services import append_event
from hindsight.postmortems.models import PostMortem, PostMortemRevision
from hindsight.postmortems.policy import FALLBACK, Due

log = logging.getLogger(__name__)

# review_date means what the reviewer (hindsight.core) and `hindsight new`
# mean by it: when to check that the action items got done, a few weeks out.
# The deadlines for writing the post-mortem are due_at / debrief_due_at.
FOLLOW_UP = timedelta(days=30)

GUIDANCE = {
    "summary": "In two or three plain sentences: what happened, who was affected and how "
    "badly, for how long, and how it was fixed. Write for someone who was not there.",
    "timeline": "Mark events as key on the incident page to list them here; add what is "
    "missing (decisions, hand-offs, when customers were told).",
    "root-cause": "Why did it happen, and why then? Follow the contributing factors "
    "(technical, process, communication) past the first answer. Blameless: describe "
    "systems and decisions, not people's failings.",
    "went-well": "What helped: detection, tooling, people and practices worth keeping.",
    "improved": "Where were we slow, lucky or confused? Be specific: which alert, which "
    "runbook, which decision.",
    "actions": "One line each: what, owner, due date, priority (immediate or long-term). "
    "Every item should prevent a recurrence or shorten the next incident.",
}


# Sources whose actor is a tool, not a person.
MACHINE_SOURCES = (
    EventSource.SYSTEM,
    EventSource.MONITOR,
    EventSource.ALERTMANAGER,
    EventSource.GRAFANA,
    EventSource.PAGERDUTY,
    EventSource.WEBHOOK,
)


def _utc(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def participants(incident: Incident) -> list[str]:
    """Return the people who acted on the incident, commander first."""
    names: list[str] = []
    if incident.commander is not None:
        names.append(incident.commander.display_name)
    actors = (
        incident.events.filter(hidden=False)
        .exclude(source__in=MACHINE_SOURCES)
        .exclude(actor_name__in=["", "Hindsight"])
        .order_by("occurred_at", "id")
        .values_list("actor_name", flat=True)
        .distinct()
    )
    for name in actors:
        if name not in names:
            names.append(name)
    return names


def policy_for(severity: str) -> Due:
    """Return the due policy for a severity."""
    policy: dict[str, Due] = getattr(settings, "POSTMORTEM_DUE", {})
    return policy.get(severity, Due(review=FALLBACK))


def _comment(key: str) -> str:
    return f"<!-- {GUIDANCE[key]} -->"


def _timeline_lines(events: list[TimelineEvent]) -> list[str]:
    lines = []
    for event in events:
        actor = event.actor_name or "Hindsight"
        text = " ".join(event.text.split())
        lines.append(f"- {_utc(event.occurred_at)} — {actor}: {text}")
    return lines


def render_draft(*, incident: Incident, due: Due, now: datetime) -> str:
    """Return the draft's Markdown for a resolved incident."""
    services = [s.slug for s in incident.services.all()]
    service_names = [s.name for s in incident.services.all()]
    people = participants(incident)
    resolved = incident.resolved_at or now
    follow_up = resolved + FOLLOW_UP
    front = {
        "title": f"Post-mortem: {incident.title}",
        "incident": incident.pk,
        "severity": incident.severity,
        "status": "draft",
        "services": services,
        "authors": [incident.commander.display_name] if incident.commander else [],
        "started": _iso(incident.started_at),
        "detected": _iso(incident.detected_at),
        "resolved": _iso(incident.resolved_at),
        "written": None,
        "review_date": follow_up.date().isoformat(),
    }
    metrics = incident_metrics(
        started=incident.started_at,
        detected=incident.detected_at,
        acknowledged=incident.acknowledged_at,
        mitigated=incident.mitigated_at,
        resolved=incident.resolved_at,
        now=now,
    )
    facts = [
        f"- **Incident:** #{incident.pk} {incident.title} ({incident.severity})",
        f"- **Services:** {', '.join(service_names) if service_names else 'none recorded'}",
        f"- **Started:** {_utc(incident.started_at)}; **detected:** {_utc(incident.detected_at)}; "
        f"**resolved:** {_utc(incident.resolved_at)}",
        f"- **Time to detect:** {humanize(metrics.time_to_detect)}; **to acknowledge:** "
        f"{humanize(metrics.time_to_acknowledge)}; **to mitigate:** "
        f"{humanize(metrics.time_to_mitigate)}; **to resolve:** "
        f"{humanize(metrics.time_to_resolve)}",
        f"- **Customer-facing duration:** {humanize(metrics.customer_facing)}",
        f"- **Participants:** {', '.join(people) if people else 'none recorded'}",
    ]
    if incident.customer_impact:
        facts.append(f"- **Customer impact:** {' '.join(incident.customer_impact.split())}")
    key_events = list(
        incident.events.filter(is_key=True, hidden=False).order_by("occurred_at", "id")
    )
    sections = [
        "## Summary",
        _comment("summary"),
        "\n".join(facts),
        "## Timeline",
        "\n".join(_timeline_lines(key_events)) if key_events else _comment("timeline"),
        "## Root-cause analysis",
        _comment("root-cause"),
        "## What went well",
        _comment("went-well"),
        "## What could be improved",
        _comment("improved"),
        "## Action items",
        _comment("actions"),
    ]
    header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, default_flow_style=None)
    return f"---\n{header}---\n\n" + "\n\n".join(sections) + "\n"


def draft_on_resolve(*, incident: Incident, actor: User | None = None) -> PostMortem:
    """Create the incident's draft post-mortem with due times, unless it already has one."""
    existing = PostMortem.objects.filter(incident=incident).first()
    if existing is not None:
        return existing
    now = timezone.now()
    due = policy_for(incident.severity)
    resolved = incident.resolved_at or now
    with transaction.atomic():
        postmortem = PostMortem.objects.create(
            incident=incident,
            title=f"Post-mortem: {incident.title}"[:200],
            body=render_draft(incident=incident, due=due, now=now),
            due_at=resolved + due.review,
            debrief_due_at=resolved + due.debrief if due.debrief else None,
            review_date=(resolved + FOLLOW_UP).date(),
            created_at=now,
            updated_at=now,
        )
        if incident.commander is not None:
            postmortem.authors.add(incident.commander)
        PostMortemRevision.objects.create(
            postmortem=postmortem, version=1, body=postmortem.body, author=actor
        )
        debrief = (
            f"debrief by {_utc(postmortem.debrief_due_at)}, " if postmortem.debrief_due_at else ""
        )
        append_event(
            incident=incident,
            kind=EventKind.POSTMORTEM,
            source=EventSource.SYSTEM,
            actor_name="Hindsight",
            text=f"Post-mortem draft created: {debrief}written by {_utc(postmortem.due_at)}",
        )
    log.info("drafted post-mortem %s for incident %s", postmortem.pk, incident.pk)
    return postmortem
