"""The recurrence watch: notice when a failure comes back after its fixes were done.

An incident recurs an earlier one when they share a monitor, or an alert
fingerprint, or a service and a contributing factor (read from both
post-mortems' root-cause analyses with ``core.factors``), and every action
item of the earlier post-mortem is closed with at least one done. Then the
two are linked (``Recurrence``, once per pair), the earlier done items are
marked recurred, and both incidents' timelines say so.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.actions.filters import OPEN
from hindsight.actions.models import ActionItem, ActionStatus, Recurrence
from hindsight.core.factors import factors_of
from hindsight.incidents.models import EventKind, EventSource, Incident, IncidentFingerprint
from hindsight.incidents.services import append_event
from hindsight.monitors.models import MonitorIncident

log = logging.getLogger(__name__)

# Incidents opened this recently are (re)examined by each run of the watch.
WINDOW = timedelta(days=14)


def _followed_through(incident: Incident) -> bool:
    items = ActionItem.objects.filter(incident=incident)
    return (
        items.filter(status=ActionStatus.DONE).exists()
        and not items.filter(status__in=OPEN).exists()
    )


def _factors(incident: Incident) -> set[str]:
    postmortem = getattr(incident, "postmortem", None)
    return set(factors_of(postmortem.body)) if postmortem is not None else set()


def earlier_matches(incident: Incident) -> list[tuple[Incident, str]]:
    """Earlier incidents this one repeats, with the reason, whose fixes were all closed."""
    earlier = Incident.objects.filter(started_at__lt=incident.started_at).exclude(pk=incident.pk)
    found: dict[int, tuple[Incident, str]] = {}
    for link in MonitorIncident.objects.filter(incident=incident).select_related("monitor"):
        for other in earlier.filter(monitors__monitor=link.monitor).distinct():
            found.setdefault(other.pk, (other, f"same monitor: {link.monitor.name}"))
    prints = IncidentFingerprint.objects.filter(incident=incident).values_list(
        "fingerprint", flat=True
    )
    for print_ in set(prints):
        for other in earlier.filter(fingerprints__fingerprint=print_).distinct():
            found.setdefault(other.pk, (other, f"same alert: {print_}"))
    mine = _factors(incident)
    if mine:
        services = list(incident.services.all())
        shared = earlier.filter(services__in=services, postmortem__isnull=False).distinct()
        for other in shared.select_related("postmortem"):
            common = sorted(mine & _factors(other))
            if common:
                names = ", ".join(s.name for s in services if s in set(other.services.all()))
                reason = f"same service ({names}) and factor: {', '.join(common)}"
                found.setdefault(other.pk, (other, reason))
    return [(other, why) for other, why in found.values() if _followed_through(other)]


def link(*, incident: Incident, earlier: Incident, reason: str, now: datetime) -> bool:
    """Record that ``incident`` repeats ``earlier``; False when it was known already."""
    with transaction.atomic():
        made, created = Recurrence.objects.get_or_create(
            incident=incident, earlier=earlier, defaults={"reason": reason[:300], "created_at": now}
        )
        if not created:
            return False
        done = ActionItem.objects.filter(incident=earlier, status=ActionStatus.DONE)
        marked = done.update(recurred_at=now, recurred_in=incident, updated_at=now)
        append_event(
            incident=incident,
            kind=EventKind.ACTION_ITEM,
            source=EventSource.SYSTEM,
            text=f"This looks like incident #{earlier.pk} again ({reason}), whose action items were done.",
            idempotency_key=f"recurrence:{made.pk}:new",
        )
        append_event(
            incident=earlier,
            kind=EventKind.ACTION_ITEM,
            source=EventSource.SYSTEM,
            text=f"The failure came back as incident #{incident.pk} ({reason}): {marked} done action item(s) marked recurred.",
            idempotency_key=f"recurrence:{made.pk}:old",
        )
        audit.record(
            action="incident.recurred", target=incident, summary=f"#{earlier.pk}: {reason}"
        )
    log.info("incident %s recurs incident %s (%s)", incident.pk, earlier.pk, reason)
    return True


def watch(*, now: datetime | None = None) -> int:
    """Examine recently opened incidents; return how many new recurrences were linked."""
    now = now or timezone.now()
    recent = Incident.objects.filter(
        Q(started_at__gte=now - WINDOW) | Q(created_at__gte=now - WINDOW)
    )
    linked = 0
    for incident in recent.order_by("started_at", "pk"):
        for earlier, reason in earlier_matches(incident):
            linked += link(incident=incident, earlier=earlier, reason=reason, now=now)
    return linked
