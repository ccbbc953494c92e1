"""Similar incidents, each with the reason it is similar; old post-mortems to revisit."""

from __future__ import annotations

from datetime import date

import pytest

from hindsight.incidents.models import IncidentFingerprint
from hindsight.insights.similar import resurfacing, similar_incidents
from hindsight.monitors.models import Monitor

from .conftest import at, body, incident, postmortem

pytestmark = pytest.mark.django_db

EXPIRY = "The gateway certificate expired because renewal was manual."


def reasons(of, user) -> dict[str, str]:
    return {s.incident.title: s.why for s in similar_incidents(incident=of, user=user)}


def test_it_names_the_shared_factor_and_service(an_editor):
    earlier = incident("Payments down in January", services=("checkout",), started=at(1, month=1))
    postmortem(earlier, body=body(EXPIRY))
    now = incident("Orders failing", services=("checkout",), started=at(1))
    postmortem(now, body=body(EXPIRY))
    assert reasons(now, an_editor)["Payments down in January"] == (
        "same factor: certificate expiry; same factor: manual step; same service: Checkout"
    )


def test_it_names_the_shared_monitor(an_editor):
    monitor = Monitor.objects.create(name="Checkout API", target="https://shop.example/health")
    earlier, now = incident("Earlier", started=at(1, month=1)), incident("Now")
    for made, fingerprint in (
        (earlier, f"monitor:{monitor.pk}"),
        (now, f"monitor:{monitor.pk}:tls"),
    ):
        IncidentFingerprint.objects.create(
            incident=made, fingerprint=fingerprint, source="monitor", active=False
        )
    assert reasons(now, an_editor) == {"Earlier": "same monitor: Checkout API"}


def test_it_names_the_shared_alert(an_editor):
    earlier, now = incident("Earlier", started=at(1, month=1)), incident("Now")
    for made in (earlier, now):
        IncidentFingerprint.objects.create(
            incident=made, fingerprint="alertmanager:disk-full", source="alertmanager", active=False
        )
    assert reasons(now, an_editor) == {"Earlier": "same alert: alertmanager:disk-full"}


def test_it_finds_an_incident_that_reads_alike(an_editor):
    incident("Kafka consumer lag on orders", started=at(1, month=1))
    incident("Printer out of paper", started=at(2, month=1))
    now = incident("Orders delayed by Kafka consumer lag")
    assert reasons(now, an_editor) == {
        "Kafka consumer lag on orders": "similar words: orders, kafka, consumer, lag"
    }


def test_it_ranks_a_shared_factor_above_a_shared_service(an_editor):
    same_service = incident("A", services=("checkout",), started=at(3, month=2))
    same_factor = incident("B", services=("search",), started=at(1, month=2))
    postmortem(same_factor, body=body(EXPIRY))
    postmortem(same_service, body=body("Nothing we know of."))
    now = incident("C", services=("checkout",))
    postmortem(now, body=body(EXPIRY))
    assert [s.incident.title for s in similar_incidents(incident=now, user=an_editor)] == ["B", "A"]


def test_it_leaves_out_similar_incidents_the_viewer_cannot_open(the_viewer):
    incident("Secret", services=("checkout",), restricted=True, started=at(1, month=1))
    now = incident("Now", services=("checkout",))
    assert similar_incidents(incident=now, user=the_viewer) == []


def test_it_shows_the_reasons_on_the_incident_page(client, the_viewer):
    incident("Earlier outage", services=("checkout",), started=at(1, month=1))
    now = incident("Now", services=("checkout",))
    client.force_login(the_viewer)
    page = client.get(f"/incidents/{now.pk}/").content.decode()
    assert "Similar incidents" in page and "same service: Checkout" in page


def test_it_resurfaces_a_postmortem_from_this_day_in_an_earlier_year(an_editor):
    old = postmortem(incident("Black Friday overload", started=at(27, month=11, year=2024)))
    postmortem(incident("Unrelated", started=at(3, month=11, year=2024)))
    found = resurfacing(include_restricted=True, today=date(2026, 11, 27))
    assert [(r.postmortem.pk, r.why) for r in found] == [(old.pk, "on this day 2 years ago")]


def test_it_resurfaces_no_restricted_postmortem_for_everyone_else():
    postmortem(incident("Secret", started=at(27, month=11, year=2024), restricted=True))
    assert resurfacing(include_restricted=False, today=date(2026, 11, 27)) == []


def test_it_resurfaces_a_postmortem_from_six_months_ago(an_editor):
    old = postmortem(incident("Half a year", started=at(1, month=6, year=2026)))
    found = resurfacing(include_restricted=True, today=date(2026, 11, 30))
    assert [(r.postmortem.pk, r.why) for r in found] == [(old.pk, "six months ago this week")]
