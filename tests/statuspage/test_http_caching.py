"""HTTP caching of public pages: one set of validators from the snapshot and from Django,
weak ETags (what nginx sends after gzip) get a 304, compressed copies for clients that ask."""

from __future__ import annotations

import gzip
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import brotli
import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client

from hindsight.statuspage import snapshot
from hindsight.statuspage.static import SnapshotApp

from ..system import require_command
from .test_snapshot import call

VALIDATORS = ("ETag", "Last-Modified", "Cache-Control", "Vary")


@pytest.fixture
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def served(a_page: Any, data_dir: Path) -> Iterator[SnapshotApp]:
    """The snapshot server in front of the real Django application, as `hindsight serve` runs it."""
    snapshot.publish_snapshot(a_page)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield SnapshotApp(get_wsgi_application(), data_dir / "statuspage")
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _expire(data_dir: Path) -> None:
    """Make the snapshot stale, so the next request is rendered by Django."""
    site = data_dir / "statuspage" / "site.json"
    manifest = json.loads(site.read_text())
    manifest["fresh_until"] = {slug: 0 for slug in manifest["fresh_until"]}
    site.write_text(json.dumps(manifest))


def test_the_snapshot_and_django_send_the_same_validators(
    served: SnapshotApp, data_dir: Path
) -> None:
    _, from_file, file_body = call(served, "/api/v2/summary.json")
    _expire(data_dir)
    status, from_django, django_body = call(served, "/api/v2/summary.json")

    assert status == "200 OK"
    assert django_body == file_body
    assert {h: from_django[h] for h in VALIDATORS} == {h: from_file[h] for h in VALIDATORS}
    assert "stale-while-revalidate=30" in from_file["Cache-Control"]
    assert "stale-if-error=86400" in from_file["Cache-Control"]


def test_a_page_from_the_snapshot_and_from_django_has_the_same_validators(
    served: SnapshotApp, data_dir: Path
) -> None:
    _, from_file, _ = call(served, "/status/")
    _expire(data_dir)
    status, from_django, _ = call(served, "/status/", HTTP_IF_NONE_MATCH=from_file["ETag"])

    # The bytes differ only in "Page generated …", so the ETag is weak and the same:
    # Django, rendering the page live, tells the client its copy is current.
    assert status == "304 Not Modified"
    assert from_file["ETag"].startswith('W/"')
    assert {h: from_django[h] for h in VALIDATORS} == {h: from_file[h] for h in VALIDATORS}


def test_a_weak_etag_gets_a_304_from_the_snapshot(served: SnapshotApp) -> None:
    _, headers, _ = call(served, "/status/")

    weak = "W/" + headers["ETag"].removeprefix("W/")
    status, _, body = call(served, "/status/", HTTP_IF_NONE_MATCH=weak)

    assert (status, body) == ("304 Not Modified", b"")


def test_a_weak_etag_gets_a_304_from_django(a_page: Any) -> None:
    first = Client().get("/api/v2/components.json")

    again = Client().get("/api/v2/components.json", HTTP_IF_NONE_MATCH=f"W/{first['ETag']}")

    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_another_etag_gets_the_document(a_page: Any) -> None:
    answer = Client().get("/api/v2/components.json", HTTP_IF_NONE_MATCH='W/"not-this-one"')

    assert answer.status_code == 200
    assert json.loads(answer.content)["page"]["name"] == "Acme status"


@pytest.mark.parametrize("path", ["/status/", "/api/v2/summary.json", "/status/history.atom"])
def test_public_pages_do_not_vary_on_cookie(a_page: Any, path: str) -> None:
    answer = Client().get(path)

    assert answer.status_code == 200
    assert "Cookie" not in answer.get("Vary", "")


@pytest.mark.parametrize(
    ("encoding", "decode"), [("gzip", gzip.decompress), ("br", brotli.decompress)]
)
def test_the_snapshot_is_compressed_for_clients_that_ask(
    served: SnapshotApp, encoding: str, decode: Any
) -> None:
    _, _, plain = call(served, "/status/")

    _, headers, body = call(served, "/status/", HTTP_ACCEPT_ENCODING=f"{encoding}, identity")

    assert headers["Content-Encoding"] == encoding
    assert decode(body) == plain
    assert int(headers["Content-Length"]) == len(body) < len(plain)


def test_django_compresses_for_clients_that_ask(a_page: Any) -> None:
    plain = Client().get("/api/v2/summary.json")

    answer = Client().get("/api/v2/summary.json", HTTP_ACCEPT_ENCODING="gzip")

    assert answer["Content-Encoding"] == "gzip"
    assert gzip.decompress(answer.content) == plain.content
    assert answer["ETag"] == plain["ETag"].rstrip('"') + '-gzip"'


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_documented_curl_example_gets_a_304(a_page: Any, live_server: Any) -> None:
    curl = require_command("curl", "curl")
    doc = (Path(__file__).resolve().parents[2] / "docs" / "statuspage.md").read_text()
    script = doc.split("Try it:\n\n```\n", 1)[1].split("```", 1)[0]

    ran = subprocess.run(
        [
            "bash",
            "-c",
            script.replace("http://127.0.0.1:8000", live_server.url).replace("curl ", f"{curl} "),
        ],
        capture_output=True,
        text=True,
        check=True,
    )

    assert ran.stdout.split() == ["304"]


@pytest.mark.parametrize("path", ["/status/history.atom", "/status/history.rss"])
def test_a_feed_without_entries_is_the_same_on_every_rendering(a_page: Any, path: str) -> None:
    first = Client().get(path)
    time.sleep(1.1)  # feeds date themselves to the second: the clock must have moved

    again = Client().get(path)

    assert first.content == again.content
    assert first["ETag"] == again["ETag"]
