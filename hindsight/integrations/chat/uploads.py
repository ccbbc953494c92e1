"""Chat exports uploaded from the incident page, imported by the ``chat-imports`` job.

The request only stores: ``store_upload`` streams the upload into the database
in 1 MiB parts and queues a `ChatImport`. A worker leases it (``import_next``),
writes the parts to a temporary file, imports it with progress on the row
(renewing its lease with each report) and records the result or the error;
the parts are then deleted. A worker killed half-way loses its lease and the
next one imports again: event keys make that add only what is missing.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.accounts.models import User
from hindsight.incidents.models import Incident
from hindsight.integrations.chat.importer import import_slack_export
from hindsight.integrations.chat.slack_export import ExportError
from hindsight.integrations.models import ChatImport, ChatImportPart, ImportState
from hindsight.runner import leases, wakeups
from hindsight.runner.registry import Retry

log = logging.getLogger(__name__)

JOB = "chat-imports"
PART_BYTES = 1024 * 1024
LEASE = timedelta(minutes=2)  # renewed with every progress report
REPORT_EVERY = 0.5  # seconds between progress writes
# An import that fails for a reason other than its content (the database went
# away) is tried again; one that keeps failing is given up with its error.
RETRY = Retry(first_seconds=10, cap_seconds=300, max_attempts=5)
_DATES = ("start", "end")


def store_upload(
    *,
    incident: Incident,
    chunks: Iterable[bytes],
    filename: str,
    options: dict[str, Any],
    requested_by: User | None,
) -> ChatImport:
    """Store an uploaded export and queue its import; return the queued import."""
    stored = {k: v.isoformat() if isinstance(v, date) else v for k, v in options.items()}
    with transaction.atomic():
        chat_import = ChatImport.objects.create(
            incident=incident,
            requested_by=requested_by,
            filename=filename[:200],
            options=stored,
        )
        size, seq, buffer = 0, 0, bytearray()
        for chunk in chunks:
            buffer += chunk
            size += len(chunk)
            while len(buffer) >= PART_BYTES:
                ChatImportPart.objects.create(
                    chat_import=chat_import, seq=seq, data=bytes(buffer[:PART_BYTES])
                )
                del buffer[:PART_BYTES]
                seq += 1
        if buffer:
            ChatImportPart.objects.create(chat_import=chat_import, seq=seq, data=bytes(buffer))
        ChatImport.objects.filter(pk=chat_import.pk).update(size=size)
        chat_import.size = size
        audit.record(
            action="incident.chat_import_queued",
            target=incident,
            actor=requested_by,
            summary=f"{filename[:200]} ({size} bytes) queued for import",
        )
        wakeups.notify(JOB)
    return chat_import


def import_next(
    *, worker: str, now: Any = None, stopped: Callable[[], bool] = lambda: False
) -> int:
    """Lease the oldest waiting import and run it; return 1 when there was one.

    When ``stopped()`` turns true (the worker got SIGTERM) the import stops at
    its next progress report and goes back to the queue for the next worker."""
    now = now or timezone.now()
    waiting = ChatImport.objects.filter(
        state__in=(ImportState.WAITING, ImportState.RUNNING)
    ).order_by("created_at", "pk")
    ids = leases.claim(waiting, owner=worker, limit=1, lease=LEASE, now=now)
    if not ids:
        return 0
    chat_import = ChatImport.objects.select_related("incident").get(pk=ids[0])
    try:
        _run(chat_import, worker=worker, stopped=stopped)
    except Interrupted:
        leases.finish(ChatImport, chat_import.pk, owner=worker, state=ImportState.WAITING, phase="")
    except ExportError as exc:
        _finish(chat_import, worker=worker, state=ImportState.FAILED, error=str(exc))
    except LostLease as exc:
        log.warning("%s", exc)
    except Exception as exc:
        log.exception("chat import %s failed", chat_import.pk)
        error = f"{type(exc).__name__}: {exc}"
        if leases.fail(chat_import, owner=worker, error=error, retry=RETRY, now=timezone.now()):
            _finish(chat_import, worker=worker, state=ImportState.FAILED, error=error)
    return 1


def _run(chat_import: ChatImport, *, worker: str, stopped: Callable[[], bool]) -> None:
    last = 0.0

    def report(phase: str, done: int, files: int, messages: int) -> None:
        nonlocal last
        if stopped():
            raise Interrupted
        if time.monotonic() - last < REPORT_EVERY and done < files:
            return
        last = time.monotonic()
        held = ChatImport.objects.filter(pk=chat_import.pk, lease_owner=worker).update(
            state=ImportState.RUNNING,
            phase=phase,
            files_done=done,
            files_total=files,
            messages=messages,
            lease_until=timezone.now() + LEASE,
        )
        if not held:
            raise LostLease(f"import {chat_import.pk} was taken over by another worker")

    ChatImport.objects.filter(pk=chat_import.pk, lease_owner=worker).update(
        state=ImportState.RUNNING
    )
    options = {k: _decoded(k, v) for k, v in chat_import.options.items()}
    with tempfile.TemporaryDirectory(prefix="hindsight-import-") as folder:
        path = Path(folder) / "export.zip"
        with path.open("wb") as handle:
            parts = ChatImportPart.objects.filter(chat_import=chat_import).order_by("seq")
            for data in parts.values_list("data", flat=True).iterator(chunk_size=1):
                handle.write(data)
        result = import_slack_export(
            incident=chat_import.incident, path=path, progress=report, **options
        )
    _finish(
        chat_import,
        worker=worker,
        state=ImportState.DONE,
        files_done=result.files,
        files_total=result.files,
        messages=result.messages,
        imported=result.imported,
    )


def _decoded(key: str, value: Any) -> Any:
    """A stored form choice as the importer takes it: days and times back from ISO text."""
    if key not in _DATES or not isinstance(value, str) or not value:
        return value
    return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)


def _finish(chat_import: ChatImport, *, worker: str, state: str, **fields: Any) -> None:
    """Record the outcome, drop the stored upload and the lease, in one transaction."""
    with transaction.atomic():
        if not leases.finish(
            ChatImport,
            chat_import.pk,
            owner=worker,
            state=state,
            finished_at=timezone.now(),
            **fields,
        ):
            return
        ChatImportPart.objects.filter(chat_import=chat_import).delete()


class Interrupted(Exception):
    """The worker is stopping: the import goes back to the queue (its keys make the
    next run add only what is missing)."""


class LostLease(RuntimeError):
    """Another worker took the import over (this one stalled past its lease)."""
