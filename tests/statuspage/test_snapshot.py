"""The static snapshot: written atomically, served before Django, alive without a database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from hindsight.statuspage import services, snapshot
from hindsight.statuspage.static import SnapshotApp

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def call(
    app: SnapshotApp, path: str, method: str = "GET", **headers: str
) -> tuple[str, dict[str, str], bytes]:
    import io

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "HTTP_HOST": "127.0.0.1:8000",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
        **headers,
    }
    captured: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
        captured["status"], captured["headers"] = status, dict(response_headers)

    body = b"".join(app(environ, start_response))
    return captured["status"], captured["headers"], body


def django_fallback(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("299 From Django", [("Content-Type", "text/plain")])
    return [environ["PATH_INFO"].encode() + b" " + environ.get("HTTP_HOST", "").encode()]


def test_publish_writes_every_document_without_leftovers(an_incident, checkout, data_dir):
    services.post_update(
        incident=an_incident,
        status="identified",
        message="Cause found",
        components={checkout: "partial_outage"},
    )
    written = snapshot.publish_snapshot(checkout.pages.get())
    folder = data_dir / "statuspage" / "acme"
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert len(files) == written
    assert {
        "index.html",
        f"incidents/{an_incident.pk}/index.html",
        "history.atom",
        "history.rss",
        "badge.svg",
        "subscribe/index.html",
        "api/v2/summary.json",
        "api/v2/scheduled-maintenances/active.json",
    } <= set(files)
    assert not [f for f in files if ".tmp-" in f]
    assert "Cause found" in (folder / "index.html").read_text()
    site = json.loads((data_dir / "statuspage" / "site.json").read_text())
    assert site["default"] == "acme" and site["pages"] == ["acme"]
    assert site["fresh_until"]["acme"] > time.time()


def test_the_snapshot_is_served_before_django(a_page, data_dir):
    snapshot.publish_snapshot(a_page)
    app = SnapshotApp(django_fallback, data_dir / "statuspage")
    status, headers, body = call(app, "/status/")
    assert status == "200 OK"
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "max-age=10" in headers["Cache-Control"]
    assert b"All Systems Operational" in body
    for path, content_type in [
        ("/api/v2/summary.json", "application/json"),
        ("/status/acme/api/v2/status.json", "application/json"),
        ("/status/history.atom", "application/atom+xml; charset=utf-8"),
        ("/status/acme/badge.svg", "image/svg+xml"),
    ]:
        status, headers, _ = call(app, path)
        assert (status, headers["Content-Type"]) == ("200 OK", content_type), path
    # Conditional requests and HEAD.
    _, headers, _ = call(app, "/status/")
    assert call(app, "/status/", HTTP_IF_NONE_MATCH=headers["ETag"])[0] == "304 Not Modified"
    status, headers, body = call(app, "/status/", method="HEAD")
    assert status == "200 OK" and body == b"" and int(headers["Content-Length"]) > 1000
    # Everything else goes to Django: writes, unknown files, other paths, traversal.
    assert call(app, "/status/subscribe/", method="POST")[0] == "299 From Django"
    assert call(app, "/status/nosuch/")[0] == "299 From Django"
    assert call(app, "/incidents/")[0] == "299 From Django"
    assert call(app, "/status/../site.json")[0] == "299 From Django"
    assert call(app, "/status/acme/../../secret_key")[0] == "299 From Django"


def test_a_custom_domain_gets_its_page(a_page, data_dir):
    a_page.custom_domain = "status.acme.test"
    a_page.save()
    snapshot.publish_snapshot(a_page)
    app = SnapshotApp(django_fallback, data_dir / "statuspage", internal_host="127.0.0.1:8000")
    status, _, body = call(app, "/", HTTP_HOST="status.acme.test")
    assert status == "200 OK" and b"Acme status" in body
    assert call(app, "/api/v2/status.json", HTTP_HOST="status.acme.test:443")[0] == "200 OK"
    # Django sees the page's own path and a host it allows.
    status, _, body = call(app, "/subscribe/", method="POST", HTTP_HOST="status.acme.test")
    assert body == b"/status/acme/subscribe/ 127.0.0.1:8000"


def test_a_custom_domain_reaches_django_without_listing_it_in_allowed_hosts(a_page, data_dir):
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    from hindsight.statuspage.static import wrap

    a_page.custom_domain = "status.acme.test"
    a_page.save()
    snapshot.publish_snapshot(a_page)
    app = wrap(get_wsgi_application(), data_dir, "http://127.0.0.1:8000")
    # Like Django's test client: keep the test's database connection open.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        status, _, body = call(app, "/history/2019-01/", HTTP_HOST="status.acme.test")
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    assert status.startswith("404")  # Django answered (not a DisallowedHost 400)


def test_a_missing_snapshot_is_written_by_the_worker_not_by_a_view(a_page, data_dir):
    from hindsight.runner.services import run_now

    assert Client().get("/status/").status_code == 200  # rendered live, nothing written
    assert not (data_dir / "statuspage" / "acme" / "index.html").exists()
    run_now(name="statuspage-refresh")
    assert (data_dir / "statuspage" / "acme" / "index.html").exists()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.slow
def test_the_page_is_served_while_the_database_is_down(an_incident, checkout, data_dir):
    services.post_update(
        incident=an_incident,
        status="identified",
        message="Rolling back the deploy",
        components={checkout: "major_outage"},
    )
    snapshot.publish_snapshot(checkout.pages.get())
    # Mark the snapshot stale too: Django is asked first, fails, and the old files are served.
    site_path = data_dir / "statuspage" / "site.json"
    site = json.loads(site_path.read_text())
    site["fresh_until"] = {"acme": 0}
    site_path.write_text(json.dumps(site))
    port = _free_port()
    env = {
        **os.environ,
        "HINDSIGHT_DATA_DIR": str(data_dir),
        "HINDSIGHT_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/gone",  # nothing listens on port 1
        "HINDSIGHT_STATUSPAGE_TICK_SECONDS": "0",
        "HINDSIGHT_BASE_URL": f"http://127.0.0.1:{port}",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("granian")),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "hindsight.wsgi:application",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status, _ = _get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        assert status == 503  # the database really is unreachable
        status, body = _get(base + "/status/")
        assert status == 200
        assert b"Rolling back the deploy" in body and b"Major System Outage" in body
        status, body = _get(base + "/api/v2/summary.json")
        assert status == 200
        assert json.loads(body)["status"]["indicator"] == "critical"
        status, body = _get(base + f"/status/incidents/{an_incident.pk}/")
        assert status == 200 and b"Checkout errors" in body
    finally:
        server.terminate()
        server.wait(10)


def test_the_tick_republishes_changes_that_sent_no_signal(a_page, checkout, data_dir):
    from hindsight.catalog.models import Component

    snapshot.publish_snapshot(a_page)
    assert snapshot.refresh_changed() == 0
    # A bulk update (or another machine's change) sends no signal here.
    Component.objects.filter(pk=checkout.pk).update(status="major_outage")
    assert snapshot.refresh_changed() == 1
    index = (data_dir / "statuspage" / "acme" / "index.html").read_text()
    assert "Major System Outage" in index
    assert snapshot.refresh_changed() == 0


def test_a_stale_page_goes_to_django_one_request_at_a_time(a_page, data_dir):
    snapshot.publish_snapshot(a_page)
    site_path = data_dir / "statuspage" / "site.json"
    site = json.loads(site_path.read_text())
    site["fresh_until"] = {"acme": 0}
    site_path.write_text(json.dumps(site))
    app = SnapshotApp(django_fallback, data_dir / "statuspage")
    assert call(app, "/status/")[0] == "299 From Django"  # re-rendered by Django
    app._refreshing.acquire()  # as if another request were re-rendering right now
    try:
        status, _, body = call(app, "/status/")
    finally:
        app._refreshing.release()
    assert status == "200 OK" and b"All Systems Operational" in body  # the stale file meanwhile


def test_a_monitor_going_down_republishes_todays_uptime_cell(a_page, checkout, data_dir):
    from hindsight.monitors.models import Monitor

    monitor = Monitor.objects.create(name="checkout", target="https://x", component=checkout)
    snapshot.publish_snapshot(a_page)
    assert "; down now" not in (data_dir / "statuspage" / "acme" / "index.html").read_text()

    Monitor.objects.filter(pk=monitor.pk).update(state="down")

    assert snapshot.refresh_changed() == 1
    index = (data_dir / "statuspage" / "acme" / "index.html").read_text()
    assert '<li class="down" title="' in index and "; down now" in index
