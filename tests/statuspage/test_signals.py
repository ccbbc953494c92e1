"""Changes made anywhere (admin, other apps) queue a snapshot rewrite with their
transaction; the worker's ``statuspage-publish`` job does it.

These tests commit for real (transactional_db), as a request would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.db.models import F

from hindsight.catalog.models import Component
from hindsight.runner.services import run_now
from hindsight.statuspage import services, snapshot
from hindsight.statuspage.models import PublishRequest

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


def publish() -> None:
    """What the worker does within a second of the commit."""
    run_now(name="statuspage-publish")


def test_a_component_changed_elsewhere_queues_one_publish_per_transaction(
    data_dir, a_page, checkout, publishes
):
    publish()
    assert "All Systems Operational" in index_html(data_dir)
    publishes.clear()
    with transaction.atomic():
        checkout.status = "major_outage"
        checkout.save()
        Component.objects.create(name="Extra")
    assert PublishRequest.objects.count() == 1
    publish()
    assert publishes == [set()]  # one publish, page-wide documents only
    assert "Major System Outage" in index_html(data_dir)
    assert not PublishRequest.objects.exists()


def test_an_update_republishes_its_incident_page(data_dir, an_incident, checkout, publishes):
    publish()  # the page's own setup
    services.post_update(
        incident=an_incident,
        status="identified",
        message="First words",
        components={checkout: "partial_outage"},
    )
    publish()
    page_file = data_dir / "statuspage" / "acme" / "incidents" / str(an_incident.pk) / "index.html"
    assert "First words" in page_file.read_text()
    assert publishes[-1] == {an_incident.pk}
    an_incident.restricted = True
    an_incident.save()
    publish()
    assert not page_file.exists()  # no longer public: its page is gone from the snapshot
    assert "Checkout errors" not in index_html(data_dir)


def test_a_rolled_back_change_queues_nothing_and_blocks_nothing(
    data_dir, a_page, checkout, publishes
):
    publish()
    publishes.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        checkout.status = "major_outage"
        checkout.save()
        raise RuntimeError("rolled back")
    assert not PublishRequest.objects.exists()
    checkout.refresh_from_db()
    checkout.status = "partial_outage"
    checkout.save()
    publish()
    assert publishes == [set()]
    assert "Partial System Outage" in index_html(data_dir)


def test_a_failed_publish_is_kept_with_its_error_and_retried(
    data_dir, a_page, checkout, monkeypatch
):
    def broken(*, incident_ids: Any = None) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(snapshot, "publish_all", broken)
    checkout.status = "major_outage"
    checkout.save()
    publish()
    kept = set(PublishRequest.objects.values_list("attempts", "last_error", "lease_owner"))
    assert kept == {(1, "OSError: disk full", "")}
    monkeypatch.undo()
    PublishRequest.objects.update(next_attempt_at=F("created_at"))  # the back-off is over
    publish()
    assert not PublishRequest.objects.exists()
    assert "Major System Outage" in index_html(data_dir)
