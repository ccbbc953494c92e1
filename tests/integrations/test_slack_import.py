"""Importing a Slack export: names, threads, skips, windows, re-runs and corrupt exports."""

from __future__ import annotations

import json
import shutil
import tracemalloc
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from hindsight.accounts.models import User
from hindsight.cli import _register, app
from hindsight.incidents.models import EventKind, Incident, TimelineEvent
from hindsight.incidents.services import declare_incident
from hindsight.integrations.chat.importer import import_slack_export
from hindsight.integrations.chat.slack_export import ExportError

CHANNEL = "B75B4C7"


@pytest.fixture
def export(corpus_dir: Path) -> Path:
    return corpus_dir / "chat" / "rusq__slackdump__source_export_dir"


@pytest.fixture
def incident(db: None) -> Incident:
    return declare_incident(title="Chat import")


def _chat(incident: Incident):  # type: ignore[no-untyped-def]
    return incident.events.filter(kind=EventKind.CHAT_MESSAGE).order_by("occurred_at", "id")


def test_it_imports_messages_with_names_and_threads(export: Path, incident: Incident) -> None:
    users = {u["id"]: u for u in json.loads((export / "users.json").read_text())}
    result = import_slack_export(incident=incident, path=export, channel=CHANNEL)
    # 16 messages in 4 day-files; a join, a tombstone and a message without text are left out.
    assert (result.files, result.messages, result.imported) == (4, 13, 13)
    events = list(_chat(incident))
    first = events[0]
    assert first.text == "CYmxt38hm"
    assert first.occurred_at == datetime(2025, 1, 10, 3, 8, 34, 897649, tzinfo=UTC)
    # No display name set: the real name from users.json is used.
    assert first.actor_name == users["UOF82F39AE"]["real_name"] == "kPVTqHcBWssWFAU"
    names = {e.actor_name for e in events}
    assert "YTX35tuC1zyFhKZL" in names  # UOB5F987BF17's display name
    assert first.source == "slack"
    thread = [e.text[:12] for e in events if e.thread_key == "1736478630.905399"]
    assert thread == ["dtUeWsjQpQO8", "V360Tq4QS6YZ", "n3S3KfdGJ6w "]
    texts = {e.text for e in events}
    assert "DazJQoOpCbNj33I 4KA0GFzL93dNQCIsA4VS iK19l" not in texts  # channel_join
    assert not any(t.startswith("aILIU32amo4y") for t in texts)  # tombstone


def test_a_re_run_adds_nothing_and_a_window_limits(export: Path, incident: Incident) -> None:
    window = import_slack_export(
        incident=incident,
        path=export,
        channel=CHANNEL,
        start=date(2025, 1, 11),
        end=date(2025, 1, 18),
    )
    # 2025-01-10 is read too (day-files may be named in another time zone),
    # but its messages are before the window.
    assert (window.files, window.imported) == (3, 9)
    again = import_slack_export(incident=incident, path=export, channel=CHANNEL)
    assert (again.imported, again.already_there) == (4, 9)
    assert import_slack_export(incident=incident, path=export, channel=CHANNEL).imported == 0
    assert _chat(incident).count() == 13


def test_a_zip_export_imports_the_same(export: Path, incident: Incident, tmp_path: Path) -> None:
    archive = Path(shutil.make_archive(str(tmp_path / "export"), "zip", export))
    assert import_slack_export(incident=incident, path=archive, channel=CHANNEL).imported == 13


def _copy(export: Path, tmp_path: Path) -> Path:
    target = tmp_path / "export"
    shutil.copytree(export, target)
    return target


def test_a_truncated_file_is_named_and_nothing_is_imported(
    export: Path, incident: Incident, tmp_path: Path
) -> None:
    broken = _copy(export, tmp_path)
    day = broken / CHANNEL / "2025-01-18.json"
    day.write_bytes(day.read_bytes()[:-40])
    with pytest.raises(ExportError, match=r"B75B4C7/2025-01-18.json: invalid or truncated JSON"):
        import_slack_export(incident=incident, path=broken, channel=CHANNEL)
    assert _chat(incident).count() == 0


def test_a_truncated_zip_imports_nothing(export: Path, incident: Incident, tmp_path: Path) -> None:
    archive = Path(shutil.make_archive(str(tmp_path / "export"), "zip", export))
    archive.write_bytes(archive.read_bytes()[:-300])
    with pytest.raises(ExportError, match="not a readable zip file"):
        import_slack_export(incident=incident, path=archive, channel=CHANNEL)
    assert _chat(incident).count() == 0


