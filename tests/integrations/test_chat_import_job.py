"""Uploaded chat exports: stored by the request, imported by the worker, progress on a page."""

from __future__ import annotations

import json
import shutil
import tracemalloc
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.incidents.models import EventKind, Incident
from hindsight.incidents.services import declare_incident
from hindsight.integrations.chat import uploads
from hindsight.integrations.models import ChatImport, ChatImportPart
from hindsight.runner.registry import registered
from hindsight.runner.services import run_now

CHANNEL = "B75B4C7"


@pytest.fixture
def incident(db: None) -> Incident:
    return declare_incident(title="Chat import")


@pytest.fixture
def archive(corpus_dir: Path, tmp_path: Path) -> Path:
    export = corpus_dir / "chat" / "rusq__slackdump__source_export_dir"
    return Path(shutil.make_archive(str(tmp_path / "export"), "zip", export))


@pytest.fixture
def browser(a_responder: User) -> Client:
    client = Client()
    client.force_login(a_responder)
    return client


def upload(browser: Client, incident: Incident, path: Path, **fields: str) -> ChatImport:
    with path.open("rb") as handle:
        response = browser.post(
            reverse("chat:import_slack", args=[incident.pk]),
            # The exports are older than the incident: outside its own window.
            {"export": handle, "channel": CHANNEL, "outside_window": "on", **fields},
        )
    chat_import = ChatImport.objects.get()
    assert response["Location"] == reverse(
        "chat:import_progress", args=[incident.pk, chat_import.pk]
    )
    return chat_import


def page(browser: Client, chat_import: ChatImport, **headers: str) -> str:
    url = reverse("chat:import_progress", args=[chat_import.incident_id, chat_import.pk])
    response = browser.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def chat_count(incident: Incident) -> int:
    return incident.events.filter(kind=EventKind.CHAT_MESSAGE).count()


def test_the_import_is_a_job_of_the_runner() -> None:
    assert uploads.JOB in {job.name for job in registered()}


def test_the_request_stores_the_upload_and_imports_nothing(browser, incident, archive):
    chat_import = upload(browser, incident, archive, start="2025-01-10", end="2025-01-11")
    assert chat_count(incident) == 0
    assert chat_import.state == "waiting"
    stored = b"".join(ChatImportPart.objects.values_list("data", flat=True))
    assert stored == archive.read_bytes()
    assert "Waiting for a worker" in page(browser, chat_import)


def test_the_worker_imports_it_and_the_page_shows_the_result(browser, incident, archive):
    chat_import = upload(browser, incident, archive, start="2025-01-10", end="2025-01-11")
    assert run_now(name=uploads.JOB) == 1
    assert chat_count(incident) == 10
    assert "Imported 10 chat messages from 2 day-files (0 were already on the timeline)." in page(
        browser, chat_import
    )
    assert not ChatImportPart.objects.exists(), "the stored upload is deleted once imported"


def test_the_page_polls_while_it_runs_and_stops_when_done(browser, incident, archive):
    chat_import = upload(browser, incident, archive)
    waiting = page(browser, chat_import, HX_Request="true")
    assert waiting.startswith('<section class="card import-progress"')
    assert 'hx-trigger="every 1s"' in waiting
    run_now(name=uploads.JOB)
    assert "hx-trigger" not in page(browser, chat_import, HX_Request="true")


def test_progress_is_written_on_the_row_as_it_goes(browser, incident, archive, monkeypatch):
    chat_import = upload(browser, incident, archive)
    seen = []
    real = uploads.import_slack_export

    def watched(**options):  # type: ignore[no-untyped-def]
        report = options["progress"]

        def spy(*progress):  # type: ignore[no-untyped-def]
            report(*progress)
            row = ChatImport.objects.get(pk=chat_import.pk)
            seen.append((row.state, row.phase, row.files_done, row.files_total, row.messages))

        return real(**{**options, "progress": spy})

    monkeypatch.setattr(uploads, "import_slack_export", watched)
    run_now(name=uploads.JOB)
    assert ("running", "checking", 1, 4, 2) in seen
    assert seen[-1] == ("running", "importing", 4, 4, 13)


def test_a_bad_export_fails_with_the_problems_listed_and_imports_nothing(
    browser, incident, corpus_dir, tmp_path
):
    broken = tmp_path / "broken"
    shutil.copytree(corpus_dir / "chat" / "rusq__slackdump__source_export_dir", broken)
    day = broken / CHANNEL / "2025-01-11.json"
    messages = json.loads(day.read_text())
    for message in messages[3:6]:
        del message["ts"]
    day.write_text(json.dumps(messages))
    chat_import = upload(browser, incident, Path(shutil.make_archive(str(broken), "zip", broken)))
    run_now(name=uploads.JOB)
    chat_import.refresh_from_db()
    assert chat_import.state == "failed"
    assert chat_import.error.startswith(
        "3 problems: B75B4C7/2025-01-11.json message 4: message has no valid 'ts' (None); "
    )
    assert "Nothing was imported: 3 problems" in page(browser, chat_import)
    assert chat_count(incident) == 0
    assert not ChatImportPart.objects.exists()


