"""Importing a Slack export: names, threads, skips, windows, re-runs and corrupt exports."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hindsight.cli import _register, app
from hindsight.incidents.models import EventKind, Incident
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


def test_bad_messages_in_several_files_are_all_listed_and_nothing_is_imported(
    export: Path, incident: Incident, tmp_path: Path
) -> None:
    broken = _copy(export, tmp_path)
    first = broken / CHANNEL / "2025-01-10.json"
    messages = json.loads(first.read_text())
    messages[1]["ts"] = "yesterday"
    first.write_text(json.dumps(messages))
    later = broken / CHANNEL / "2025-01-24.json"
    messages = json.loads(later.read_text())
    messages[0]["text"] = "x" * 40_001
    later.write_text(json.dumps(messages))
    with pytest.raises(ExportError) as refused:
        import_slack_export(incident=incident, path=broken, channel=CHANNEL)
    assert str(refused.value) == (
        "2 problems: B75B4C7/2025-01-10.json message 2: message has no valid 'ts' ('yesterday'); "
        "B75B4C7/2025-01-24.json message 1: text of 40001 characters, more than 40000"
    )
    assert _chat(incident).count() == 0


def test_the_unpacked_total_is_counted_as_read(
    export: Path, incident: Incident, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hindsight.integrations.chat import slack_export

    sizes = sorted(p.stat().st_size for p in (export / CHANNEL).iterdir())
    monkeypatch.setattr(slack_export, "MAX_TOTAL_BYTES", sum(sizes) - 1)
    with pytest.raises(ExportError, match=r"the export unpacks to more than \d+ bytes"):
        import_slack_export(incident=incident, path=export, channel=CHANNEL)
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


@pytest.mark.django_db
def test_days_outside_the_incident_window_need_an_explicit_choice(
    export: Path, incident: Incident, a_responder: object, tmp_path: Path
) -> None:
    from django.test import Client

    archive = Path(shutil.make_archive(str(tmp_path / "export"), "zip", export))
    client = Client()
    client.force_login(a_responder)
    with archive.open("rb") as handle:
        response = client.post(
            f"/incidents/{incident.pk}/import/slack/",
            {"export": handle, "channel": CHANNEL, "start": "2025-01-10", "end": "2025-01-11"},
            follow=True,
        )
    assert "Nothing was imported: The chosen days reach outside the incident" in (
        response.content.decode()
    )
    assert _chat(incident).count() == 0
