"""Changes made anywhere (admin, other apps) republish the snapshot after commit.

These tests commit for real (transactional_db), as a request would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from hindsight.catalog.models import Component
from hindsight.statuspage import services, snapshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def publishes(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    original = snapshot.publish_all

    def counting(*, incident_ids: Any = None) -> None:
        calls.append(incident_ids)
        original(incident_ids=incident_ids)

    monkeypatch.setattr(snapshot, "publish_all", counting)
    return calls


def index_html(data_dir: Path) -> str:
    return (data_dir / "statuspage" / "acme" / "index.html").read_text()


def test_a_component_changed_elsewhere_republishes_once_per_transaction(
    data_dir, a_page, checkout, publishes
):
    assert "All Systems Operational" in index_html(data_dir)
    publishes.clear()
    with transaction.atomic():
        checkout.status = "major_outage"
        checkout.save()
        Component.objects.create(name="Extra")
    assert publishes == [set()]  # one publish, page-wide documents only
    assert "Major System Outage" in index_html(data_dir)


def test_an_update_republishes_its_incident_page(data_dir, an_incident, checkout, publishes):
    services.post_update(
        incident=an_incident,
        status="identified",
        message="First words",
        components={checkout: "partial_outage"},
    )
    page_file = data_dir / "statuspage" / "acme" / "incidents" / str(an_incident.pk) / "index.html"
    assert "First words" in page_file.read_text()
    assert publishes[-1] == {an_incident.pk}
    an_incident.restricted = True
    an_incident.save()
    assert not page_file.exists()  # no longer public: its page is gone from the snapshot
    assert "Checkout errors" not in index_html(data_dir)


def test_a_rolled_back_change_publishes_nothing_and_blocks_nothing(
    data_dir, a_page, checkout, publishes
):
    publishes.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        checkout.status = "major_outage"
        checkout.save()
        raise RuntimeError("rolled back")
    assert publishes == []
    checkout.refresh_from_db()
    checkout.status = "partial_outage"
    checkout.save()
    assert publishes == [set()]
    assert "Partial System Outage" in index_html(data_dir)
