"""The timeline page: source filters, gaps, and editor edits that keep history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.incidents.models import EventSource, TimelineEvent, TimelineEventRevision
from hindsight.incidents.services import append_event, declare_incident
from hindsight.incidents.timeline import EditError, event_version, revise_event


def _edit_url(event: TimelineEvent) -> str:
    return f"/incidents/{event.incident_id}/events/{event.pk}/"


def _as_shown(event: TimelineEvent, **changes: str) -> dict[str, str]:
    """The edit form's fields as the page rendered them, with the editor's changes."""
    shown = {
        "text": event.text,
        "occurred_at": event.occurred_at.strftime("%Y-%m-%dT%H:%M:%S"),
        "version": event_version(event),
        **({"is_key": "on"} if event.is_key else {}),
        **({"hidden": "on"} if event.hidden else {}),
    }
    return {**shown, **changes}


def _login(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password="pw-" + user.username)
    return client


@pytest.fixture
def incident(db: None):  # type: ignore[no-untyped-def]
    start = timezone.now() - timedelta(hours=5)
    incident = declare_incident(title="Login failures", started_at=start, detected_at=start)
    append_event(
        incident=incident,
        text="alert fired",
        source=EventSource.ALERTMANAGER,
        occurred_at=start + timedelta(minutes=1),
    )
    append_event(
        incident=incident, text="looking at logs", occurred_at=start + timedelta(minutes=5)
    )
    append_event(incident=incident, text="rolled back", occurred_at=start + timedelta(hours=3))
    return incident


def test_the_page_filters_by_source(incident, the_viewer: User) -> None:  # type: ignore[no-untyped-def]
    page = _login(the_viewer).get(f"/incidents/{incident.pk}/?source=alertmanager").content.decode()
    assert "alert fired" in page
    assert "looking at logs" not in page
    assert "1 event," in page


def test_the_gap_view_shows_long_quiet_stretches(incident, the_viewer: User) -> None:  # type: ignore[no-untyped-def]
    page = _login(the_viewer).get(f"/incidents/{incident.pk}/?gap=60").content.decode()
    assert "Nothing recorded for 2 h 55 min" in page
    assert "1 gap of 60 min or more" in page
    off = _login(the_viewer).get(f"/incidents/{incident.pk}/?gap=0").content.decode()
    assert "Nothing recorded" not in off


def test_a_note_can_be_dated_earlier(incident, a_responder: User) -> None:  # type: ignore[no-untyped-def]
    when = (timezone.now() - timedelta(hours=4)).replace(second=0, microsecond=0)
    _login(a_responder).post(
        f"/incidents/{incident.pk}/notes/",
        {"text": "customer called support", "at": when.strftime("%Y-%m-%dT%H:%M")},
    )
    assert incident.events.get(text="customer called support").occurred_at == when


def test_an_editor_edits_and_hides_with_history_kept(
    incident, an_editor: User, a_responder: User
) -> None:  # type: ignore[no-untyped-def]
    event = incident.events.get(text="looking at logs")
    client = _login(an_editor)
    response = client.post(
        _edit_url(event), _as_shown(event, text="looking at auth logs", is_key="on")
    )
    assert response.status_code == 302
    client.post(f"/incidents/{incident.pk}/events/{event.pk}/toggle/", {"toggle": "hidden"})
    event.refresh_from_db()
    assert (event.text, event.is_key, event.hidden) == ("looking at auth logs", True, True)
    history = list(
        TimelineEventRevision.objects.filter(event=event).values_list("text", "is_key", "hidden")
    )
    assert history == [("looking at logs", False, False), ("looking at auth logs", True, False)]
    viewer_page = _login(a_responder).get(f"/incidents/{incident.pk}/").content.decode()
    assert "looking at auth logs" not in viewer_page
    editor_page = client.get(f"/incidents/{incident.pk}/events/{event.pk}/").content.decode()
    assert "looking at logs" in editor_page
    assert (
        _login(a_responder)
        .post(f"/incidents/{incident.pk}/events/{event.pk}/toggle/", {"toggle": "key"})
        .status_code
        == 403
    )


def test_edits_refuse_empty_text_and_non_editors(
    incident, a_responder: User, an_editor: User
) -> None:  # type: ignore[no-untyped-def]
    event = incident.events.get(text="rolled back")
    with pytest.raises(EditError, match="editor role"):
        revise_event(event=event, by=a_responder, text="x")
    with pytest.raises(EditError, match="hide it instead"):
        revise_event(event=event, by=an_editor, text="  ")
    assert event.revisions.count() == 0


def test_a_long_timeline_is_shown_one_page_at_a_time(incident, the_viewer: User) -> None:  # type: ignore[no-untyped-def]
    start = incident.started_at
    TimelineEvent.objects.bulk_create(
        TimelineEvent(incident=incident, text=f"tick {n}", occurred_at=start + timedelta(seconds=n))
        for n in range(1200)
    )
    client = _login(the_viewer)
    first = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert first.count('id="event-') == 500
    assert "Events 1–500 of 1204" in first
    last = client.get(f"/incidents/{incident.pk}/?page=3").content.decode()
    assert last.count('id="event-') == 204
    assert "rolled back" in last and "Later →" not in last


def test_a_save_keeps_the_seconds_of_an_unchanged_time(incident, an_editor: User) -> None:  # type: ignore[no-untyped-def]
    event = incident.events.get(text="looking at logs")
    TimelineEvent.objects.filter(pk=event.pk).update(
        occurred_at=event.occurred_at.replace(second=42, microsecond=123456)
    )
    event.refresh_from_db()
    _login(an_editor).post(_edit_url(event), _as_shown(event, text="looking at the logs"))
    after = TimelineEvent.objects.get(pk=event.pk)
    assert (after.text, after.occurred_at) == ("looking at the logs", event.occurred_at)


def test_a_new_time_is_saved_to_the_second(incident, an_editor: User) -> None:  # type: ignore[no-untyped-def]
    event = incident.events.get(text="looking at logs")
    moved = (event.occurred_at - timedelta(minutes=1)).replace(second=7, microsecond=0)
    new_time = moved.strftime("%Y-%m-%dT%H:%M:%S")
    _login(an_editor).post(_edit_url(event), _as_shown(event, occurred_at=new_time))
    assert TimelineEvent.objects.get(pk=event.pk).occurred_at == moved


def test_a_stale_form_is_refused_and_the_other_change_survives(incident, an_editor: User) -> None:  # type: ignore[no-untyped-def]
    event = incident.events.get(text="looking at logs")
    opened = _as_shown(event, text="looking at auth logs")
    revise_event(event=event, by=an_editor, is_key=True)  # someone else, meanwhile
    page = _login(an_editor).post(_edit_url(event), opened)
    assert page.status_code == 200
    assert "Someone changed this event after you opened it; nothing was saved." in (
        page.content.decode()
    )
    after = TimelineEvent.objects.get(pk=event.pk)
    assert (after.text, after.is_key) == ("looking at logs", True)
