"""In Debian's Chromium against a real `hindsight serve`: draw a 5 Whys chain and a fault
tree, see them in the HTML and PDF exports; write, approve and publish the customer version
and see it on the status page's incident, with its subscriber told once. Screenshots go to
test-artifacts/diagrams/ (desktop and 390 px)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.browser import ARTIFACTS, REPO, Served

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SHOTS = ARTIFACTS / "diagrams"
pytestmark = pytest.mark.slow


def django(served: Served, code: str) -> str:
    """Run Python against the served database (test setup and checks only)."""
    env = {**served.env, "DJANGO_SETTINGS_MODULE": "hindsight.settings"}
    setup = "import django; django.setup()\n"
    done = subprocess.run(
        [sys.executable, "-c", setup + code], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def login(
    browser: Browser, served: Served, username: str, password: str, width: int = 1280
) -> Page:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(served.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/incidents/$"))
    return page


def shot(page: Page, name: str, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state()
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def open_checkout(page: Page, served: Served) -> str:
    page.goto(served.url + "/postmortems/")
    page.click("text=Post-mortem: Checkout failing")
    page.wait_for_selector("#editor")
    return page.url


def test_draw_export_and_publish_for_customers(browser: Browser, served: Served) -> None:
    from playwright.sync_api import expect
    from pypdf import PdfReader

    admin = login(browser, served, "admin", served.password)
    workspace = open_checkout(admin, served)

    admin.fill("#why-problem", "Checkout failed for card payments")
    admin.fill("#why-whys", "The gateway refused our TLS handshake\nIts certificate had rotated")
    admin.fill("#why-factor", "Nobody tracks the gateway's certificate rotations")
    admin.select_option("#why-tag", "certificate-expiry")
    admin.click("#whys-panel button:has-text('Add chain')")
    expect(admin.locator("#whys-panel .diagram-view svg")).to_be_visible(timeout=15_000)

    for label, gate, parent in [
        ("Card payments fail", "OR", None),
        ("TLS handshake refused", "AND", "card-payments-fail"),
        ("Gateway rotated its certificate", "", "tls-handshake-refused"),
        ("Our pinned chain was not updated", "", "tls-handshake-refused"),
    ]:
        admin.fill("#tree-label", label)
        admin.select_option("#tree-gate", gate)
        if parent:
            admin.select_option("#tree-parent", parent)
        admin.click("#fault-tree-panel button:has-text('Add event')")
        expect(admin.locator("#fault-tree-panel .diagram-rows li", has_text=label)).to_have_count(
            1, timeout=15_000
        )
    admin.locator("#diagrams").scroll_into_view_if_needed()
    shot(admin, "01-whys-and-fault-tree-drawn", full=True)
    admin.locator("#fault-tree-panel").screenshot(path=str(SHOTS / "02-fault-tree-panel.png"))

    admin.goto(workspace + "export.html")
    expect(admin.locator("figure.diagram")).to_have_count(2)
    expect(
        admin.locator("figure.diagram-fault-tree svg text", has_text="TLS handshake refused")
    ).to_have_count(1)
    shot(admin, "03-html-export", full=True)
    pdf = admin.request.get(workspace + "export.pdf").body()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert ("TLS handshake refused" in text, "Nobody tracks the gateway" in text) == (True, True)

    django(
        served,
        "from django.utils import timezone\n"
        "from hindsight.statuspage.models import StatusPage, Subscriber\n"
        "Subscriber.objects.create(page=StatusPage.objects.get(slug='acme'), kind='email',"
        " email='reader@example.com', confirmed_at=timezone.now())",
    )
    admin.goto(workspace + "customer/")
    leaky = "Maria restarted pay-gw-prod-1 after a talk in #inc-checkout."
    text_box = admin.locator("#customer-text")
    draft = text_box.input_value()
    text_box.fill(draft + "\n" + leaky + "\n")
    admin.click("button:has-text('Save customer version')")
    expect(admin.locator("#customer-error")).to_contain_text("internal chat channel")
    expect(admin.locator("#customer-error")).to_contain_text("It names Maria")
    shot(admin, "04-customer-version-refused")
    admin.locator("#customer-text").fill(draft)
    admin.click("button:has-text('Save customer version')")
    expect(admin.locator(".customer-state")).to_contain_text("Waiting for approval")

    # Sam reviews this post-mortem (the demo submitted it to him); the author can't approve.
    password = served.cli("users", "set-password", "sam").strip().rsplit(": ", 1)[1]
    sam = login(browser, served, "sam", password)
    sam.goto(workspace + "customer/")
    sam.click("button:has-text('Approve')")
    expect(sam.locator(".customer-state")).to_contain_text("Approved by")

    admin.goto(workspace + "customer/")
    admin.click("button:has-text('Publish to the status page')")
    expect(admin.locator(".customer-state")).to_contain_text("Published")
    with admin.expect_navigation():  # the screenshot waits for the page it posts to
        admin.click("button:has-text('Publish again')")
    expect(admin.locator(".customer-state")).to_contain_text("Published")
    shot(admin, "05-customer-version-published")

    incident = django(
        served,
        "from hindsight.postmortems.models import PostMortem\n"
        f"print(PostMortem.objects.get(pk={workspace.rstrip('/').rsplit('/', 1)[1]}).incident_id)",
    )
    visitor = browser.new_context(viewport={"width": 390, "height": 900}).new_page()
    visitor.goto(f"{served.url}/status/incidents/{incident}/")
    expect(visitor.locator("section.postmortem")).to_be_visible(timeout=15_000)
    assert "Maria" not in visitor.locator("section.postmortem").inner_text()
    shot(visitor, "06-status-page-incident-phone", full=True)
    told = django(
        served,
        "from hindsight.outbox.models import Delivery\n"
        "print(sum('Post-mortem published' in d.payload.get('subject', '')"
        " for d in Delivery.objects.all()))",
    )
    assert told == "1"


def test_the_diagrams_on_a_phone(browser: Browser, served: Served) -> None:
    phone = login(browser, served, "admin", served.password, width=390)
    open_checkout(phone, served)
    phone.locator("#diagrams").scroll_into_view_if_needed()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "phone-01-diagram-forms")
    phone.locator("#meeting").scroll_into_view_if_needed()
    shot(phone, "phone-02-review-meeting")
