"""Import a Slack export's channel into an incident's timeline.

Two passes over the day-files, one file in memory at a time: the first
validates everything (a corrupt or truncated export is reported by its first
bad file and nothing is imported), the second appends the messages in
chunks. Keys are "slack:<channel id>:<ts>", so a re-run, or a re-run after an
interrupted import, adds only what is missing. Chunked transactions keep
SQLite's single write lock short, so alert webhooks are not starved while a
large export imports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from hindsight.incidents.models import EventKind, EventSource, Incident
from hindsight.incidents.timeline import NewEvent, append_events
from hindsight.integrations.chat.slack_export import ExportError, SlackExport

log = logging.getLogger(__name__)

CHUNK = 2000
MAX_PROBLEMS = 10  # checking stops after this many; the error lists them

Progress = Callable[[str, int, int, int], None]
"""progress(phase, files done, files in all, messages so far); phase: "checking"/"importing"."""


@dataclass(frozen=True)
class ImportResult:
    files: int
    messages: int
    imported: int

    @property
    def already_there(self) -> int:
        return self.messages - self.imported


def _bounds(
    start: date | datetime | None, end: date | datetime | None
) -> tuple[datetime | None, datetime | None]:
    def aware(value: date | datetime | None, edge: time) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            value = datetime.combine(value, edge)
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    return aware(start, time.min), aware(end, time.max)


def _listing(problems: list[str]) -> str:
    if len(problems) == 1:
        return problems[0]
    more = " (checking stopped there)" if len(problems) >= MAX_PROBLEMS else ""
    return f"{len(problems)} problems{more}: " + "; ".join(problems[:MAX_PROBLEMS])


def import_slack_export(
    *,
    incident: Incident,
    path: Path,
    channel: str,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a channel's messages in [start, end] as chat events; nothing on a bad export."""
    since, until = _bounds(start, end)
    if since and until and since > until:
        raise ExportError("--from is after --to")
    report = progress or (lambda phase, done, files, messages: None)
    with SlackExport(path) as export:
        users = export.users()
        channel_id, folder = export.channel(channel)
        # Day-files are named in the exporter's time zone, so look one day
        # either side; messages are then filtered by their exact UTC time.
        days = export.day_files(
            folder,
            since.date() - timedelta(days=1) if since else None,
            until.date() + timedelta(days=1) if until else None,
        )
        # The first pass reads everything and notes what is wrong: nothing is
        # stored unless the whole window is good.
        total, problems = 0, list[str]()
        for n, name in enumerate(days, 1):
            try:
                total += sum(1 for _ in export.messages(name, users, since, until, problems))
            except ExportError as exc:
                problems.append(str(exc))
            if len(problems) >= MAX_PROBLEMS:
                break
            report("checking", n, len(days), total)
        if problems:
            raise ExportError(_listing(problems))
        imported = 0
        seen = 0
        chunk: list[NewEvent] = []
        for n, name in enumerate(days, 1):
            for message in export.messages(name, users, since, until):
                chunk.append(
                    NewEvent(
                        text=message.text,
                        occurred_at=message.at,
                        kind=EventKind.CHAT_MESSAGE,
                        source=EventSource.SLACK,
                        actor_name=message.author,
                        idempotency_key=f"slack:{channel_id}:{message.ts}",
                        thread_key=message.thread_ts,
                    )
                )
                if len(chunk) >= CHUNK:
                    imported += append_events(incident=incident, events=chunk)
                    seen += len(chunk)
                    chunk = []
            report("importing", n, len(days), seen + len(chunk))
        if chunk:
            imported += append_events(incident=incident, events=chunk)
            seen += len(chunk)
    log.info(
        "imported %s of %s slack messages from #%s into incident %s",
        imported,
        seen,
        channel,
        incident.pk,
    )
    return ImportResult(files=len(days), messages=seen, imported=imported)
