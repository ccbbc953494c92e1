"""Three monitors of one service fail at once against a real `hindsight serve` and its
worker: one incident, and customers read a text naming the component on the status page."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.browser import ARTIFACTS, CHROMIUM_ARGS, Served, serve
from tests.system import require_chromium


class _Failing(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"upstream unavailable"
        self.send_response(503)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def failing_backend() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def served(tmp_path: Path, free_port: int) -> Iterator[Served]:
    with serve(tmp_path / "data", free_port) as running:
        yield running


def _api(served: Served, token: str, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        served.url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_three_failing_monitors_of_one_service_open_one_incident_with_a_customer_text(
    served: Served, failing_backend: str
) -> None:
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    token = re.search(r": (hs_\S+)", served.cli("tokens", "create", "admin"))[1]  # type: ignore[index]
    with urllib.request.urlopen(served.url + "/api/v2/components.json", timeout=10) as response:
        components = json.loads(response.read())["components"]
    payments = next(c["id"] for c in components if c["name"] == "Payments")
    for name, path, config in (
        ("payments health", "/health", {}),
        ("payments keyword", "/status", {"keyword": "ok"}),
        ("payments api", "/api/ping", {}),
    ):
        _api(
            served,
            token,
            "POST",
            "/api/monitors/",
            {
                "name": name,
                "kind": "keyword" if config else "http",
                "target": failing_backend + path,
                "interval": 30,
                "confirmations_down": 1,
                "service": "payment-gateway",
                "component": int(payments),
                "config": config,
            },
        )

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            text = "We are investigating problems with Payments"
            for _ in range(150):  # bounded: the worker checks, flips and publishes
                page.goto(served.url + "/status/")
                if text in page.content():
                    break
                time.sleep(0.4)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "statuspage-monitor-outage.png"), full_page=True)
            article = page.locator("article.incident", has_text=text)
            assert article.count() == 1
            shown = article.inner_text()
            assert "Problems with Payments" in shown
            assert "payment-gateway" not in shown and "payments health" not in shown
            assert page.locator(".banner").inner_text() == "Major System Outage"
        finally:
            browser.close()

    opened = _api(served, token, "GET", "/api/incidents/?status=open")["items"]
    payments_incidents = [i for i in opened if i["services"] == ["payment-gateway"]]
    assert len(payments_incidents) == 1
    events = _api(
        served, token, "GET", f"/api/incidents/{payments_incidents[0]['id']}/events?source=monitor"
    )["items"]
    downs = sorted(e["text"].split("'")[1] for e in events if e["kind"] == "monitor_down")
    assert downs == ["payments api", "payments health", "payments keyword"]
