"""Reactions: resolving an incident drafts its post-mortem when the per-severity policy
requires one (HINDSIGHT_POSTMORTEM_REQUIRED; otherwise the timeline says why not, and
anyone can ask for one: ``workflow_views.start``); sending one for review asks its
reviewers (an email each, through the outbox)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.dispatch import receiver

from hindsight.accounts.models import User
from hindsight.incidents.models import EventKind, EventSource, Incident
from hindsight.incidents.services import append_event
from hindsight.incidents.signals import incident_resolved
from hindsight.postmortems.drafting import draft_on_resolve
from hindsight.postmortems.models import PostMortem, PostMortemStatus
from hindsight.postmortems.notify import ask_reviewers
from hindsight.postmortems.policy import needs_postmortem
from hindsight.postmortems.signals import postmortem_transitioned


@receiver(incident_resolved)
def _draft_on_resolve(
    sender: Any, incident: Incident, actor: User | None = None, **kwargs: Any
) -> None:
    required, why = needs_postmortem(
        severity=incident.severity,
        automatic=incident.created_by_id is None and incident.fingerprints.exists(),
        duration=incident.duration,
        required=settings.POSTMORTEM_REQUIRED,
        short=timedelta(minutes=settings.POSTMORTEM_SKIP_SHORT_AUTOMATIC_MINUTES),
    )
    if required or PostMortem.objects.filter(incident=incident).exists():
        draft_on_resolve(incident=incident, actor=actor)
        return
    append_event(
        incident=incident,
        kind=EventKind.POSTMORTEM,
        source=EventSource.SYSTEM,
        actor_name="Hindsight",
        idempotency_key=f"postmortem-not-required:{incident.resolved_at}",
        text=f"No post-mortem drafted: {why}. Anyone can still start one from the incident page.",
    )


@receiver(postmortem_transitioned)
def _ask_the_reviewers(
    sender: Any, postmortem: PostMortem, new: str, actor: User, **kwargs: Any
) -> None:
    if new == PostMortemStatus.IN_REVIEW:
        ask_reviewers(postmortem=postmortem, actor=actor)
