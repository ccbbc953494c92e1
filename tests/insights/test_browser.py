"""In a real browser against `hindsight serve` with the demo: search from the navigation,
see similar incidents, open the insights dashboard; desktop and phone screenshots."""

from __future__ import annotations

import pytest

from tests.statuspage.test_browser import ARTIFACTS, CHROMIUM_ARGS, served  # noqa: F401
from tests.system import require_chromium

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def browser_page(served):  # noqa: F811
    chromium = require_chromium()
    from playwright.sync_api import sync_playwright

    url, password = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            page = context.new_page()
            page.goto(url + "/accounts/login/")
            page.fill("#id_username", "admin")
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            yield url, page
        finally:
            browser.close()


def _shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{size}.png"), full_page=True)


@pytest.mark.slow
def test_a_search_from_the_navigation_shows_highlighted_hits(browser_page):
    url, page = browser_page
    page.goto(url + "/incidents/")
    page.fill("#nav-q", "certificate expired")
    page.press("#nav-q", "Enter")
    page.wait_for_url(f"{url}/search/?q=certificate+expired")
    first = page.locator("ol.results li.result").first
    assert "certificate expired" in first.locator(".result-title").inner_text()
    assert "certificate" in page.locator(".snippet mark").first.inner_text().lower()
    _shoot(page, "search")


@pytest.mark.slow
def test_the_insights_dashboard_draws_every_chart(browser_page):
    url, page = browser_page
    page.goto(url + "/insights/")
    page.wait_for_load_state("networkidle")
    images = page.locator(".chart img")
    widths = images.evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth)")
    assert len(widths) == 9 and all(w > 0 for w in widths)
    assert page.locator("#recognition-h").inner_text() == "Thorough post-mortems"
    page.locator(".chart img").last.scroll_into_view_if_needed()
    _shoot(page, "insights")


@pytest.mark.slow
def test_an_incident_shows_similar_incidents_and_why(browser_page):
    url, page = browser_page
    page.goto(url + "/incidents/?show=resolved")
    page.click("text=Checkout failing after payment gateway certificate rotation")
    reasons = page.locator(".similar .why").all_inner_texts()
    assert any("same service: Checkout API" in r for r in reasons)
    _shoot(page, "similar")


@pytest.mark.slow
def test_the_printable_report_draws_every_chart_inline(browser_page):
    url, page = browser_page
    page.goto(url + "/insights/")
    page.click("text=Printable report")
    page.wait_for_url(f"{url}/insights/report.html")
    charts = page.locator("figure.chart svg")
    widths = charts.evaluate_all("svgs => svgs.map(s => s.getBoundingClientRect().width)")
    assert len(widths) == 9 and all(w > 100 for w in widths)
    page.set_viewport_size(SIZES["phone"])  # wide tables scroll in their box, not the page
    assert page.evaluate("document.documentElement.scrollWidth") == SIZES["phone"]["width"]
    _shoot(page, "insights-report")
