"""Similar incidents, with the reason each one is similar, and old post-mortems to revisit.

An earlier incident is similar when it shares a contributing factor, a
monitor or alert fingerprint, or a service with this one, or when its words
are close (the library search over this incident's title and summary). Each
shared thing adds to a score; the reasons are shown as they are
("same factor: certificate expiry; same service: Checkout").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q

from hindsight.core.search import similar_terms
from hindsight.core.snippets import plain, shared_words
from hindsight.incidents.models import Incident, IncidentFingerprint
from hindsight.insights.factors import label
from hindsight.insights.models import PostMortemFactor
from hindsight.insights.search import Filters, run_query
from hindsight.monitors.models import Monitor
from hindsight.postmortems.models import PostMortem

# What one shared thing adds to the score: a shared cause says more than a shared service.
WEIGHTS = {"factor": 3.0, "monitor": 3.0, "alert": 3.0, "service": 1.0, "words": 2.0}
CANDIDATES = 50  # per kind of reason, the most recent ones


@dataclass
class Similar:
    incident: Incident
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    @property
    def why(self) -> str:
        return "; ".join(self.reasons)


def _factor_matches(incident: Incident) -> list[tuple[int, str]]:
    tags = list(PostMortemFactor.objects.filter(incident=incident).values_list("tag", flat=True))
    rows = (
        PostMortemFactor.objects.filter(tag__in=tags)
        .exclude(incident=incident)
        .order_by("-incident__started_at", "tag")
        .values_list("incident_id", "tag")[: CANDIDATES * max(1, len(tags))]
    )
    return [(pk, f"same factor: {label(tag)}") for pk, tag in rows]


def _fingerprint_matches(incident: Incident) -> list[tuple[int, str]]:
    own = set(incident.fingerprints.values_list("fingerprint", flat=True))
    monitors = {fp.split(":")[1] for fp in own if fp.startswith("monitor:")}
    wanted = own | {f"monitor:{m}" for m in monitors} | {f"monitor:{m}:tls" for m in monitors}
    names = dict(
        Monitor.objects.filter(pk__in=[int(m) for m in monitors if m.isdigit()]).values_list(
            "pk", "name"
        )
    )
    rows = (
        IncidentFingerprint.objects.filter(fingerprint__in=wanted)
        .exclude(incident=incident)
        .order_by("-first_seen_at", "fingerprint")
        .values_list("incident_id", "fingerprint")[:CANDIDATES]
    )
    found = []
    for pk, fingerprint in rows:
        if fingerprint.startswith("monitor:"):
            monitor = fingerprint.split(":")[1]
            shown = names.get(int(monitor), f"#{monitor}") if monitor.isdigit() else monitor
            found.append((pk, f"same monitor: {shown}"))
        else:
            found.append((pk, f"same alert: {fingerprint}"))
    return found


def _service_matches(incident: Incident) -> list[tuple[int, str]]:
    through = Incident.services.through
    found: list[tuple[int, str]] = []
    for service in incident.services.all():
        rows = (
            through.objects.filter(service=service)
            .exclude(incident=incident)
            .order_by("-incident__started_at")
            .values_list("incident_id", flat=True)[:CANDIDATES]
        )
        found += [(pk, f"same service: {service.name}") for pk in rows]
    return found


def _word_matches(incident: Incident, user: object) -> list[tuple[int, str, float]]:
    query = similar_terms(f"{incident.title} {incident.summary}")
    if query is None:
        return []
    hits = run_query(
        query=query,
        user=user,
        filters=Filters(kinds=("incident", "postmortem")),
        limit=CANDIDATES,
    ).hits
    words = [term.words[0] for term in query.positive_terms]
    found: list[tuple[int, str, float]] = []
    for position, hit in enumerate(hits):
        if hit.incident_id == incident.pk:
            continue
        shared = shared_words(words, f"{hit.title} {plain(str(hit.snippet))}")
        if len(shared) >= 2 or len(words) == 1:
            closeness = 1.0 - position / len(hits)  # best text match weighs most
            found.append((hit.incident_id, f"similar words: {', '.join(shared[:4])}", closeness))
    return found


def similar_incidents(*, incident: Incident, user: object, limit: int = 5) -> list[Similar]:
    """Return the incidents most like this one that the user may see, most similar first."""
    found: dict[int, Similar] = {}
    scores: dict[int, float] = defaultdict(float)
    reasons: dict[int, list[str]] = defaultdict(list)

    def add(pk: int, reason: str, weight: float) -> None:
        if reason not in reasons[pk]:
            reasons[pk].append(reason)
            scores[pk] += weight

    for pk, reason in _factor_matches(incident):
        add(pk, reason, WEIGHTS["factor"])
    for pk, reason in _fingerprint_matches(incident):
        add(pk, reason, WEIGHTS["monitor" if "monitor" in reason else "alert"])
    for pk, reason in _service_matches(incident):
        add(pk, reason, WEIGHTS["service"])
    for pk, reason, closeness in _word_matches(incident, user):
        if not any(r.startswith("similar words") for r in reasons[pk]):
            add(pk, reason, WEIGHTS["words"] * closeness)
    visible = (
        Incident.objects.visible_to(user).filter(pk__in=list(scores)).select_related("postmortem")
    )
    for other in visible:
        found[other.pk] = Similar(incident=other, score=scores[other.pk], reasons=reasons[other.pk])
    ranked = sorted(found.values(), key=lambda s: (-s.score, -s.incident.started_at.timestamp()))
    return ranked[:limit]


@dataclass(frozen=True)
class Resurfaced:
    postmortem: PostMortem
    why: str


YEARS_BACK = 10
# How long ago a post-mortem is worth another look, and how it is shown.
LOOK_BACK = (
    (365, "a year ago this week"),
    (182, "six months ago this week"),
    (91, "three months ago this week"),
)


def resurfacing(*, include_restricted: bool, today: date, limit: int = 10) -> list[Resurfaced]:
    """Return old post-mortems to revisit in a review meeting: on this day, and N months ago."""
    windows: list[tuple[datetime, datetime, str]] = []
    for year in range(today.year - YEARS_BACK, today.year):
        try:
            day = datetime(year, today.month, today.day, tzinfo=UTC)
        except ValueError:  # 29 February in a year without one
            continue
        years = today.year - year
        why = f"on this day {years} year{'s' if years > 1 else ''} ago"
        windows.append((day, day + timedelta(days=1), why))
    for days, why in LOOK_BACK:
        first = datetime.combine(today - timedelta(days=days + 3), time.min, UTC)
        windows.append((first, first + timedelta(days=7), why))
    # One pass over incidents by time ranges (no per-row date functions), then a page
    # of their post-mortems: on this day first, then a year, six and three months ago.
    in_any = Q()
    for start, end, _ in windows:
        in_any |= Q(started_at__gte=start, started_at__lt=end)
    incidents = Incident.objects.filter(in_any, postmortem__isnull=False)
    if not include_restricted:
        incidents = incidents.filter(restricted=False)
    order = {why: i for i, (_, _, why) in enumerate(windows)}
    found = []
    for pk, started in incidents.values_list("pk", "started_at"):
        why = next(w for start, end, w in windows if start <= started < end)
        found.append((order[why], -started.timestamp(), pk, why))
    chosen = sorted(found)[:limit]
    postmortems = PostMortem.objects.filter(incident_id__in=[c[2] for c in chosen])
    by_incident = {
        pm.incident_id: pm for pm in postmortems.select_related("incident").defer("body")
    }
    return [Resurfaced(by_incident[pk], why) for _, _, pk, why in chosen if pk in by_incident]
