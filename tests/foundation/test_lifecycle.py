"""Lifecycle changes set key moments and write who/when/old → new events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hindsight.incidents import lifecycle
from hindsight.incidents.lifecycle import LifecycleError
from hindsight.incidents.models import EventKind
from hindsight.incidents.services import declare_incident

pytestmark = pytest.mark.django_db


def test_status_changes_set_key_moments_once(an_editor):
    incident = declare_incident(title="API errors", severity="SEV2")
    t1 = timezone.now() - timedelta(minutes=30)
    t2 = timezone.now() - timedelta(minutes=10)
    incident = lifecycle.change_status(
        incident=incident, status="identified", actor=an_editor, at=t1
    )
    incident = lifecycle.change_status(incident=incident, status="resolved", actor=an_editor, at=t2)
    assert incident.acknowledged_at is None  # only acknowledging sets it
    assert incident.mitigated_at == incident.resolved_at == t2
    texts = list(
        incident.events.filter(kind=EventKind.STATUS_CHANGE).values_list("text", "actor_name")
    )
    assert texts == [
        ("Status: investigating → identified", "ed-editor"),
        ("Status: identified → resolved", "ed-editor"),
    ]


def test_reopening_clears_the_resolution_and_closed_is_final(an_editor):
    incident = declare_incident(title="Flaky")
    incident = lifecycle.change_status(incident=incident, status="resolved")
    incident = lifecycle.change_status(incident=incident, status="investigating")
    assert incident.resolved_at is None
    incident = lifecycle.change_status(incident=incident, status="closed")
    with pytest.raises(LifecycleError, match="closed incident cannot change"):
        lifecycle.change_status(incident=incident, status="investigating")
    with pytest.raises(LifecycleError, match="Unknown status 'done'"):
        lifecycle.change_status(incident=declare_incident(title="x"), status="done")


def test_severity_and_commander_changes_are_recorded(an_editor, a_responder):
    incident = declare_incident(title="DB slow", severity="SEV3")
    lifecycle.change_severity(incident=incident, severity="SEV1", actor=an_editor)
    lifecycle.change_commander(incident=incident, commander=a_responder, actor=an_editor)
    texts = list(incident.events.values_list("text", flat=True))
    assert "Severity: SEV3 → SEV1" in texts
    assert "Commander: none → rita-responder" in texts
    with pytest.raises(LifecycleError, match="Unknown severity"):
        lifecycle.change_severity(incident=incident, severity="SEV9")


def test_an_editor_corrects_a_key_moment_and_the_correction_is_recorded(an_editor, a_responder):
    start = timezone.now() - timedelta(hours=3)
    incident = declare_incident(title="Late detection", started_at=start)
    detected = start + timedelta(minutes=12)
    incident = lifecycle.correct_moment(
        incident=incident, moment="detected", at=detected, actor=an_editor, reason="alert log"
    )
    assert incident.detected_at == detected
    event = incident.events.get(kind=EventKind.KEY_MOMENT)
    assert event.text.startswith("Corrected detected:") and event.text.endswith("(alert log)")
    with pytest.raises(LifecycleError, match="needs the editor role"):
        lifecycle.correct_moment(incident=incident, moment="detected", at=start, actor=a_responder)
    with pytest.raises(LifecycleError, match="cannot be before started"):
        lifecycle.correct_moment(
            incident=incident, moment="resolved", at=start - timedelta(hours=1), actor=an_editor
        )
    incident.refresh_from_db()
    assert incident.detected_at == detected and incident.resolved_at is None