def test_a_message_without_ts_is_named(export: Path, incident: Incident, tmp_path: Path) -> None:
    broken = _copy(export, tmp_path)
    day = broken / CHANNEL / "2025-01-24.json"
    messages = json.loads(day.read_text())
    del messages[1]["ts"]
    day.write_text(json.dumps(messages))
    with pytest.raises(ExportError, match=r"2025-01-24.json message 2: message has no valid 'ts'"):
        import_slack_export(incident=incident, path=broken, channel=CHANNEL)
    assert _chat(incident).count() == 0


def test_an_unknown_channel_lists_the_known_ones(export: Path, incident: Incident) -> None:
    with pytest.raises(ExportError, match="no channel named 'general'.*channels: B75B4C7"):
        import_slack_export(incident=incident, path=export, channel="#general")


def test_the_cli_imports_with_progress_and_reports_bad_exports(
    export: Path, incident: Incident, tmp_path: Path
) -> None:
    _register()
    runner = CliRunner()
    args = ["import", "slack", str(export), "--incident", str(incident.pk), "--channel", CHANNEL]
    result = runner.invoke(app, args + ["--from", "2025-01-24", "--to", "2025-01-24"])
    assert result.exit_code == 0, result.output
    assert f"Imported 2 messages from 1 day-files into incident #{incident.pk}" in result.output
    broken = _copy(export, tmp_path)
    (broken / CHANNEL / "2025-01-10.json").write_text("[{")
    bad = runner.invoke(
        app, ["import", "slack", str(broken), "--incident", str(incident.pk), "--channel", CHANNEL]
    )
    assert bad.exit_code == 1
    assert "2025-01-10.json: invalid or truncated JSON" in bad.output
    assert "Nothing was imported" in bad.output
    assert _chat(incident).count() == 2
    bad_date = runner.invoke(app, args + ["--from", "last tuesday"])
    assert bad_date.exit_code == 2


def test_the_incident_page_upload(
    export: Path, incident: Incident, a_responder: User, tmp_path: Path
) -> None:
    archive = Path(shutil.make_archive(str(tmp_path / "export"), "zip", export))
    client = Client()
    client.login(username=a_responder.username, password="pw-" + a_responder.username)
    with archive.open("rb") as handle:
        response = client.post(
            f"/incidents/{incident.pk}/import/slack/",
            {
                "export": handle,
                "channel": CHANNEL,
                "start": "2025-01-10",
                "end": "2025-01-11",
                "outside_window": "on",  # the export is older than this incident
            },
            follow=True,
        )
    assert "Imported 10 chat messages from 2 day-files" in response.content.decode()
    with zipfile.ZipFile(archive) as zf:
        assert "users.json" in zf.namelist()
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with junk.open("rb") as handle:
        response = client.post(
            f"/incidents/{incident.pk}/import/slack/",
            {"export": handle, "channel": CHANNEL},
            follow=True,
        )
    assert "Nothing was imported: export.zip: not a readable zip file" in response.content.decode()
    assert TimelineEvent.objects.filter(kind=EventKind.CHAT_MESSAGE).count() == 10


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


def test_a_zip_bomb_upload_is_refused_with_bounded_memory(
    a_responder: User, incident: Incident, tmp_path: Path
) -> None:
    bomb = _zip_bomb(tmp_path / "bomb.zip")
    assert bomb.stat().st_size < 1.5 * 1024 * 1024
    browser = Client()
    browser.force_login(a_responder)
    tracemalloc.start()
    try:
        with bomb.open("rb") as upload:
            response = browser.post(
                reverse("chat:import_slack", args=[incident.pk]),
                {"export": upload, "channel": "general", "outside_window": "on"},
                follow=True,
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * 1024 * 1024, f"peak {peak} bytes while the bomb unpacks to 1 GiB"
    assert (
        "Nothing was imported: general/2024-05-01.json: larger than 33554432 bytes; not imported"
        in response.content.decode()
    )
    assert _chat(incident).count() == 0


@pytest.mark.django_db
def test_days_outside_the_incident_window_need_an_explicit_choice(
    export: Path, incident: Incident, a_responder: User, tmp_path: Path
) -> None:
    archive = Path(shutil.make_archive(str(tmp_path / "export"), "zip", export))
    client = Client()
    client.login(username=a_responder.username, password="pw-" + a_responder.username)
    with archive.open("rb") as handle:
        response = client.post(
            f"/incidents/{incident.pk}/import/slack/",
            {"export": handle, "channel": CHANNEL, "start": "2025-01-10", "end": "2025-01-11"},
            follow=True,
        )
    assert "Nothing was imported: The chosen days reach outside the incident" in (
        response.content.decode()
    )
    assert TimelineEvent.objects.filter(kind=EventKind.CHAT_MESSAGE).count() == 0