def test_an_import_a_dead_worker_held_is_taken_over(browser, incident, archive):
    chat_import = upload(browser, incident, archive)
    ChatImport.objects.filter(pk=chat_import.pk).update(
        state="running", lease_owner="killed", lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert run_now(name=uploads.JOB) == 1
    chat_import.refresh_from_db()
    assert (chat_import.state, chat_import.imported) == ("done", 13)


def test_another_worker_does_not_take_an_import_still_leased(browser, incident, archive):
    chat_import = upload(browser, incident, archive)
    ChatImport.objects.filter(pk=chat_import.pk).update(
        state="running", lease_owner="alive", lease_until=timezone.now() + timedelta(minutes=1)
    )
    assert run_now(name=uploads.JOB) == 0
    assert chat_count(incident) == 0


def test_the_viewer_sees_the_progress_but_cannot_upload(incident, archive, the_viewer, browser):
    chat_import = upload(browser, incident, archive)
    viewer = Client()
    viewer.force_login(the_viewer)
    assert "Waiting for a worker" in page(viewer, chat_import)
    with archive.open("rb") as handle:
        refused = viewer.post(
            reverse("chat:import_slack", args=[incident.pk]), {"export": handle, "channel": "x"}
        )
    assert refused.status_code == 403
    assert ChatImport.objects.count() == 1


def _zip_bomb(path: Path) -> Path:
    """About 1 MB on disk; its one day-file unpacks to 1 GB of JSON whitespace."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.json", "[]")
        archive.writestr("channels.json", json.dumps([{"id": "C1", "name": "general"}]))
        with archive.open("general/2024-05-01.json", "w", force_zip64=True) as day:
            day.write(b"[")
            block = b" " * (1 << 20)
            for _ in range(1024):
                day.write(block)
            day.write(b"]")
    return path


def test_a_zip_bomb_fails_with_a_clear_error_and_bounded_memory(browser, incident, tmp_path):
    bomb = _zip_bomb(tmp_path / "bomb.zip")
    assert bomb.stat().st_size < 1.5 * 1024 * 1024
    tracemalloc.start()
    try:
        with bomb.open("rb") as handle:
            browser.post(
                reverse("chat:import_slack", args=[incident.pk]),
                {"export": handle, "channel": "general", "outside_window": "on"},
            )
        run_now(name=uploads.JOB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * 1024 * 1024, f"peak {peak} bytes while the bomb unpacks to 1 GiB"
    chat_import = ChatImport.objects.get()
    assert chat_import.state == "failed"
    assert (
        "Nothing was imported: general/2024-05-01.json: larger than 33554432 bytes; not imported"
        in page(browser, chat_import)
    )
    assert chat_count(incident) == 0


def test_the_incident_page_links_to_its_recent_imports(browser, incident, archive):
    chat_import = upload(browser, incident, archive)
    run_now(name=uploads.JOB)
    html = browser.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    url = reverse("chat:import_progress", args=[incident.pk, chat_import.pk])
    assert f'<a href="{url}">export.zip (' in html
    assert "— Imported</li>" in html


def test_a_window_given_as_times_reaches_the_importer(incident, archive, a_responder):
    from datetime import UTC, datetime

    uploads.store_upload(
        incident=incident,
        chunks=[archive.read_bytes()],
        filename="export.zip",
        options={
            "channel": CHANNEL,
            "start": datetime(2025, 1, 10, tzinfo=UTC),
            "end": datetime(2025, 1, 12, tzinfo=UTC),
        },
        requested_by=a_responder,
    )
    run_now(name=uploads.JOB)
    assert chat_count(incident) == 10


def test_a_stopping_worker_puts_the_import_back_for_the_next_one(browser, incident, archive):
    chat_import = upload(browser, incident, archive)
    reports = []

    def stopped() -> bool:
        reports.append(1)
        return len(reports) > 5  # SIGTERM while it imports

    assert uploads.import_next(worker="w1", stopped=stopped) == 1
    chat_import.refresh_from_db()
    assert (chat_import.state, chat_import.lease_owner) == ("waiting", "")
    assert ChatImportPart.objects.exists(), "the upload is kept for the next worker"
    assert uploads.import_next(worker="w2") == 1
    chat_import.refresh_from_db()
    assert (chat_import.state, chat_import.messages) == ("done", 13)
    assert chat_count(incident) == 13
