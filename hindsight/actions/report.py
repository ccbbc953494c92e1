"""The monthly follow-up report: what was committed, what got done, and who carries the debt.

For a month, seen from its last day (``end``):

- open: items created before the month ended and not closed (done or won't do) by then;
- overdue: open items whose due date is before the last day;
- done: items closed as done during the month;
- completion rate: of the items due during the month (won't-do left out), the share done
  by the end of the month, in whole percent (none when nothing was due);
- post-mortem debt by team: open and overdue items per team (the owner team of the
  incident's services; an incident of two teams counts for both) and the days overdue
  summed over the overdue items.

Computed from the items as they are now: an item reopened after the month counts as
it is now (its history is in the audit log, not here).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from hindsight.actions.models import ActionItem, ActionStatus

NO_TEAM = "(no team)"


@dataclass
class TeamDebt:
    team: str
    open: int = 0
    overdue: int = 0
    overdue_days: int = 0


@dataclass
class MonthlyReport:
    month: date
    open: int = 0
    overdue: int = 0
    done: int = 0
    due: int = 0
    done_of_due: int = 0
    teams: list[TeamDebt] = field(default_factory=list)

    @property
    def completion_rate(self) -> int | None:
        return round(100 * self.done_of_due / self.due) if self.due else None


def month_of(text: str) -> date:
    """The first day of a month written YYYY-MM; ValueError otherwise."""
    year, _, month = text.partition("-")
    return date(int(year), int(month), 1)


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def monthly(*, month: date, items: QuerySet[ActionItem] | None = None) -> MonthlyReport:
    """The report's figures for the month starting on ``month`` (its first day)."""
    month = month.replace(day=1)
    following = _next_month(month)
    start, end = _at(month), _at(following)
    last_day = following - timedelta(days=1)
    found = (ActionItem.objects.all() if items is None else items).filter(created_at__lt=end)
    report = MonthlyReport(month=month)
    teams: dict[str, TeamDebt] = {}
    for item in found.prefetch_related("incident__services"):
        closed = item.is_done and item.completed_at is not None and item.completed_at < end
        done_by_end = closed and item.status == ActionStatus.DONE
        if (
            item.status == ActionStatus.DONE
            and item.completed_at
            and start <= item.completed_at < end
        ):
            report.done += 1
        if (
            item.due_date
            and month <= item.due_date <= last_day
            and item.status != ActionStatus.WONT_DO
        ):
            report.due += 1
            report.done_of_due += done_by_end
        if closed:
            continue
        report.open += 1
        late = item.due_date is not None and item.due_date < last_day
        report.overdue += late
        names = sorted({s.owner_team for s in item.incident.services.all() if s.owner_team})
        for team in names or [NO_TEAM]:
            debt = teams.setdefault(team, TeamDebt(team))
            debt.open += 1
            if late and item.due_date is not None:
                debt.overdue += 1
                debt.overdue_days += (last_day - item.due_date).days
    report.teams = sorted(teams.values(), key=lambda d: (-d.overdue_days, -d.open, d.team))
    return report


def as_text(report: MonthlyReport) -> str:
    rate = (
        f"{report.completion_rate} %" if report.completion_rate is not None else "nothing was due"
    )
    lines = [
        f"Action items, {report.month:%B %Y}",
        "",
        f"Open at the end of the month: {report.open}",
        f"Overdue at the end of the month: {report.overdue}",
        f"Done this month: {report.done}",
        f"Completion rate (due this month, done by its end): {rate}",
        "",
        "Post-mortem debt by team (open · overdue · days overdue):",
    ]
    lines += [f"- {t.team}: {t.open} · {t.overdue} · {t.overdue_days}" for t in report.teams]
    return "\n".join(lines) + "\n"


def as_csv(report: MonthlyReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["month", "team", "open", "overdue", "overdue_days", "done", "due", "completion_rate"]
    )
    rate = "" if report.completion_rate is None else report.completion_rate
    writer.writerow(
        [
            f"{report.month:%Y-%m}",
            "all",
            report.open,
            report.overdue,
            "",
            report.done,
            report.due,
            rate,
        ]
    )
    for team in report.teams:
        writer.writerow(
            [
                f"{report.month:%Y-%m}",
                _no_formula(team.team),
                team.open,
                team.overdue,
                team.overdue_days,
                "",
                "",
                "",
            ]
        )
    return out.getvalue()


def _no_formula(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
