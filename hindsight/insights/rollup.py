"""The insights figures, computed together into one snapshot by a job.

``compute`` reads the facts (``facts``) and applies ``core.metrics``; the
result is plain JSON stored as a ``MetricsSnapshot``, one for editors (with
restricted incidents) and one for everyone else. The dashboard, its charts
and CSVs read the latest snapshot, so a GET costs one row however many
incidents there are; with no snapshot yet (a fresh install, tests) they
compute the figures on the spot without storing them.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction

from hindsight.actions.models import ActionItem
from hindsight.core import metrics
from hindsight.core.factors import BY_TAG
from hindsight.incidents.models import Severity, sees_restricted
from hindsight.insights import facts
from hindsight.insights.factors import label, reconcile_factors
from hindsight.insights.models import MetricsSnapshot
from hindsight.insights.recognition import Recognised, recognition
from hindsight.insights.similar import resurfacing

log = logging.getLogger(__name__)

MONTHS = 12
KEEP_SNAPSHOTS = 4  # per audience; older ones are pruned when a new one is stored


def months_until(now: datetime, count: int = MONTHS) -> list[str]:
    """Return the ``count`` calendar months ending with now's, oldest first ("YYYY-MM")."""
    year, month = now.year, now.month
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _month_start(month: str) -> datetime:
    return datetime(int(month[:4]), int(month[5:]), 1, tzinfo=UTC)


def _month_end(month: str, now: datetime) -> datetime:
    start = _month_start(month)
    following = (start + timedelta(days=32)).replace(day=1)
    return min(following, now)


def _summary(value: metrics.Summary) -> dict[str, Any]:
    return asdict(value)


def _durations(grouped: dict[str, dict[str, metrics.Summary]]) -> dict[str, Any]:
    return {key: {d: _summary(s) for d, s in values.items()} for key, values in grouped.items()}


def _shared(reason: str) -> str:
    what, _, name = reason.partition(" ")
    return f"same {what}: {label(name) if what == 'factor' else name}"


def _recognised(entry: Recognised) -> dict[str, Any]:
    pm = entry.postmortem
    return {
        "postmortem": pm.pk,
        "incident": pm.incident_id,
        "title": pm.title,
        "points": entry.points,
        "score": entry.score,
        "on_time": entry.on_time,
        "actions": entry.actions,
        "evidenced": entry.evidenced,
        "authors": entry.authors,
    }


