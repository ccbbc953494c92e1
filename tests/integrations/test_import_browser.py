"""In a real browser against a real `hindsight serve` and its worker: a responder uploads a
Slack export, lands on its progress page and watches the worker import it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, CHROMIUM_ARGS, serve
from tests.system import require_chromium


@pytest.mark.slow
def test_an_uploaded_export_is_imported_by_the_worker_while_the_page_shows_it(
    tmp_path: Path, free_port: int, corpus_dir: Path
) -> None:
    chromium = require_chromium()
    from playwright.sync_api import expect, sync_playwright

    export = corpus_dir / "chat" / "rusq__slackdump__source_export_dir"
    archive = shutil.make_archive(str(tmp_path / "export"), "zip", export)
    with serve(tmp_path / "data", free_port) as served, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(served.url + "/accounts/login/")
            page.fill("#id_username", "admin")
            page.fill("#id_password", served.password)
            page.click("button[type=submit]")
            page.goto(served.url + "/incidents/?show=open")
            page.click("text=Elevated search latency")
            incident_url = page.url
            page.click("text=Import a Slack export")
            page.set_input_files("input[name=export]", archive)
            page.fill("input[name=channel]", "B75B4C7")
            # The export is older than the demo incident: outside its own window.
            page.check("input[name=outside_window]")
            page.click("details.chat-import button[type=submit]")
            assert re.search(r"/incidents/\d+/imports/\d+/$", page.url)
            result = page.locator(".import-result")
            expect(result).to_have_text(
                "Imported 13 chat messages from 4 day-files (0 were already on the timeline).",
                timeout=30_000,
            )
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "chat-import-desktop.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(ARTIFACTS / "chat-import-390.png"), full_page=True)
            page.goto(incident_url)
            page.click("text=Import a Slack export")
            recent = page.locator("ul.recent-imports li")
            expect(recent).to_have_count(1)
            assert recent.inner_text().endswith("— Imported")
            recent.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "chat-import-recent-390.png"))
        finally:
            browser.close()
