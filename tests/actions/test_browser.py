"""In Debian's Chromium against a real `hindsight serve` with the demo data: the action
board, and closing an item with its proof. Screenshots (desktop and 390 px) go to
test-artifacts/actions/."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser import ARTIFACTS, Served, log_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SHOTS = ARTIFACTS / "actions"
ALERT = "Alert when a certificate in the gateway trust chain changes"
NOTE = "Rotated a staging intermediate: the new alert fired within 60 s."

pytestmark = pytest.mark.slow


def _shot(page: Page, name: str, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def test_the_board_filters_and_an_item_closes_with_its_proof(
    browser: Browser, served: Served
) -> None:
    from playwright.sync_api import expect

    admin = log_in(browser, served, "admin", served.password)
    admin.click("header nav >> text=Action items")
    expect(admin.locator("h1")).to_have_text("Action items")
    expect(admin.locator("table.action-board tbody tr")).not_to_have_count(0)
    _shot(admin, "01-board")

    admin.select_option("#f-priority", "P1")
    admin.select_option("#f-status", "open_any")
    admin.click("form.search button[type=submit]")
    expect(admin.locator("table.action-board tbody tr", has_text=ALERT)).to_have_count(1)
    _shot(admin, "02-board-open-p1", full=True)

    admin.click(f"text={ALERT}")
    admin.click("#close-form button:has-text('Close as done')")  # a link chosen, none given
    expect(admin.locator(".messages .error")).to_contain_text("Link evidence needs the URL")
    admin.check("#close-form input[value=note]")
    admin.fill("#ev-text", NOTE)
    admin.click("#close-form button:has-text('Close as done')")
    expect(admin.locator("#proof")).to_contain_text(f"Verified: {NOTE}")
    _shot(admin, "03-closed-with-proof", full=True)

    admin.click(".crumbs >> text=Post-mortem:")
    expect(admin.locator("#follow-through")).to_contain_text(f"Verified: {NOTE}")
    admin.locator("#follow-through").scroll_into_view_if_needed()
    admin.screenshot(path=str(SHOTS / "04-proof-on-the-post-mortem.png"))


def test_the_board_reads_on_a_phone(browser: Browser, served: Served) -> None:
    from playwright.sync_api import expect

    phone = log_in(browser, served, "admin", served.password, width=390)
    phone.goto(served.url + "/actions/?status=open_any")
    expect(phone.locator("table.action-board tbody tr").first).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    _shot(phone, "05-board-390px")
    phone.locator("#board").screenshot(path=str(SHOTS / "05b-board-rows-390px.png"))
    assert width <= 390
    phone.click("table.action-board tbody tr a >> nth=0")
    expect(phone.locator("#proof")).to_be_visible()
    _shot(phone, "06-item-390px", full=True)
