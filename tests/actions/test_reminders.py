"""Reminder schedules on a fixed clock: what is written to the outbox, and only once."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail

from hindsight.accounts.models import User
from hindsight.actions.models import ReminderPreference
from hindsight.actions.reminders import send_reminders
from hindsight.incidents.models import Incident
from hindsight.outbox.models import Delivery
from hindsight.outbox.services import deliver_due

from .conftest import item

pytestmark = pytest.mark.django_db
WEDNESDAY = date(2026, 3, 18)  # ISO week 12


@pytest.fixture
def rita(a_responder: User) -> User:
    a_responder.email = "rita@example.com"
    a_responder.save()
    ReminderPreference.objects.create(user=a_responder, weekly_digest=False)
    return a_responder


def _subjects() -> list[str]:
    return sorted(d.payload["subject"] for d in Delivery.objects.all())


def test_an_item_due_within_the_chosen_days_gets_one_reminder(
    incident: Incident, rita: User
) -> None:
    item(incident, "Alert on 502s", owner=rita, due_date=date(2026, 3, 20))
    send_reminders(today=WEDNESDAY)
    assert _subjects() == ["Action item is due soon: Alert on 502s"]


def test_an_item_due_later_than_the_chosen_days_gets_none_yet(
    incident: Incident, rita: User
) -> None:
    item(incident, "Alert on 502s", owner=rita, due_date=date(2026, 3, 21))
    assert send_reminders(today=WEDNESDAY) == 0


def test_an_overdue_item_gets_one_reminder_however_often_the_job_runs(
    incident: Incident, rita: User
) -> None:
    item(incident, "Alert on 502s", owner=rita, due_date=date(2026, 3, 10))
    for day in (18, 19, 20):
        send_reminders(today=date(2026, 3, day))
    assert _subjects() == ["Action item is overdue: Alert on 502s"]


def test_moving_the_due_date_reminds_again_for_the_new_date(incident: Incident, rita: User) -> None:
    late = item(incident, "Alert on 502s", owner=rita, due_date=date(2026, 3, 10))
    send_reminders(today=WEDNESDAY)
    late.due_date = date(2026, 3, 15)
    late.save()
    send_reminders(today=WEDNESDAY)
    assert len(_subjects()) == 2


def test_someone_who_turned_reminders_off_gets_none(incident: Incident, rita: User) -> None:
    ReminderPreference.objects.filter(user=rita).update(days_before=0, after_due=False)
    item(incident, "Soon", owner=rita, due_date=date(2026, 3, 19))
    item(incident, "Late", owner=rita, due_date=date(2026, 3, 1))
    assert send_reminders(today=WEDNESDAY) == 0


def test_a_done_item_is_never_reminded(incident: Incident, rita: User) -> None:
    item(incident, "Done", owner=rita, due_date=date(2026, 3, 1), status="done")
    assert send_reminders(today=WEDNESDAY) == 0


def test_the_weekly_digest_goes_once_per_week_with_every_open_item(
    incident: Incident, rita: User
) -> None:
    ReminderPreference.objects.filter(user=rita).update(
        weekly_digest=True, days_before=0, after_due=False
    )
    item(incident, "One", owner=rita)
    item(incident, "Two", owner=rita, due_date=date(2026, 5, 1))
    for day in (16, 18, 22, 23):  # Monday, Wednesday, Sunday of week 12; Monday of week 13
        send_reminders(today=date(2026, 3, day))
    assert _subjects() == ["Your open action items: 2", "Your open action items: 2"]


def test_the_monthly_report_goes_to_those_who_asked_with_its_csv(
    incident: Incident, rita: User
) -> None:
    ReminderPreference.objects.filter(user=rita).update(monthly_report=True)
    send_reminders(today=date(2026, 4, 1))
    send_reminders(today=date(2026, 4, 2))
    deliver_due()
    (sent,) = mail.outbox
    assert (sent.subject, sent.attachments[0][0]) == (
        "Action items follow-up report: March 2026",
        "action-items-2026-03.csv",
    )


def test_the_reminder_email_links_to_the_item(incident: Incident, rita: User) -> None:
    due = item(incident, "Alert on 502s", owner=rita, due_date=date(2026, 3, 20))
    send_reminders(today=WEDNESDAY)
    deliver_due()
    assert f"/actions/{due.pk}/" in mail.outbox[0].body


def test_preferences_are_saved_from_the_page(rita: User) -> None:
    from django.test import Client

    client = Client()
    client.force_login(rita)
    client.post("/actions/reminders/", {"days_before": "5", "weekly_digest": "on"})
    pref = ReminderPreference.objects.get(user=rita)
    assert (pref.days_before, pref.after_due, pref.weekly_digest, pref.monthly_report) == (
        5,
        False,
        True,
        False,
    )


def test_a_bad_number_of_days_is_refused_and_keeps_the_old_choice(rita: User) -> None:
    from django.test import Client

    client = Client()
    client.force_login(rita)
    reply = client.post("/actions/reminders/", {"days_before": "soon"}, follow=True)
    assert "days before must be a whole number, 0 to 60" in reply.content.decode()
    assert ReminderPreference.objects.get(user=rita).days_before == 2


def test_a_reminder_says_how_long_in_the_one_duration_format(
    incident: Incident, rita: User
) -> None:
    item(incident, "Alert on 502s", owner=rita, due_date=date(2026, 3, 15))
    item(incident, "Add a canary", owner=rita, due_date=date(2026, 3, 20))
    send_reminders(today=WEDNESDAY)
    bodies = " ".join(str(d.payload) for d in Delivery.objects.all())
    assert "Alert on 502s — overdue by 3 d" in bodies
    assert "Add a canary — due 2026-03-20 (in 2 d)" in bodies
