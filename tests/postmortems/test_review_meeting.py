"""The review meeting: suggested people, a slot inside the due window, an .ics invite whose
UID survives re-sends, sent by e-mail through the outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import icalendar
import pytest
from django.test import Client

from hindsight.accounts.models import Role, User
from hindsight.catalog.models import Service
from hindsight.core.meeting import Attendee, size_warning
from hindsight.outbox.models import Delivery
from hindsight.outbox.services import deliver_due
from hindsight.postmortems import meeting, services
from hindsight.postmortems.models import PostMortem, ReviewMeeting

from ..statuspage.conftest import smtp_server  # noqa: F401  (a real SMTP server on loopback)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(draft: PostMortem, an_editor: User) -> list[User]:
    """The commander (ed-editor), a responder who acted, and the owner of checkout-api."""
    an_editor.email = "ed@example.com"
    an_editor.save()
    sam = User.objects.create_user(  # "Sam" rolled back the release on the timeline
        username="sam", password="pw", role=Role.RESPONDER, email="sam@example.com"
    )
    owner = User.objects.create_user(
        username="olga", password="pw", role=Role.RESPONDER, email="olga@example.com"
    )
    incident = draft.incident
    incident.services.add(
        Service.objects.create(name="Checkout API", slug="checkout-api", owner_team="olga")
    )
    return [an_editor, sam, owner]


def inside(postmortem: PostMortem) -> Any:
    opens, _ = meeting.due_window(postmortem)
    return opens + timedelta(hours=2)


def send(postmortem: PostMortem, editor: User, start: Any, names: list[str]) -> ReviewMeeting:
    return meeting.schedule(
        postmortem=postmortem, start=start, minutes=60, usernames=names, actor=editor
    )


def event_of(data: bytes) -> Any:
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    return event


def test_it_suggests_the_timelines_actors_then_the_service_owners(
    draft: PostMortem, people: list[User]
) -> None:
    found = meeting.suggested_attendees(draft)
    assert [(a.key, a.why) for a in found] == [
        ("ed-editor", "incident commander"),
        ("sam", "acted on the timeline"),
        ("olga", "owns Checkout API"),
    ]


def test_it_warns_above_eight_people() -> None:
    assert size_warning(8) == ""
    assert size_warning(9).startswith("9 people is more than the 8 a review works well with")


def test_the_invite_is_inside_the_due_window_with_people_and_organizer(
    draft: PostMortem, people: list[User], an_editor: User
) -> None:
    start = inside(draft)
    send(draft, an_editor, start, ["sam", "olga"])
    event = event_of(meeting.ics(draft))
    opens, closes = meeting.due_window(draft)
    assert opens <= event["DTSTART"].dt < event["DTEND"].dt <= closes
    assert sorted(str(a) for a in event["ATTENDEE"]) == [
        "mailto:olga@example.com",
        "mailto:sam@example.com",
    ]
    assert str(event["ORGANIZER"]) == "mailto:ed@example.com"


def test_the_uid_stays_the_same_when_the_invite_is_sent_again(
    draft: PostMortem, people: list[User], an_editor: User
) -> None:
    send(draft, an_editor, inside(draft), ["sam"])
    first = event_of(meeting.ics(draft))
    send(draft, an_editor, inside(draft) + timedelta(hours=1), ["sam", "olga"])
    second = event_of(meeting.ics(draft))
    assert (str(first["UID"]), first["SEQUENCE"]) == (f"postmortem-{draft.pk}-review@127.0.0.1", 0)
    assert (str(second["UID"]), second["SEQUENCE"]) == (str(first["UID"]), 1)


def test_an_invite_outside_the_due_window_is_refused_and_nothing_is_sent(
    draft: PostMortem, people: list[User], an_editor: User
) -> None:
    _, closes = meeting.due_window(draft)
    with pytest.raises(services.PostMortemError, match="Pick a time inside the due window"):
        send(draft, an_editor, closes + timedelta(hours=1), ["sam"])
    assert (ReviewMeeting.objects.count(), Delivery.objects.count()) == (0, 0)


def test_the_ics_download_is_a_calendar(draft: PostMortem, the_viewer: User) -> None:
    client = Client()
    client.force_login(the_viewer)
    answer = client.get(f"/postmortems/{draft.pk}/meeting.ics")
    assert answer["Content-Type"].startswith("text/calendar")
    assert (
        str(event_of(answer.content)["SUMMARY"]) == "Post-mortem review: Post-mortem: Checkout 502s"
    )


def test_each_attendee_gets_the_invite_by_email(
    draft: PostMortem,
    people: list[User],
    an_editor: User,
    smtp_server: Any,  # noqa: F811
) -> None:
    send(draft, an_editor, inside(draft), ["sam", "olga"])
    assert deliver_due() == (2, 0)
    mails = sorted(smtp_server.messages, key=lambda m: m["To"])
    attached = [part.get_content_type() for part in mails[0].iter_attachments()]
    assert ([m["To"] for m in mails], attached) == (
        ["olga@example.com", "sam@example.com"],
        ["text/calendar"],
    )


def test_a_suggestion_without_an_address_is_named_as_such(
    draft: PostMortem, an_editor: User
) -> None:
    found = meeting.suggested_attendees(draft)
    assert found[0] == Attendee("ed-editor", "", "incident commander", "ed-editor")


def test_the_workspace_says_why_an_invite_was_not_sent(
    draft: PostMortem, people: list[User], an_editor: User
) -> None:
    client = Client()
    client.force_login(an_editor)
    _, closes = meeting.due_window(draft)
    late = (closes + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(
        f"/postmortems/{draft.pk}/meeting/",
        {"start": late, "minutes": "60", "attendees": ["sam"]},
        follow=True,
    ).content.decode()
    assert "Nothing was sent: Pick a time inside the due window" in page
    assert Delivery.objects.count() == 0
