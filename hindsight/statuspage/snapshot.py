"""Write each status page out as static files, so it is served without Django.

Layout under ``DATA_DIR/statuspage/``::

    site.json                      default page, custom domains, freshness
    <slug>/index.html              the page
    <slug>/incidents/<id>/index.html
    <slug>/history/index.html, <slug>/history/<YYYY-MM>/index.html
    <slug>/history.atom, history.rss, badge.svg, subscribe/index.html
    <slug>/api/v2/summary.json …   the Statuspage-compatible documents

Every file is written to a temporary name in the same folder and renamed
over the old one, so a reader sees the old file or the new one, never half.
``hindsight.statuspage.static.SnapshotApp`` serves them.

Withdrawing (an incident restricted or deleted, a post-mortem unpublished)
must not wait for the worker: ``withdraw`` removes at once every file that may
show the incident, so those paths are rendered live from the database until
the worker has rewritten them. A publish that was rendering meanwhile read
the old state; it sees the withdrawal marker change and renders again rather
than write the withdrawn words back.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings

import hindsight
from hindsight.statuspage import content, render, static
from hindsight.statuspage.models import StatusPage

log = logging.getLogger(__name__)

_lock = threading.Lock()
# A publish renders again at most this often when withdrawals keep interrupting it.
RENDER_TRIES = 3


class WithdrawnMeanwhile(RuntimeError):
    """Withdrawals kept arriving while a publish rendered; the job retries it."""


def snapshot_root() -> Path:
    return Path(settings.DATA_DIR) / "statuspage"


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so readers never see a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def publish_snapshot(page: StatusPage, *, incident_ids: set[int] | None = None) -> int:
    """Render ``page`` to static files; return how many were written.

    ``incident_ids`` limits the incident pages re-rendered to those (the
    page-wide documents are always rendered); None re-renders everything
    and removes files that are no longer part of the page.
    """
    for _ in range(RENDER_TRIES):
        seen = _withdrawals()
        # Taken before rendering: a change made meanwhile shows up as a new version.
        version = content_version(page) if incident_ids is None else None
        documents = render.all_documents(page, incident_ids)
        folder = snapshot_root() / page.slug
        with _exclusive():
            if _withdrawals() != seen:
                log.info("Something was withdrawn while %s rendered; rendering again", page.slug)
                continue
            for relative, document in documents.items():
                write_atomically(folder / relative, document.body)
            if incident_ids is None:
                _prune(folder, set(documents))
            else:
                for incident_id in incident_ids:  # no longer public (restricted, deleted)
                    if f"incidents/{incident_id}/index.html" not in documents:
                        (folder / f"incidents/{incident_id}/index.html").unlink(missing_ok=True)
            _write_site_manifest(
                {page.slug: render.fresh_until(page).timestamp()},
                {page.slug: version} if version else None,
            )
        log.info("Published status page snapshot %s (%s files)", page.slug, len(documents))
        return len(documents)
    raise WithdrawnMeanwhile(f"status page {page.slug}: withdrawals kept arriving")


def withdraw(incident_ids: Iterable[int]) -> int:
    """Remove at once every snapshot file that may show these incidents; return how many.

    That is each incident's own page and every page-wide document (front
    page, history, feeds, JSON, badge): until the worker has rewritten them,
    the status page is rendered live from the database, which already holds
    the change. Other incidents' pages and the sign-up form stay.
    """
    gone = {f"incidents/{pk}/index.html" for pk in incident_ids}
    root = snapshot_root()
    removed = 0
    with _exclusive():
        for folder in (p for p in root.iterdir() if p.is_dir()):
            for path in list(folder.rglob("*")):
                relative = path.relative_to(folder).as_posix()
                kept = relative.startswith("incidents/") and relative not in gone
                if path.is_file() and not kept and relative != "subscribe/index.html":
                    path.unlink(missing_ok=True)
                    removed += 1
        _write_site_manifest({}, withdrawn=time.time_ns())
    log.info("Withdrew incidents %s from the status-page snapshot (%s files)", gone, removed)
    return removed


def publish_all(*, incident_ids: set[int] | None = None) -> None:
    """Publish every page (see publish_snapshot) and drop the snapshots of deleted pages."""
    pages = list(StatusPage.objects.all())
    for page in pages:
        publish_snapshot(page, incident_ids=incident_ids)
    root = snapshot_root()
    if incident_ids is None and root.is_dir():
        keep = {p.slug for p in pages}
        for child in root.iterdir():
            if child.is_dir() and child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)
    with _exclusive():
        _write_site_manifest({})


@contextlib.contextmanager
def _exclusive() -> Iterator[None]:
    """Hold the snapshot for writing: against this process's threads and against
    the other processes on this machine (web processes withdraw, workers publish)."""
    root = snapshot_root()
    root.mkdir(parents=True, exist_ok=True)
    with _lock, open(root / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _withdrawals() -> int:
    """The marker ``withdraw`` sets: it changes with every withdrawal."""
    try:
        site = json.loads((snapshot_root() / "site.json").read_text(encoding="utf-8"))
        return int(site.get("withdrawn", 0))
    except (OSError, ValueError, TypeError):
        return 0


def content_version(page: StatusPage) -> str:
    """A digest of everything the page shows; it changes whenever the page would."""
    from django.db.models import Count, Max

    from hindsight.monitors.models import Monitor
    from hindsight.postmortems.models import PostMortem
    from hindsight.statuspage.models import StatusUpdate

    incidents = content.public_incidents(page).order_by()
    state = {
        "release": hindsight.__version__,  # an upgrade may render pages differently
        "page": [
            page.title,
            page.logo_text,
            page.is_default,
            page.custom_domain,
            page.time_zone,
            page.brand_color,
            page.custom_css,
            page.header_links,
            page.slug,
        ],
        "components": [
            [c.pk, c.name, c.status, c.group, c.position, c.description]
            for c in page.components.order_by("pk")
        ],
        "incidents": list(
            incidents.aggregate(n=Count("pk"), latest=Max("updated_at"), top=Max("pk")).values()
        ),
        "updates": list(
            StatusUpdate.objects.filter(incident__in=incidents.values("pk"))
            .aggregate(n=Count("pk"), top=Max("pk"))
            .values()
        ),
        "postmortems": list(
            PostMortem.objects.filter(incident__in=incidents.values("pk"), status="published")
            .aggregate(n=Count("pk"), latest=Max("updated_at"))
            .values()
        ),
        # A monitor going down (or back up) turns today's uptime cell red (or not).
        "monitors": list(
            Monitor.objects.filter(component__in=page.components.all())
            .order_by("pk")
            .values_list("pk", "state", "paused")
        ),
        "maintenance": list(
            page.maintenances.order_by("pk").values_list(
                "pk", "status", "title", "starts_at", "ends_at"
            )
        ),
    }
    return hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()[:32]


def refresh_changed() -> int:
    """Fully republish pages whose content changed since their last full
    publish — changes made by other machines, or by bulk updates that send no
    signals — and pages past their freshness (a new uptime day). Returns how
    many pages were republished."""
    try:
        site = json.loads((snapshot_root() / "site.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        site = {}
    published, fresh = site.get("versions", {}), site.get("fresh_until", {})
    now = time.time()
    count = 0
    for page in StatusPage.objects.all():
        stale = fresh.get(page.slug, 0) <= now
        if stale or published.get(page.slug) != content_version(page):
            publish_snapshot(page)
            count += 1
    return count


def _prune(folder: Path, keep: set[str]) -> None:
    """Remove files no longer part of the page (an incident that became restricted)."""
    for path in folder.rglob("*"):
        if path.is_file() and path.relative_to(folder).as_posix() not in keep:
            path.unlink(missing_ok=True)


def _write_site_manifest(
    fresh: dict[str, float], versions: dict[str, str] | None = None, *, withdrawn: int = 0
) -> None:
    """Record the default page, custom domains, each page's freshness, the
    content version its last full publish rendered and the last withdrawal."""
    root = snapshot_root()
    manifest_path = root / "site.json"
    try:
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    pages = list(StatusPage.objects.order_by("-is_default", "title"))
    default = next((p for p in pages if p.is_default), pages[0] if pages else None)
    old_fresh = old.get("fresh_until", {})
    manifest = {
        "default": default.slug if default else None,
        "pages": [p.slug for p in pages],
        "domains": {p.custom_domain.lower(): p.slug for p in pages if p.custom_domain},
        "fresh_until": {p.slug: fresh.get(p.slug, old_fresh.get(p.slug, 0)) for p in pages},
        "versions": {
            p.slug: (versions or {}).get(p.slug, old.get("versions", {}).get(p.slug, ""))
            for p in pages
        },
        "withdrawn": withdrawn or old.get("withdrawn", 0),
    }
    write_atomically(manifest_path, json.dumps(manifest, indent=1).encode())
    static.invalidate()
