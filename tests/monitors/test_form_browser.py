"""The monitor form in a real browser: fields follow the kind, errors sit under their fields."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, CHROMIUM_ARGS, Served, log_in, serve
from tests.system import require_chromium


@pytest.fixture
def served(tmp_path: Path, free_port: int) -> Iterator[Served]:
    with serve(tmp_path / "data", free_port) as running:
        add_history(tmp_path / "data" / "hindsight.sqlite3")
        yield running


def add_history(database: Path) -> None:
    """Thirty past checks of the demo's first monitor, one of them down, for the list's strip."""
    now = datetime.now(UTC)
    with sqlite3.connect(database) as db:
        (monitor,) = db.execute("SELECT min(id) FROM monitors_monitor").fetchone()
        db.executemany(
            "INSERT INTO monitors_checkresult (monitor_id, checked_at, region, status,"
            " latency_ms, status_code, error) VALUES (?, ?, '', ?, ?, ?, ?)",
            [
                (
                    monitor,
                    (now - timedelta(minutes=40 - m)).isoformat(sep=" "),
                    "down" if m == 20 else "up",
                    None if m == 20 else 80.0 + (m * 37) % 50,
                    503 if m == 20 else 200,
                    "HTTP 503" if m == 20 else "",
                )
                for m in range(30)
            ],
        )


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 390])
def test_the_form_follows_the_kind_and_shows_every_error(served: Served, width: int) -> None:
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = log_in(browser, served, "admin", served.password, width=width)
            page.goto(served.url + "/monitors/new/")
            assert page.is_visible("#id_status_codes")
            assert not page.is_visible("#id_keyword")
            page.select_option("#id_kind", "keyword")
            assert page.is_visible("#id_keyword")
            page.select_option("#id_kind", "tcp")
            assert not page.is_visible("#id_tls_warning_days")
            assert not page.is_visible("#id_headers_text")
            page.select_option("#id_kind", "keyword")
            page.fill("#id_name", "")
            page.fill("#id_target", "http://127.0.0.1:9/")
            page.fill("#id_interval_seconds", "5")
            page.fill("#id_status_codes", "200, abc")
            page.click(".monitor-form button[type=submit]")
            page.wait_for_selector("#id_name-error")
            errors = {
                field: page.inner_text(f"#id_{field}-error")
                for field in ("name", "interval_seconds", "status_codes", "keyword")
            }
            assert errors["interval_seconds"] == "must be at least 20 seconds"
            assert errors["keyword"] == "A keyword check needs a keyword"
            page.screenshot(path=str(ARTIFACTS / f"monitor-form-{width}.png"), full_page=True)
            page.goto(served.url + "/monitors/")
            assert page.locator(".heartbeat i.down").count() == 1
            page.screenshot(path=str(ARTIFACTS / f"monitor-list-{width}.png"), full_page=True)
        finally:
            browser.close()
