"""Our /api/v2/ documents have Statuspage's keys and value types, field for field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from hindsight.statuspage import services
from hindsight.statuspage.models import StatusPage

SUMMARY = (
    "statuspage/rapid7__github-status-checker__githubstatus-summary-2020-04-02-major-outage.json"
)
INCIDENT = (
    "statuspage/GitHub-Incident-History__GitHub-Incident-History__incidents_00km0kwpz23b.json"
)
DOCUMENTS = [
    "summary.json",
    "status.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
]


def kind(value: Any) -> str:
    # Statuspage sends null for absent optional values; a null in one sample
    # and a string in another are the same field, so compare the non-null type.
    return "null" if value is None else type(value).__name__


def assert_same_shape(ours: Any, theirs: Any, where: str) -> None:
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), where
        assert set(theirs) <= set(ours), f"{where}: missing {sorted(set(theirs) - set(ours))}"
        for key, value in theirs.items():
            assert_same_shape(ours[key], value, f"{where}.{key}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list), where
        if theirs and ours:
            assert_same_shape(ours[0], theirs[0], f"{where}[0]")
    elif theirs is not None and ours is not None:
        assert kind(ours) == kind(theirs), f"{where}: {kind(ours)} != {kind(theirs)}"


def api(path: str) -> dict[str, Any]:
    response = Client().get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


@pytest.fixture
def an_outage(an_incident, checkout):
    services.post_update(
        incident=an_incident,
        status="investigating",
        message="Errors",
        components={checkout: "major_outage"},
    )
    return an_incident


def test_summary_matches_the_corpus_shape(an_outage, corpus_dir: Path):
    theirs = json.loads((corpus_dir / SUMMARY).read_text())
    ours = api("/api/v2/summary.json")
    assert list(ours) == list(theirs)
    assert_same_shape(ours, theirs, "summary")
    members = [c for c in ours["components"] if not c["group"]]
    assert set(members[0]) == set(theirs["components"][0]) | {"start_date"}
    assert ours["status"] == {"indicator": "critical", "description": "Major System Outage"}
    assert ours["incidents"][0]["name"] == "Checkout errors"
    assert ours["incidents"][0]["impact"] == "major"


def test_incident_matches_the_corpus_shape_field_for_field(an_outage, corpus_dir: Path):
    theirs = json.loads((corpus_dir / INCIDENT).read_text())["incident"]
    ours = api("/api/v2/incidents.json")["incidents"][0]
    assert set(ours) == set(theirs)
    assert set(ours["incident_updates"][0]) == set(theirs["incident_updates"][0])
    assert_same_shape(ours, theirs, "incident")
    affected = ours["incident_updates"][0]["affected_components"]
    assert affected == [
        {
            "code": affected[0]["code"],
            "name": "Checkout",
            "old_status": "operational",
            "new_status": "major_outage",
        }
    ]
    assert ours["created_at"].endswith("Z") and len(ours["created_at"]) == 24


def test_groups_are_components_with_their_members(a_page):
    components = api("/api/v2/components.json")["components"]
    shop = next(c for c in components if c["group"])
    members = [c for c in components if c["group_id"] == shop["id"]]
    assert shop["name"] == "Shop"
    assert shop["components"] == [c["id"] for c in members]
    assert [c["name"] for c in members] == ["Checkout", "Search"]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_document_exists_for_the_default_page_and_per_page(a_page, name):
    StatusPage.objects.create(slug="partners", title="Partners")
    root = api(f"/api/v2/{name}")
    assert root["page"]["id"] == "acme"
    assert api(f"/status/api/v2/{name}") == root
    assert api(f"/status/partners/api/v2/{name}")["page"]["id"] == "partners"
    assert Client().get(f"/status/nosuch/api/v2/{name}").status_code == 404


def test_unresolved_and_maintenance_lists(an_outage, a_page):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    services.schedule_maintenance(
        page=a_page,
        title="Later",
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=1),
    )
    services.schedule_maintenance(
        page=a_page,
        title="Now",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
    )
    assert [i["name"] for i in api("/api/v2/incidents/unresolved.json")["incidents"]] == [
        "Checkout errors"
    ]
    upcoming = api("/api/v2/scheduled-maintenances/upcoming.json")["scheduled_maintenances"]
    active = api("/api/v2/scheduled-maintenances/active.json")["scheduled_maintenances"]
    assert [m["name"] for m in upcoming] == ["Later"]
    assert [(m["name"], m["status"]) for m in active] == [("Now", "in_progress")]
    assert upcoming[0]["scheduled_for"].endswith("Z")
    services.post_update(incident=an_outage, status="resolved", message="ok")
    assert api("/api/v2/incidents/unresolved.json")["incidents"] == []


def test_the_ninja_api_is_still_mounted_beside_v2(a_page):
    assert Client().get("/api/incidents/").status_code == 401


def test_one_incident_matches_the_corpus_document_key_by_key(an_outage, corpus_dir: Path):
    theirs = json.loads((corpus_dir / INCIDENT).read_text())

    ours = api(f"/api/v2/incidents/{an_outage.pk}.json")

    assert list(ours) == list(theirs) == ["page", "incident"]
    assert list(ours["page"]) == list(theirs["page"])
    assert list(ours["incident"]) == list(theirs["incident"])
    assert_same_shape(ours, theirs, "incidents/{id}")
    assert (ours["incident"]["id"], ours["incident"]["name"]) == (
        str(an_outage.pk),
        "Checkout errors",
    )


def test_one_incident_is_the_one_in_the_list(an_outage):
    listed = api("/api/v2/incidents.json")["incidents"][0]

    assert api(f"/api/v2/incidents/{an_outage.pk}.json")["incident"] == listed


def test_an_incident_the_page_does_not_show_is_a_404(a_page, an_incident):
    # Declared but never posted to the page: not public.
    answer = Client().get(f"/api/v2/incidents/{an_incident.pk}.json")

    assert answer.status_code == 404


def test_one_maintenance_has_the_list_entry_under_its_own_key(a_page):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    maintenance = services.schedule_maintenance(
        page=a_page,
        title="Database upgrade",
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=1),
    )

    ours = api(f"/api/v2/scheduled-maintenances/m{maintenance.pk}.json")

    assert list(ours) == ["page", "scheduled_maintenance"]
    listed = api("/api/v2/scheduled-maintenances.json")["scheduled_maintenances"][0]
    assert ours["scheduled_maintenance"] == listed
    assert ours["scheduled_maintenance"]["name"] == "Database upgrade"


def test_the_snapshot_holds_each_recent_incident(an_outage, a_page, tmp_path, settings):
    from hindsight.statuspage import snapshot

    settings.DATA_DIR = tmp_path
    snapshot.publish_snapshot(a_page)

    written = tmp_path / "statuspage" / "acme" / "api" / "v2" / "incidents" / f"{an_outage.pk}.json"
    assert json.loads(written.read_bytes()) == api(f"/api/v2/incidents/{an_outage.pk}.json")
