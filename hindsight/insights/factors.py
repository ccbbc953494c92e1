"""Contributing factors across incidents: one function says what a post-mortem's are.

``factors_for`` is the only place that knows where factors come from. Today
they are derived from the root-cause analysis (``core.factors``); when
factors become structured data picked in the editor, only this function and
``refresh_factors`` change, and search, similar incidents and the insights
rankings keep querying ``PostMortemFactor``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from hindsight.core.factors import BY_TAG, factors_of
from hindsight.insights.models import PostMortemFactor
from hindsight.postmortems.models import PostMortem

log = logging.getLogger(__name__)


def factors_for(postmortem: PostMortem) -> list[str]:
    """Return the post-mortem's contributing factor tags."""
    return factors_of(postmortem.body)


def label(tag: str) -> str:
    """Return a factor tag as people read it ("certificate expiry")."""
    known = BY_TAG.get(tag)
    return known.label if known else tag.replace("-", " ")


def category(tag: str) -> str:
    """Return the fishbone category of a factor tag."""
    known = BY_TAG.get(tag)
    return known.category if known else "other"


def refresh_factors(*, postmortem: PostMortem) -> list[str]:
    """Store the post-mortem's factor tags where search and metrics query them."""
    tags = factors_for(postmortem)
    with transaction.atomic():
        stored = PostMortemFactor.objects.filter(postmortem_id=postmortem.pk)
        stored.exclude(tag__in=tags).delete()
        present = set(stored.values_list("tag", flat=True))
        PostMortemFactor.objects.bulk_create(
            PostMortemFactor(postmortem_id=postmortem.pk, incident_id=postmortem.incident_id, tag=t)
            for t in tags
            if t not in present
        )
    return tags


def reconcile_factors(*, changed_since: datetime | None = None, chunk: int = 1000) -> int:
    """Refresh the factors of post-mortems changed since a time (all when None); return how many.

    Works in chunks (one delete and one insert per chunk), so re-deriving the
    factors of every post-mortem stays quick however many there are.
    """
    postmortems = PostMortem.objects.order_by("pk")
    if changed_since is not None:
        postmortems = postmortems.filter(updated_at__gte=changed_since)
    count, last = 0, 0
    while True:
        batch = list(postmortems.filter(pk__gt=last).only("id", "incident_id", "body")[:chunk])
        if not batch:
            break
        rows = [
            PostMortemFactor(postmortem_id=pm.pk, incident_id=pm.incident_id, tag=tag)
            for pm in batch
            for tag in factors_for(pm)
        ]
        with transaction.atomic():
            PostMortemFactor.objects.filter(postmortem_id__in=[pm.pk for pm in batch]).delete()
            PostMortemFactor.objects.bulk_create(rows, batch_size=chunk)
        count += len(batch)
        last = batch[-1].pk
    log.info("refreshed the factors of %s post-mortems", count)
    return count
