"""Posting a public update: page, timeline, incident status, components."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from hindsight.incidents.models import EventKind, EventSource, TimelineEvent, Visibility
from hindsight.statuspage import services
from hindsight.statuspage.models import StatusUpdate


def test_it_publishes_writes_the_timeline_and_moves_the_incident(
    an_incident, checkout, a_responder
):
    update = services.post_update(
        incident=an_incident,
        status="identified",
        message="Card payments fail for some customers.",
        components={checkout: "partial_outage"},
        actor=a_responder,
    )
    an_incident.refresh_from_db()
    checkout.refresh_from_db()
    assert an_incident.status == "identified"
    assert checkout.status == "partial_outage"
    row = update.components.get()
    assert (row.old_status, row.status) == ("operational", "partial_outage")
    event = TimelineEvent.objects.get(incident=an_incident, kind=EventKind.STATUS_UPDATE)
    assert event.source == EventSource.STATUSPAGE
    assert event.visibility == Visibility.PUBLIC
    assert "Card payments fail" in event.text
    assert event.actor == a_responder
    assert TimelineEvent.objects.filter(
        incident=an_incident,
        kind=EventKind.STATUS_CHANGE,
        text__contains="investigating → identified",
    ).exists()


def test_it_returns_touched_components_to_operational_on_resolve(an_incident, checkout):
    services.post_update(
        incident=an_incident,
        status="investigating",
        message="Looking.",
        components={checkout: "major_outage"},
    )
    services.post_update(incident=an_incident, status="resolved", message="Fixed.")
    checkout.refresh_from_db()
    an_incident.refresh_from_db()
    assert checkout.status == "operational"
    assert an_incident.status == "resolved"
    assert an_incident.resolved_at is not None


@pytest.mark.parametrize(
    ("status", "message", "error"),
    [
        ("investigating", "   ", "needs a message"),
        ("closed", "Done", "Unknown status 'closed'"),
        ("identified", "x" * 5001, "under 5000"),
    ],
)
def test_it_refuses_bad_updates_and_stores_nothing(an_incident, status, message, error):
    with pytest.raises(services.UpdateError, match=error):
        services.post_update(incident=an_incident, status=status, message=message)
    assert not StatusUpdate.objects.exists()
    assert not TimelineEvent.objects.filter(kind=EventKind.STATUS_UPDATE).exists()


def test_it_refuses_restricted_incidents(an_incident):
    an_incident.restricted = True
    an_incident.save()
    with pytest.raises(services.UpdateError, match="restricted"):
        services.post_update(incident=an_incident, status="identified", message="x")


def test_the_panel_form_posts_an_update(an_incident, checkout, a_responder):
    client = Client()
    client.force_login(a_responder)
    response = client.post(
        f"/statuspage/incidents/{an_incident.pk}/updates/",
        {
            "status": "monitoring",
            "message": "Fix deployed.",
            f"component_{checkout.pk}": "degraded_performance",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{an_incident.pk}/"
    update = StatusUpdate.objects.get(incident=an_incident)
    assert update.message == "Fix deployed."
    assert update.posted_by == a_responder
    checkout.refresh_from_db()
    assert checkout.status == "degraded_performance"


def test_the_panel_uses_a_template_when_the_message_is_empty(an_incident, checkout, a_responder):
    services.post_update(
        incident=an_incident,
        status="investigating",
        message="Looking.",
        components={checkout: "major_outage"},
    )
    client = Client()
    client.force_login(a_responder)
    client.post(
        f"/statuspage/incidents/{an_incident.pk}/updates/",
        {"status": "identified", "message": "", "template": "identified"},
    )
    latest = StatusUpdate.objects.filter(incident=an_incident).first()
    assert latest.message.startswith("We have identified the cause of the problems with Checkout")


def test_the_panel_explains_a_missing_message(an_incident, a_responder):
    client = Client()
    client.force_login(a_responder)
    response = client.post(
        f"/statuspage/incidents/{an_incident.pk}/updates/", {"status": "identified"}
    )
    assert response.status_code == 400
    assert "Write a message or pick a template." in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_a_viewer_cannot_post(an_incident, the_viewer):
    client = Client()
    client.force_login(the_viewer)
    response = client.post(
        f"/statuspage/incidents/{an_incident.pk}/updates/", {"status": "identified", "message": "x"}
    )
    assert response.status_code == 403
    assert not StatusUpdate.objects.exists()


def test_the_compose_page_prefills_a_template(an_incident, a_responder):
    client = Client()
    client.force_login(a_responder)
    response = client.get(
        f"/statuspage/incidents/{an_incident.pk}/updates/new/?template=fix-deployed"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "A fix has been deployed" in body
    assert 'value="monitoring" selected' in body


def test_the_incident_panel_template_renders_history_and_form(an_incident, checkout, a_responder):
    services.post_update(
        incident=an_incident,
        status="identified",
        message="<b>Cause</b> found",
        components={checkout: "partial_outage"},
    )
    request = RequestFactory().get("/")
    request.user = a_responder
    html = render_to_string(
        "statuspage/_incident_panel.html", {"incident": an_incident}, request=request
    )
    assert "&lt;b&gt;Cause&lt;/b&gt; found" in html
    assert "Checkout operational → partial outage" in html
    assert f'action="/statuspage/incidents/{an_incident.pk}/updates/"' in html
    assert "csrfmiddlewaretoken" in html


def test_the_panel_shows_no_form_to_viewers(an_incident, the_viewer):
    request = RequestFactory().get("/")
    request.user = the_viewer
    html = render_to_string(
        "statuspage/_incident_panel.html", {"incident": an_incident}, request=request
    )
    assert "Nothing has been published about this incident yet" in html
    assert "Publish update" not in html
