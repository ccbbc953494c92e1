"""Reactions to incident changes: resolving an incident drafts its post-mortem."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from hindsight.accounts.models import User
from hindsight.incidents.models import Incident
from hindsight.incidents.signals import incident_resolved
from hindsight.postmortems.drafting import draft_on_resolve


@receiver(incident_resolved)
def _draft_on_resolve(
    sender: Any, incident: Incident, actor: User | None = None, **kwargs: Any
) -> None:
    draft_on_resolve(incident=incident, actor=actor)
