"""In Debian's Chromium against a real `hindsight serve`: the whole life of a post-mortem.

Resolve an incident, open the draft it wrote, edit the summary and watch a blame
finding appear and go away after rewording, add an action item, submit for
review, comment, approve as another user, publish and export. Screenshots of
each step (desktop, and 390 px phone width) go to test-artifacts/postmortems/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser import ARTIFACTS, Served

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

SHOTS = ARTIFACTS / "postmortems"
BLAMING = "Sam forgot to pause the index rebuild, so search was slow for 42 minutes."
BLAMELESS = (
    "The index rebuild ran at peak time with no load check, so search was slow for 42 minutes."
)
EVIL = '<script>alert("pm")</script><img src=x onerror=alert(1)>[x](javascript:alert(2))'

pytestmark = pytest.mark.slow


def _login(
    browser: Browser, served: Served, username: str, password: str, width: int = 1280
) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(served.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/incidents/$"))
    return page


def _shot(page: Page, name: str, full: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def _summary(page: Page) -> Locator:
    label = page.locator("label", has_text=re.compile(r"^Summary$"))
    return page.locator(f"#{label.get_attribute('for')}")


def _resolve_the_open_incident(page: Page, served: Served) -> None:
    page.goto(served.url + "/incidents/?show=open")
    page.click("text=Elevated search latency")
    controls = page.locator("section.controlbar")
    controls.locator("select[name=status]").select_option("resolved")
    controls.locator("form", has=page.locator("select[name=status]")).locator("button").click()
    # A SEV3 needs no post-mortem by the default policy: the responder asks for one.
    page.click("button:has-text('Write a post-mortem')")
    page.wait_for_selector("#editor")


def test_a_post_mortem_from_resolve_to_export(browser: Browser, served: Served) -> None:
    from playwright.sync_api import expect

    admin = _login(browser, served, "admin", served.password)
    _resolve_the_open_incident(admin, served)
    workspace = admin.url
    expect(admin.locator("h1")).to_have_text("Post-mortem: Elevated search latency")
    _shot(admin, "01-draft-written-on-resolve")

    summary = _summary(admin)
    summary.fill(summary.input_value() + "\n\n" + BLAMING)
    blame = admin.locator("li.finding[data-rule='blame-language']")
    expect(blame).to_have_count(1, timeout=15_000)
    expect(blame.locator("a.goto")).to_contain_text("Summary · line")
    blame.scroll_into_view_if_needed()
    _shot(admin, "02-blame-finding-appears", full=False)

    summary.fill(summary.input_value().replace(BLAMING, BLAMELESS))
    expect(blame).to_have_count(0, timeout=15_000)
    expect(admin.locator("#save-status.saved")).to_be_visible(timeout=15_000)
    _shot(admin, "03-reworded-and-autosaved", full=False)

    admin.fill("#new-item-text", "Run index rebuilds outside 08:00-20:00 UTC")
    admin.select_option("select[name=new-item-owner]", "@maria")
    admin.fill("input[name=new-item-due]", "2030-01-31")
    admin.select_option("select[name=new-item-priority]", "P2")
    admin.select_option("select[name=new-item-term]", "long-term")
    admin.click("text=Add action item")
    expect(admin.locator("input[name=item-0-text]")).to_have_value(
        "Run index rebuilds outside 08:00-20:00 UTC", timeout=15_000
    )
    admin.locator("#action-items").scroll_into_view_if_needed()
    _shot(admin, "04-action-item-added", full=False)

    admin.locator("#workflow label", has_text="Maria Santos").locator("input").check()
    admin.click("text=Submit for review")
    expect(admin.locator("#workflow [aria-current=step]")).to_have_text("In review")
    admin.select_option("#comment-section", "Summary")
    admin.fill("#comment-text", "Please say how many searches timed out.")
    admin.click("#comments button:has-text('Comment')")
    expect(admin.locator("#comments article.comment")).to_have_count(1)
    admin.locator("#comments").scroll_into_view_if_needed()
    _shot(admin, "05-in-review-with-a-comment", full=False)

    password = served.cli("users", "set-password", "maria").strip().rsplit(": ", 1)[1]
    maria = _login(browser, served, "maria", password)
    maria.goto(workspace)
    expect(maria.locator("#workflow")).to_contain_text("resolve it before approving")
    maria.click("#comments button:has-text('Resolve')")
    maria.click("#workflow button:has-text('Approve')")
    expect(maria.locator("#workflow [aria-current=step]")).to_have_text("Approved")
    maria.locator("#workflow").screenshot(path=str(SHOTS / "06-approved-by-another-user.png"))
    maria.click("#workflow button:has-text('Publish')")
    expect(maria.locator("#workflow [aria-current=step]")).to_have_text("Published")
    _shot(maria, "07-published", full=False)

    admin.goto(workspace)
    with admin.expect_download() as markdown:
        admin.click("#export tr:has-text('Everyone inside') a:has-text('Markdown')")
    text = Path(markdown.value.path()).read_text(encoding="utf-8")
    assert (BLAMELESS in text, "status: published" in text) == (True, True)
    with admin.expect_download() as pdf:
        admin.click("#export tr:has-text('Executives') a:has-text('PDF')")
    assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"
    admin.click("#export tr:has-text('Customers') a:has-text('HTML')")
    expect(admin.locator("h1")).to_have_text("Post-mortem: Elevated search latency")
    assert "@maria" not in admin.content()
    _shot(admin, "08-exported-for-customers")


def test_the_workspace_on_a_phone(browser: Browser, served: Served) -> None:
    from playwright.sync_api import expect

    phone = _login(browser, served, "admin", served.password, width=390)
    phone.goto(served.url + "/postmortems/")
    _shot(phone, "phone-01-list")
    phone.click("text=Post-mortem: Checkout failing")
    phone.wait_for_selector("#editor")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(phone, "phone-02-workspace-top", full=False)
    phone.locator("#action-items").scroll_into_view_if_needed()
    _shot(phone, "phone-03-action-items", full=False)
    phone.locator("#review").scroll_into_view_if_needed()
    expect(phone.locator("li.finding[data-rule='vague-statement']")).to_have_count(1)
    _shot(phone, "phone-04-review", full=False)
    phone.locator("#workflow").scroll_into_view_if_needed()
    _shot(phone, "phone-05-workflow-and-comments", full=False)


def test_script_typed_into_a_post_mortem_never_runs(browser: Browser, served: Served) -> None:
    from playwright.sync_api import expect

    admin = _login(browser, served, "admin", served.password)
    dialogs: list[str] = []
    admin.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    admin.goto(served.url + "/postmortems/")
    admin.click("text=Post-mortem: Checkout failing")
    summary = _summary(admin)
    summary.fill(summary.input_value() + "\n\n" + EVIL)
    admin.click("#section-0 button:has-text('Preview')")
    expect(admin.locator("#save-status.saved")).to_be_visible(timeout=15_000)
    admin.reload()
    workspace = admin.url
    for page in ("", "export.html", "export.html?audience=summary", "revisions/"):
        admin.goto(workspace + page)
    admin.goto(served.url + "/postmortems/")
    assert dialogs == []


def test_a_huge_paste_is_stopped_with_the_limit_and_the_text_stays(
    browser: Browser, served: Served
) -> None:
    from playwright.sync_api import expect

    admin = _login(browser, served, "admin", served.password)
    admin.goto(served.url + "/postmortems/")
    admin.click("text=Post-mortem: Checkout failing")
    version = admin.locator("#pm-version").input_value()
    summary = _summary(admin)
    summary.fill("A very long paste. " * 12_000)
    expect(admin.locator("#save-status")).to_contain_text(
        "Not saved: the post-mortem is", timeout=15_000
    )
    expect(admin.locator("#save-status")).to_contain_text("the limit is 200,000")
    assert (admin.locator("#pm-version").input_value(), len(summary.input_value())) == (
        version,
        228_000,
    )
