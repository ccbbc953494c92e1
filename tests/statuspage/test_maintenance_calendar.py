"""maintenance.ics: a status page's scheduled maintenance, read back with the icalendar parser."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from icalendar import Calendar

from hindsight.statuspage import services, snapshot
from hindsight.statuspage.models import StatusPage

START = datetime(2030, 3, 4, 22, 0, tzinfo=UTC)


@pytest.fixture
def upgrade(a_page: StatusPage, checkout: Any) -> Any:
    return services.schedule_maintenance(
        page=a_page,
        title="Database upgrade",
        body="Writes pause for a few minutes.",
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        components=[checkout],
    )


def _events(path: str) -> list[Any]:
    answer = Client().get(path)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/calendar; charset=utf-8"
    return list(Calendar.from_ical(answer.content).walk("VEVENT"))


def test_the_feed_holds_each_window_with_its_times_and_details(upgrade: Any) -> None:
    (event,) = _events("/status/maintenance.ics")

    assert str(event["SUMMARY"]) == "Acme status: Database upgrade"
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + timedelta(hours=1)
    assert "Writes pause for a few minutes." in str(event["DESCRIPTION"])
    assert "Affects: Checkout" in str(event["DESCRIPTION"])
    assert str(event["UID"]) == f"maintenance-{upgrade.pk}@127.0.0.1"


def test_each_page_has_its_own_feed(upgrade: Any) -> None:
    StatusPage.objects.create(slug="partners", title="Partners")

    assert _events("/status/partners/maintenance.ics") == []
    assert len(_events("/status/acme/maintenance.ics")) == 1


def test_the_snapshot_serves_the_same_bytes(
    upgrade: Any, a_page: StatusPage, tmp_path: Path, settings: Any
) -> None:
    settings.DATA_DIR = tmp_path
    snapshot.publish_snapshot(a_page)

    written = (tmp_path / "statuspage" / "acme" / "maintenance.ics").read_bytes()

    assert written == Client().get("/status/maintenance.ics").content


def test_the_page_links_to_the_feed(upgrade: Any) -> None:
    page = Client().get("/status/").content.decode()

    assert 'maintenance.ics">Maintenance calendar</a>' in page


def test_the_documented_example_runs() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "statuspage.md").read_text()
    (example,) = [b for b in re.findall(r"```python\n(.*?)```", doc, re.S) if "build_calendar" in b]
    names: dict[str, Any] = {}

    exec(compile(example, "docs/statuspage.md", "exec"), names)

    assert (
        Calendar.from_ical(names["ics"]).walk("VEVENT")[0]["UID"]
        == "maintenance-7@status.example.com"
    )
