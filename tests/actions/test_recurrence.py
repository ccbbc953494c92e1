"""The recurrence watch links an incident to an earlier one whose fixes were all done."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.actions.models import ActionItem, Recurrence
from hindsight.actions.recurrence import watch
from hindsight.catalog.models import Service
from hindsight.incidents.models import Incident, IncidentFingerprint
from hindsight.incidents.services import declare_incident
from hindsight.monitors.models import Monitor, MonitorIncident
from hindsight.postmortems.models import PostMortem

from .conftest import item

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
EXPIRED = "# Post-mortem\n\n## Root cause analysis\n\n- The gateway TLS certificate expired: renewal failed.\n"


def _incident(title: str, month: int, **kwargs: object) -> Incident:
    return declare_incident(title=title, started_at=datetime(2026, month, 1, tzinfo=UTC), **kwargs)  # type: ignore[arg-type]


def _fingerprint(incident: Incident, value: str) -> IncidentFingerprint:
    return IncidentFingerprint.objects.create(
        incident=incident, fingerprint=value, source="alertmanager", active=False
    )


@pytest.fixture
def fixed_before(db: None) -> Incident:
    """March: checkout 502s, alert fingerprint 'am:checkout-502', both items done."""
    earlier = _incident("Checkout 502s", 3)
    _fingerprint(earlier, "am:checkout-502")
    item(earlier, "Alert on 502s", status="done")
    item(earlier, "Drop the old pool", status="wont_do", wont_do_reason="Pool retired")
    return earlier


def test_the_same_alert_again_links_the_two_incidents(fixed_before: Incident) -> None:
    again = _incident("Checkout 502s again", 6)
    _fingerprint(again, "am:checkout-502")
    watch(now=NOW)
    link = Recurrence.objects.get()
    assert (link.incident, link.earlier, link.reason) == (
        again,
        fixed_before,
        "same alert: am:checkout-502",
    )


def test_the_earlier_done_items_are_marked_recurred(fixed_before: Incident) -> None:
    again = _incident("Checkout 502s again", 6)
    _fingerprint(again, "am:checkout-502")
    watch(now=NOW)
    marked = {i.title: i.recurred_in for i in ActionItem.objects.all()}
    assert marked == {"Alert on 502s": again, "Drop the old pool": None}


def test_both_timelines_say_so(fixed_before: Incident) -> None:
    again = _incident("Checkout 502s again", 6)
    _fingerprint(again, "am:checkout-502")
    watch(now=NOW)
    assert again.events.filter(
        text__startswith=f"This looks like incident #{fixed_before.pk} again"
    ).exists()
    assert fixed_before.events.filter(
        text__startswith=f"The failure came back as incident #{again.pk}"
    ).exists()


def test_running_the_watch_again_links_nothing_twice(fixed_before: Incident) -> None:
    again = _incident("Checkout 502s again", 6)
    _fingerprint(again, "am:checkout-502")
    assert [watch(now=NOW), watch(now=NOW)] == [1, 0]


def test_an_earlier_incident_with_open_items_is_not_a_recurrence(fixed_before: Incident) -> None:
    item(fixed_before, "Still to do")
    again = _incident("Checkout 502s again", 6)
    _fingerprint(again, "am:checkout-502")
    assert watch(now=NOW) == 0


def test_the_same_monitor_links_them(db: None) -> None:
    monitor = Monitor.objects.create(name="Checkout", target="https://shop.example")
    earlier, again = _incident("Down", 3), _incident("Down again", 6)
    for incident, print_ in ((earlier, "monitor:1:a"), (again, "monitor:1:b")):
        MonitorIncident.objects.create(
            monitor=monitor, incident=incident, fingerprint=_fingerprint(incident, print_)
        )
    item(earlier, "Add a second region", status="done")
    watch(now=NOW)
    assert Recurrence.objects.get().reason == "same monitor: Checkout"


def test_the_same_service_and_factor_links_them(db: None) -> None:
    checkout = Service.objects.create(name="Checkout", slug="checkout")
    earlier = _incident("Gateway TLS", 3, services=[checkout])
    again = _incident("Gateway TLS again", 6, services=[checkout])
    for incident in (earlier, again):
        PostMortem.objects.create(incident=incident, title="PM", body=EXPIRED)
    item(earlier, "Automate renewal", status="done")
    watch(now=NOW)
    assert (
        Recurrence.objects.get().reason == "same service (Checkout) and factor: certificate-expiry"
    )


def test_the_board_marks_a_recurred_item(fixed_before: Incident, the_viewer: User) -> None:
    again = _incident("Checkout 502s again", 6)
    _fingerprint(again, "am:checkout-502")
    watch(now=NOW)
    client = Client()
    client.force_login(the_viewer)
    page = client.get("/actions/", {"status": "done"}).content.decode()
    assert '<span class="badge overdue">Recurred</span>' in page
