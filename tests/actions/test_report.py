"""The monthly follow-up report against figures worked out by hand on a fixed data set.

March 2026, seen from its last day (the 31st). The items:

| item | team       | created | due     | status (closed at)       |
|------|------------|---------|---------|--------------------------|
| a    | payments   | Feb 10  | Mar 05  | done Mar 04              |
| b    | payments   | Feb 10  | Mar 20  | done Apr 02 (after)      |
| c    | payments   | Mar 01  | Mar 10  | open                     |
| d    | search     | Mar 02  | Mar 25  | won't do Mar 03          |
| e    | search     | Mar 03  | Apr 15  | open                     |
| f    | (no team)  | Jan 05  | Feb 01  | done Mar 15              |
| g    | search     | Apr 02  | Apr 10  | open (created after)     |

- open at the end: b (closed after the month), c, e → 3
- overdue (due before Mar 31, still open): b (due Mar 20), c (Mar 10) → 2
- done in March: a, f → 2
- due in March, won't-do left out: a, b, c → 3; done by the end: a → 33 %
- debt: payments open 2 (b, c), overdue 2, days 11 + 21 = 32; search open 1 (e), 0, 0.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.actions import report
from hindsight.catalog.models import Service
from hindsight.incidents.services import declare_incident

from .conftest import item

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, 0, tzinfo=UTC)


@pytest.fixture
def march(db: None) -> None:
    pay = Service.objects.create(name="Checkout", slug="checkout", owner_team="payments")
    find = Service.objects.create(name="Search", slug="search", owner_team="search")
    payments = declare_incident(title="Checkout 502s", services=[pay])
    search = declare_incident(title="Search slow", services=[find])
    loose = declare_incident(title="Odd one")
    rows = [
        ("a", payments, (2, 10), (3, 5), "done", (3, 4)),
        ("b", payments, (2, 10), (3, 20), "done", (4, 2)),
        ("c", payments, (3, 1), (3, 10), "open", None),
        ("d", search, (3, 2), (3, 25), "wont_do", (3, 3)),
        ("e", search, (3, 3), (4, 15), "open", None),
        ("f", loose, (1, 5), (2, 1), "done", (3, 15)),
        ("g", search, (4, 2), (4, 10), "open", None),
    ]
    for title, incident, created, due, status, closed in rows:
        item(
            incident,
            title,
            created_at=_at(*created),
            due_date=date(2026, *due),
            status=status,
            completed_at=_at(*closed) if closed else None,
        )


def test_open_at_the_end_of_the_month(march: None) -> None:
    assert report.monthly(month=MARCH).open == 3


def test_overdue_at_the_end_of_the_month(march: None) -> None:
    assert report.monthly(month=MARCH).overdue == 2


def test_done_this_month(march: None) -> None:
    assert report.monthly(month=MARCH).done == 2


def test_completion_rate_of_the_items_due_this_month(march: None) -> None:
    figures = report.monthly(month=MARCH)
    assert (figures.due, figures.done_of_due, figures.completion_rate) == (3, 1, 33)


def test_post_mortem_debt_by_team(march: None) -> None:
    teams = [(t.team, t.open, t.overdue, t.overdue_days) for t in report.monthly(month=MARCH).teams]
    assert teams == [("payments", 2, 2, 32), ("search", 1, 0, 0)]


def test_the_csv_has_the_same_figures(march: None) -> None:
    lines = report.as_csv(report.monthly(month=MARCH)).splitlines()
    assert lines == [
        "month,team,open,overdue,overdue_days,done,due,completion_rate",
        "2026-03,all,3,2,,2,3,33",
        "2026-03,payments,2,2,32,,,",
        "2026-03,search,1,0,0,,,",
    ]


def test_the_page_shows_the_figures(march: None, the_viewer: User) -> None:
    client = Client()
    client.force_login(the_viewer)
    page = client.get("/actions/report/", {"month": "2026-03"}).content.decode()
    assert '<dd id="fig-open">3</dd>' in page and '<dd id="fig-rate">33 %</dd>' in page


def test_a_month_that_is_no_month_is_a_clear_400(the_viewer: User) -> None:
    client = Client()
    client.force_login(the_viewer)
    reply = client.get("/actions/report.csv", {"month": "March"})
    assert (reply.status_code, reply.content.decode()) == (
        400,
        "month must be written YYYY-MM, e.g. 2026-03.",
    )
