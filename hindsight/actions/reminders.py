"""Reminders about action items, by email through the outbox.

``plan`` decides (a pure function of the items, the preferences and the day)
which reminders are due; ``send_reminders`` writes each one to the outbox once,
guarded by a unique key in ``ReminderSent``, so the job may run as often as it
likes, on several workers, and after missed days:

- before: an open item due within the owner's ``days_before`` days (once per due date);
- after: an open item past its due date (once per due date);
- digest: each owner's open items, once per ISO week (the first run of the week);
- report: the monthly follow-up report (once per month, for the month before),
  to those who asked for it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.actions import report
from hindsight.actions.filters import OPEN
from hindsight.actions.models import ActionItem, ReminderPreference, ReminderSent
from hindsight.core.durations import format_duration
from hindsight.outbox.mail import enqueue_email

log = logging.getLogger(__name__)

DEFAULT = ReminderPreference(
    days_before=2, after_due=True, weekly_digest=True, monthly_report=False
)


@dataclass
class Reminder:
    key: str
    kind: str  # before | after | digest | report
    user: User
    items: list[ActionItem] = field(default_factory=list)
    month: date | None = None


def preference(user: User, prefs: Mapping[int, ReminderPreference]) -> ReminderPreference:
    return prefs.get(user.pk, DEFAULT)


def plan(
    *,
    items: Iterable[ActionItem],
    prefs: Mapping[int, ReminderPreference],
    people: Iterable[User],
    today: date,
) -> list[Reminder]:
    """The reminders due today (before the ones already sent are taken out)."""
    due: list[Reminder] = []
    mine: dict[int, list[ActionItem]] = defaultdict(list)
    for item in items:
        owner = item.owner
        if owner is None or not owner.is_active or item.status not in OPEN:
            continue
        mine[owner.pk].append(item)
        if item.due_date is None:
            continue
        pref = preference(owner, prefs)
        left = (item.due_date - today).days
        if 0 <= left <= pref.days_before and pref.days_before > 0:
            due.append(Reminder(f"before:{item.pk}:{item.due_date}", "before", owner, [item]))
        elif left < 0 and pref.after_due:
            due.append(Reminder(f"after:{item.pk}:{item.due_date}", "after", owner, [item]))
    year, week, _ = today.isocalendar()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    for person in people:
        pref = preference(person, prefs)
        if pref.weekly_digest and mine.get(person.pk):
            key = f"digest:{person.pk}:{year}-W{week:02d}"
            due.append(Reminder(key, "digest", person, mine[person.pk]))
        if pref.monthly_report:
            key = f"report:{person.pk}:{last_month:%Y-%m}"
            due.append(Reminder(key, "report", person, month=last_month))
    return due


def send_reminders(*, today: date | None = None) -> int:
    """Write every due reminder not yet sent to the outbox; return how many were written."""
    today = today or timezone.localdate()
    people = list(User.objects.filter(is_active=True).exclude(email=""))
    prefs = {p.user_id: p for p in ReminderPreference.objects.all()}
    items = ActionItem.objects.filter(status__in=OPEN, owner__isnull=False).select_related(
        "owner", "incident"
    )
    written = 0
    for reminder in plan(items=items, prefs=prefs, people=people, today=today):
        if not reminder.user.email:
            continue
        try:
            with transaction.atomic():
                ReminderSent.objects.create(key=reminder.key, user=reminder.user)
                _enqueue(reminder, today)
        except IntegrityError:
            continue  # sent before, or by another worker just now
        written += 1
    if written:
        log.info("reminders: %s written to the outbox", written)
    return written


def _link(item: ActionItem) -> str:
    return f"{settings.BASE_URL.rstrip('/')}/actions/{item.pk}/"


def _line(item: ActionItem, today: date) -> str:
    due = ""
    if item.due_date:
        left = item.due_date - today
        if left.days < 0:
            due = f"overdue by {format_duration(-left)}"
        else:
            due = f"due {item.due_date} ({f'in {format_duration(left)}' if left else 'today'})"
    return f"- [{item.priority}] {item.title} — {due or 'no due date'}\n  {_link(item)}"


def _enqueue(reminder: Reminder, today: date) -> None:
    person = reminder.user
    hello = f"Hello {person.display_name},\n\n"
    prefs = f"\n\nChange what you are sent: {settings.BASE_URL.rstrip('/')}/actions/reminders/\n"
    if reminder.kind in ("before", "after"):
        (item,) = reminder.items
        verb = "is overdue" if reminder.kind == "after" else "is due soon"
        subject = f"Action item {verb}: {item.title}"
        body = f"{hello}An action item you own {verb}:\n\n{_line(item, today)}{prefs}"
    elif reminder.kind == "digest":
        subject = f"Your open action items: {len(reminder.items)}"
        lines = "\n".join(_line(i, today) for i in reminder.items)
        body = f"{hello}Your open action items this week:\n\n{lines}{prefs}"
    else:
        assert reminder.month is not None
        figures = report.monthly(month=reminder.month)
        subject = f"Action items follow-up report: {reminder.month:%B %Y}"
        body = f"{hello}{report.as_text(figures)}{prefs}"
        enqueue_email(
            to=person.email,
            subject=subject,
            body=body,
            event="actions.report",
            attachment=(
                f"action-items-{reminder.month:%Y-%m}.csv",
                report.as_csv(figures),
                "text/csv",
            ),
        )
        return
    enqueue_email(to=person.email, subject=subject, body=body, event=f"actions.{reminder.kind}")
