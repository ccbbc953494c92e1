"""Alerts out of order: a resolve that overtakes its firing is kept and applied."""

from __future__ import annotations

from hindsight.incidents.models import EventKind, Incident, IncidentStatus

FIRING = {"status": "firing", "fingerprint": "disk-1", "title": "Disk full"}


def test_a_resolve_that_arrives_before_its_firing_resolves_the_incident(hook) -> None:  # type: ignore[no-untyped-def]
    deliver = hook("generic")
    early = deliver({**FIRING, "status": "resolved", "occurred_at": "2026-01-02T10:05:00Z"})
    assert early.json()["held"] == 1
    late = deliver({**FIRING, "occurred_at": "2026-01-02T10:00:00Z"})
    incident = Incident.objects.get()
    assert late.json()["opened"] == [incident.pk] and late.json()["resolved"] == [incident.pk]
    resolved = incident.events.get(kind=EventKind.ALERT_RESOLVED)
    assert resolved.occurred_at.isoformat() == "2026-01-02T10:05:00+00:00"
    assert incident.status == IncidentStatus.RESOLVED or incident.fingerprints.get().recovered_at


def test_a_resolve_older_than_a_new_firing_does_not_resolve_it(hook) -> None:  # type: ignore[no-untyped-def]
    deliver = hook("generic")
    deliver({**FIRING, "status": "resolved", "occurred_at": "2026-01-02T09:00:00Z"})
    late = deliver({**FIRING, "occurred_at": "2026-01-02T10:00:00Z"})
    assert late.json()["resolved"] == []
    assert not Incident.objects.get().events.filter(kind=EventKind.ALERT_RESOLVED).exists()


def test_a_held_resolve_delivered_again_is_a_duplicate(hook) -> None:  # type: ignore[no-untyped-def]
    deliver = hook("generic")
    resolve = {**FIRING, "status": "resolved", "occurred_at": "2026-01-02T10:05:00Z"}
    deliver(resolve)
    assert deliver(resolve).json()["duplicates"] == 1


def test_a_redelivered_firing_is_reported_as_a_duplicate(hook) -> None:  # type: ignore[no-untyped-def]
    deliver = hook("generic")
    deliver(FIRING)
    again = deliver(FIRING).json()
    assert (again["duplicates"], again["attached"], again["opened"]) == (1, [], [])
