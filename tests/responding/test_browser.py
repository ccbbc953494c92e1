"""A responder runs an incident in a real browser against `hindsight serve`:
declare → acknowledge → public update → resolve, and the status page follows;
the incident page and the navigation at phone width."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import ARTIFACTS, CHROMIUM_ARGS, Served, serve
from tests.system import require_chromium


@pytest.fixture
def served(tmp_path: Path, free_port: int) -> Iterator[Served]:
    with serve(tmp_path / "data", free_port) as running:
        yield running


@pytest.fixture
def browser(served: Served) -> Iterator[Any]:
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _login(page: Any, served: Served) -> None:
    page.goto(served.url + "/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", served.password)
    page.click("button[type=submit]")


def _wait_for(page: Any, url: str, done: Callable[[Any], bool]) -> None:
    """Reload the public page until the worker has published what we expect (bounded)."""
    for _ in range(100):
        page.goto(url)
        if done(page):
            return
        time.sleep(0.2)


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.mark.slow
def test_declare_acknowledge_update_resolve_and_the_status_page_follows(
    served: Served, browser: Any
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, served)
    page.goto(served.url + "/incidents/declare/")
    assert page.evaluate("document.activeElement.id") == "id_title"
    page.fill("#id_title", "Search returns errors")
    page.fill("#id_customer_impact", "Some searches fail.")
    page.click("button:has-text('Declare')")
    assert page.locator(".badge.unacknowledged").inner_text() == "Not acknowledged"

    page.click("button:has-text('Acknowledge')")
    assert page.locator("text=Acknowledged by admin").count() == 1
    assert page.locator(".badge.unacknowledged").count() == 0

    page.click("summary:has-text('Post a public update')")
    composer = page.locator("form.statuspage-update")
    composer.locator("select[name=status]").select_option("identified")
    composer.locator("textarea[name=message]").fill("Searches fail for some customers.")
    composer.get_by_label("Search", exact=True).select_option("partial_outage")
    composer.locator("button[type=submit]").click()
    _shot(page, "incident-desktop.png")

    _wait_for(page, served.url + "/status/", lambda p: "Searches fail" in p.content())
    assert page.locator(".banner").inner_text() == "Partial System Outage"

    page.goto(served.url + "/incidents/")
    page.click("text=Search returns errors")
    page.click("summary:has-text('Resolve…')")
    final = page.locator("#id_final_message")
    assert "has been resolved and Search is operating normally" in final.input_value()
    final.fill("Fixed: searches work again. Sorry for the trouble.")
    page.click("button:has-text('Resolve and tell customers')")
    assert page.locator(".badge.status-resolved").count() == 1

    past = "section[aria-labelledby=recent-h] article"
    _wait_for(
        page,
        served.url + "/status/",
        lambda p: "Search returns errors" in " ".join(p.locator(past).all_inner_texts()),
    )
    assert page.locator(".banner").inner_text() == "All Systems Operational"
    page.click(f"{past} >> text=Search returns errors")
    assert "Fixed: searches work again. Sorry for the trouble." in page.content()
    assert page.locator("text=Resolved").count() >= 1


@pytest.mark.slow
def test_the_incident_page_and_navigation_fit_a_phone(served: Served, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    _login(page, served)
    page.goto(served.url + "/incidents/?show=open")
    page.click("text=Elevated search latency")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert page.locator("nav[aria-label=Main]").is_visible() is False
    _shot(page, "incident-phone.png")
    page.click("label.nav-toggle-label")
    assert page.locator("nav[aria-label=Main] >> text=Monitors").is_visible()
    _shot(page, "navigation-phone.png")


@pytest.mark.slow
def test_the_acknowledge_link_of_a_notification_confirms_before_acknowledging(
    served: Served, browser: Any
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    _login(page, served)
    page.goto(served.url + "/incidents/declare/")
    page.fill("#id_title", "Checkout errors")
    page.click("button:has-text('Declare')")
    incident_url = page.url

    page.goto(incident_url.rstrip("/") + "/acknowledge/")
    _shot(page, "acknowledge-link-390.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    _shot(page, "acknowledge-link-1280.png")
    assert page.locator("h1").inner_text().startswith("Acknowledge #")

    page.click("button:has-text('Acknowledge')")
    assert page.url == incident_url
    assert page.locator("text=Acknowledged by admin").count() == 1
