"""Declaring and changing incidents from the pages and the CLI; every change is recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from hindsight.accounts.models import User
from hindsight.catalog.models import Service
from hindsight.cli import _register, app
from hindsight.incidents.models import EventKind, Incident
from hindsight.incidents.services import declare_incident


def _login(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password="pw-" + user.username)
    return client


@pytest.mark.django_db
def test_a_responder_declares_an_incident_with_services_and_commander(
    a_responder: User,
) -> None:
    checkout = Service.objects.create(name="Checkout", slug="checkout")
    client = _login(a_responder)
    response = client.post(
        "/incidents/declare/",
        {
            "title": "Checkout returns 502",
            "severity": "SEV2",
            "services": [checkout.pk],
            "commander": a_responder.pk,
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.pk}/"
    assert (incident.title, incident.severity, incident.commander) == (
        "Checkout returns 502",
        "SEV2",
        a_responder,
    )
    assert list(incident.services.values_list("slug", flat=True)) == ["checkout"]
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Incident declared as SEV2 affecting Checkout" in page
    assert "Time to detect" in page


@pytest.mark.django_db
def test_a_viewer_cannot_declare_or_change(the_viewer: User) -> None:
    incident = declare_incident(title="x")
    client = _login(the_viewer)
    assert client.post("/incidents/declare/", {"title": "y", "severity": "SEV1"}).status_code == 403
    assert (
        client.post(f"/incidents/{incident.pk}/status/", {"status": "resolved"}).status_code == 403
    )
    incident.refresh_from_db()
    assert incident.status == "investigating"
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_status_severity_commander_and_services_changes_are_on_the_timeline(
    a_responder: User, an_editor: User
) -> None:
    search = Service.objects.create(name="Search", slug="search")
    incident = declare_incident(title="Search down", severity="SEV3")
    client = _login(a_responder)
    client.post(f"/incidents/{incident.pk}/status/", {"status": "identified", "note": "bad index"})
    client.post(f"/incidents/{incident.pk}/severity/", {"severity": "SEV1"})
    client.post(f"/incidents/{incident.pk}/commander/", {"commander": an_editor.pk})
    client.post(f"/incidents/{incident.pk}/services/", {"services": [search.pk]})
    incident.refresh_from_db()
    assert (incident.status, incident.severity, incident.commander) == (
        "identified",
        "SEV1",
        an_editor,
    )
    assert incident.acknowledged_at is None  # only acknowledging sets it
    texts = list(incident.events.order_by("id").values_list("text", flat=True))
    assert texts[1:] == [
        "Status: investigating → identified. bad index",
        "Severity: SEV3 → SEV1",
        "Commander: none → ed-editor",
        "Affected services: added Search",
    ]
    actors = set(incident.events.exclude(kind=EventKind.DECLARED).values_list("actor", flat=True))
    assert actors == {a_responder.pk}


@pytest.mark.django_db
def test_an_editor_corrects_a_key_moment_and_the_correction_is_recorded(
    a_responder: User, an_editor: User
) -> None:
    started = timezone.now() - timedelta(hours=2)
    incident = declare_incident(title="Queue stuck", started_at=started)
    when = (started + timedelta(minutes=10)).replace(second=0, microsecond=0)
    form = {"moment": "detected", "at": when.strftime("%Y-%m-%dT%H:%M"), "reason": "pager log"}
    assert _login(a_responder).post(f"/incidents/{incident.pk}/moments/", form).status_code == 403
    _login(an_editor).post(f"/incidents/{incident.pk}/moments/", form)
    incident.refresh_from_db()
    assert incident.detected_at == when
    correction = incident.events.get(kind=EventKind.KEY_MOMENT)
    assert correction.actor == an_editor
    assert correction.text.startswith("Corrected detected: ")
    assert correction.text.endswith(f"→ {when:%Y-%m-%d %H:%M:%S} UTC (pager log)")


@pytest.mark.django_db
def test_a_refused_change_explains_why_and_changes_nothing(an_editor: User) -> None:
    incident = declare_incident(title="x")
    client = _login(an_editor)
    client.post(f"/incidents/{incident.pk}/status/", {"status": "closed"})
    response = client.post(
        f"/incidents/{incident.pk}/status/", {"status": "investigating"}, follow=True
    )
    assert "A closed incident cannot change status" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == "closed"


@pytest.mark.django_db
def test_the_cli_declares_and_resolves(an_editor: User) -> None:
    Service.objects.create(name="API", slug="api")
    _register()
    runner = CliRunner()
    result = runner.invoke(
        app, ["incidents", "declare", "API errors", "--severity", "sev2", "--service", "api"]
    )
    assert result.exit_code == 0, result.output
    incident = Incident.objects.get()
    assert f"Declared incident #{incident.pk}: API errors (SEV2)" in result.output
    at = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)
    assert (
        runner.invoke(
            app, ["incidents", "note", str(incident.pk), "paged", "--at", "2020-05-01T12:00:00"]
        ).exit_code
        == 0
    )
    result = runner.invoke(
        app, ["incidents", "status", str(incident.pk), "resolved", "--by", an_editor.username]
    )
    assert result.exit_code == 0, result.output
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert incident.events.filter(text="paged", occurred_at=at).exists()
    bad = runner.invoke(app, ["incidents", "declare", "x", "--service", "nope"])
    assert bad.exit_code == 1
    assert "unknown service(s): nope" in bad.output
