"""In a real browser against a real `hindsight serve`: a responder posts an update,
it appears on the public page (served from the snapshot) and in the feed."""

from __future__ import annotations

import re
import time
import urllib.request
from pathlib import Path

import feedparser
import pytest

from tests.browser import ARTIFACTS, CHROMIUM_ARGS, serve
from tests.system import require_chromium


@pytest.fixture
def served(tmp_path: Path, free_port: int):
    """`hindsight serve` on a free port with a fresh data dir; yields (url, password)."""
    with serve(tmp_path / "data", free_port) as running:
        yield running.url, running.password


@pytest.mark.slow
def test_a_responder_update_reaches_the_page_and_the_feed(served):
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    url, password = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 420, "height": 900})  # a phone
            page.goto(url + "/accounts/login/")
            page.fill("#id_username", "admin")
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.goto(url + "/incidents/?show=open")
            page.click("text=Elevated search latency")
            incident_path = page.url.split(url, 1)[1]
            incident_id = int(re.search(r"/incidents/(\d+)/", incident_path)[1])

            page.goto(
                f"{url}/statuspage/incidents/{incident_id}/updates/new/?template=investigating"
            )
            assert "We are investigating reports of problems" in page.input_value("#id_message")
            page.fill("#id_message", "Search results are slow for some customers <b>now</b>.")
            page.select_option("#id_status", "identified")
            page.get_by_label("Search", exact=True).select_option("degraded_performance")
            page.click("text=Publish update")
            page.wait_for_url(f"{url}/incidents/{incident_id}/")
            assert page.locator("text=Update published on the status page").count() == 1
            timeline = page.locator("text=Public update (identified)")
            assert timeline.count() == 1

            # The worker rewrites the snapshot within about a second of the commit.
            deadline = time.monotonic() + 20
            while True:
                response = page.goto(url + "/status/")
                assert response is not None and response.status == 200
                banner = page.locator(".banner").inner_text()
                if banner != "All Systems Operational" or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert response.headers.get("etag")  # answered from the snapshot, not Django
            assert banner == "Partially Degraded Service"
            article = page.locator("article.incident")
            assert article.locator("h2").inner_text() == "Elevated search latency"
            assert "Search results are slow for some customers <b>now</b>." in article.inner_text()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "statuspage.png"), full_page=True)

            page.click("text=Elevated search latency")
            assert page.locator("h1").inner_text() == "Elevated search latency"
        finally:
            browser.close()

    with urllib.request.urlopen(url + "/status/history.atom", timeout=5) as feed_response:
        feed = feedparser.parse(feed_response.read())
    assert not feed.bozo
    entry = next(e for e in feed.entries if e.title == "Elevated search latency")
    assert "Search results are slow for some customers &lt;b&gt;now&lt;/b&gt;." in entry.summary
    assert entry.link == f"{url}/status/incidents/{incident_id}/"
