"""Reactions: resolving an incident drafts its post-mortem; sending one for review asks
its reviewers (an email each, through the outbox)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from hindsight.accounts.models import User
from hindsight.incidents.models import Incident
from hindsight.incidents.signals import incident_resolved
from hindsight.postmortems.drafting import draft_on_resolve
from hindsight.postmortems.models import PostMortem, PostMortemStatus
from hindsight.postmortems.notify import ask_reviewers
from hindsight.postmortems.signals import postmortem_transitioned


@receiver(incident_resolved)
def _draft_on_resolve(
    sender: Any, incident: Incident, actor: User | None = None, **kwargs: Any
) -> None:
    draft_on_resolve(incident=incident, actor=actor)


@receiver(postmortem_transitioned)
def _ask_the_reviewers(
    sender: Any, postmortem: PostMortem, new: str, actor: User, **kwargs: Any
) -> None:
    if new == PostMortemStatus.IN_REVIEW:
        ask_reviewers(postmortem=postmortem, actor=actor)
