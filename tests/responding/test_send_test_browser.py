"""The Notifications page in a real browser: create a webhook channel, press Send test,
and read the result once the worker has delivered it to a loopback receiver."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, CHROMIUM_ARGS, Served, serve
from tests.system import require_chromium

RECEIVED: list[bytes] = []


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        RECEIVED.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    RECEIVED.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def served(tmp_path: Path, free_port: int) -> Iterator[Served]:
    with serve(tmp_path / "data", free_port) as running:
        yield running


@pytest.mark.slow
def test_send_test_shows_the_result_and_reaches_the_channel(served: Served, receiver: str) -> None:
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(served.url + "/accounts/login/")
            page.fill("#id_username", "admin")
            page.fill("#id_password", served.password)
            page.click("button[type=submit]")
            page.click("nav[aria-label=Main] >> text=Notifications")
            assert "Email cannot be sent" in page.locator("[role=alert]").inner_text()
            page.fill("#id_name", "On-call hook")
            page.select_option("#id_kind", "webhook")
            page.fill("#id_target", receiver)
            page.click("button:has-text('Create channel')")
            page.click("button:has-text('Send test')")
            result = page.locator("tr", has_text="On-call hook").locator(".test-result")
            for _ in range(100):  # bounded: the worker delivers within about a second
                if result.inner_text().startswith("Sent"):
                    break
                time.sleep(0.2)
                page.reload()
            assert result.inner_text().startswith("Sent")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "notifications.png"), full_page=True)
        finally:
            browser.close()
    assert len(RECEIVED) == 1
    assert b'"event": "notification.test"' in RECEIVED[0] or b'"notification.test"' in RECEIVED[0]