def compute(
    *, now: datetime, include_restricted: bool, repeat_days: int | None = None
) -> dict[str, Any]:
    """Compute every insights figure for the last MONTHS months."""
    repeat_days = repeat_days or settings.INSIGHTS_REPEAT_DAYS
    months = months_until(now)
    since = _month_start(months[0])
    within = timedelta(days=repeat_days)
    # Incidents shortly before the window can make ones inside it repeats.
    loaded = facts.incidents(since=since - within, include_restricted=include_restricted, now=now)
    incidents = [f for f in loaded if f.started >= since]

    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for f in incidents:
        counts[metrics.month_of(f.started)][f.severity] += 1
    repeats = [r for r in metrics.repeats(loaded, within) if r.started >= since]
    repeat_months = Counter(metrics.month_of(r.started) for r in repeats)

    per_month_pm: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for pm in facts.postmortems(since=since, include_restricted=include_restricted):
        per_month_pm[metrics.month_of(pm["started"])].append(pm)

    items = ActionItem.objects.all()
    if not include_restricted:
        items = items.filter(incident__restricted=False)
    action_list = [a for _, a in facts.actions(items)]
    created: dict[str, list[metrics.ActionFacts]] = defaultdict(list)
    for action in action_list:
        created[metrics.month_of(action.created)].append(action)

    factor_incidents: Counter[str] = Counter()
    category_incidents: Counter[str] = Counter()
    for f in incidents:
        factor_incidents.update(f.factors)
        category_incidents.update({BY_TAG[t].category for t in f.factors if t in BY_TAG})

    timeliness = {}
    for month in months:
        decided, on_time, ratio = metrics.share(
            metrics.written_on_time(resolved=pm["resolved"], written=pm["written"], now=now)
            for pm in per_month_pm[month]
        )
        timeliness[month] = {"decided": decided, "on_time": on_time, "share": ratio}

    return {
        "resurfaced": [
            {
                "postmortem": r.postmortem.pk,
                "incident": r.postmortem.incident_id,
                "title": r.postmortem.title,
                "started": r.postmortem.incident.started_at.isoformat(),
                "why": r.why,
            }
            for r in resurfacing(include_restricted=include_restricted, today=now.date())
        ],
        "recognition": {
            m: [
                _recognised(r)
                for r in recognition(month=m, include_restricted=include_restricted, now=now)
            ]
            for m in months[-1:-3:-1]
        },
        "computed_at": now.isoformat(),
        "months": months,
        "repeat_days": repeat_days,
        "include_restricted": include_restricted,
        "severities": list(Severity.values),
        "counts": {m: {s: counts[m][s] for s in Severity.values} for m in months},
        "durations": {
            "overall": _durations(metrics.summarise_durations(incidents, lambda f: ["all"])),
            "month": _durations(
                metrics.summarise_durations(incidents, lambda f: [metrics.month_of(f.started)])
            ),
            "severity": _durations(metrics.summarise_durations(incidents, lambda f: [f.severity])),
            "service": _durations(metrics.summarise_durations(incidents, lambda f: f.services)),
        },
        "repeats": {
            "month": {
                m: {"incidents": sum(counts[m].values()), "repeats": repeat_months[m]}
                for m in months
            },
            "latest": [
                {"incident": r.incident, "earlier": r.earlier, "reason": _shared(r.reason)}
                for r in sorted(repeats, key=lambda r: r.started, reverse=True)[:10]
            ],
        },
        "actions": {
            m: {
                "created": len(created[m]),
                "done": sum(a.done for a in created[m]),
                "completion_rate": metrics.completion_rate(created[m]),
                "overdue": metrics.overdue_at(action_list, _month_end(m, now)),
            }
            for m in months
        },
        "timeliness": timeliness,
        "scores": {
            m: _summary(
                metrics.Summary.of(
                    [pm["score"] for pm in per_month_pm[m] if pm["score"] is not None]
                )
            )
            for m in months
        },
        "factors": [
            {"tag": tag, "incidents": n}
            for tag, n in sorted(factor_incidents.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "categories": [
            {"category": c, "incidents": n}
            for c, n in sorted(category_incidents.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }


def refresh(*, now: datetime | None = None) -> list[MetricsSnapshot]:
    """Compute and store both snapshots (with and without restricted incidents); prune old ones."""
    now = now or datetime.now(UTC)
    stored = []
    for include_restricted in (True, False):
        started = time.monotonic()
        data = compute(now=now, include_restricted=include_restricted)
        took = int((time.monotonic() - started) * 1000)
        with transaction.atomic():
            snapshot = MetricsSnapshot.objects.create(
                computed_at=now, took_ms=took, include_restricted=include_restricted, data=data
            )
            old = MetricsSnapshot.objects.filter(include_restricted=include_restricted).order_by(
                "-computed_at", "-id"
            )[KEEP_SNAPSHOTS:]
            MetricsSnapshot.objects.filter(pk__in=[s.pk for s in old]).delete()
        log.info("insights snapshot (restricted included: %s) took %s ms", include_restricted, took)
        stored.append(snapshot)
    return stored


def run(*, now: datetime | None = None) -> int:
    """The rollup job: re-derive the factors of post-mortems changed since the last snapshot
    (saves that bypassed signals), then store new snapshots; return how many were stored."""
    now = now or datetime.now(UTC)
    last = MetricsSnapshot.objects.order_by("-computed_at").values_list("computed_at", flat=True)
    since = last.first()
    reconcile_factors(changed_since=since - timedelta(minutes=5) if since else None)
    return len(refresh(now=now))


def current(*, user: object, now: datetime | None = None) -> tuple[dict[str, Any], bool]:
    """Return the figures the user may see and whether they come from a stored snapshot."""
    include = sees_restricted(user)
    latest = MetricsSnapshot.objects.filter(include_restricted=include).order_by(
        "-computed_at", "-id"
    )
    snapshot = latest.first()
    if snapshot is not None:
        return snapshot.data, True
    return compute(now=now or datetime.now(UTC), include_restricted=include), False
