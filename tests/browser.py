"""A real `hindsight serve` and Debian's Chromium for browser tests."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
HINDSIGHT = Path(sys.executable).with_name("hindsight")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class Served:
    url: str
    password: str  # the admin's
    env: dict[str, str]

    def cli(self, *args: str) -> str:
        """Run a `hindsight` command against the served data; return what it printed."""
        done = subprocess.run(
            [str(HINDSIGHT), *args], env=self.env, cwd=REPO, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


@contextmanager
def serve(data_dir: Path, port: int) -> Iterator[Served]:
    """`hindsight serve` with demo data on a free port and a fresh data dir."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HINDSIGHT_")},
        "HINDSIGHT_DATA_DIR": str(data_dir),
        "HINDSIGHT_SMTP_HOST": "",
    }
    # The server's output goes to a file, not a pipe: a pipe nobody reads any
    # more (emails printed to the console, request logs) would block the server.
    log_path = data_dir.with_name(data_dir.name + "-serve.log")
    log = log_path.open("w")
    process = subprocess.Popen(
        [str(HINDSIGHT), "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    password = None
    try:
        for _ in range(600):  # bounded: migrations and demo data take a few seconds
            found = re.search(
                r"Log in as 'admin' with password '([^']+)'", log_path.read_text(errors="replace")
            )
            if found:
                password = found[1]
                break
            if process.poll() is not None:
                break
            time.sleep(0.2)
        assert password, "serve did not print the admin password"
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        yield Served(url, password, env)
    finally:
        process.terminate()
        process.wait(15)
        log.close()


def log_in(browser: Any, served: Served, username: str, password: str, width: int = 1280) -> Any:
    """A new browser page of ``width`` px, logged in as ``username`` (on the incidents list)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(served.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/incidents/$"))
    return page


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One `hindsight serve` with demo data for a test module (import this fixture)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    with serve(tmp_path_factory.mktemp("served") / "data", port) as running:
        yield running


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright (import this fixture)."""
    from .system import require_chromium

    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
