"""Exports for each audience, and the .md round trip with the CLI's format."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hindsight.accounts.models import User
from hindsight.accounts.services import create_token
from hindsight.core.model import SectionKind
from hindsight.core.parser import parse
from hindsight.postmortems import printing, services
from hindsight.postmortems.models import PostMortem

from .conftest import with_section

pytestmark = pytest.mark.django_db

ITEMS = (
    "| Action | Owner | Due | Priority | Term | Status |\n| --- | --- | --- | --- | --- | --- |\n"
    "| Alert on trust-chain changes | @ed-editor | 2026-03-20 | P1 | long-term | open |"
)


@pytest.fixture
def written(draft: PostMortem, an_editor: User) -> PostMortem:
    text = with_section(draft.body, SectionKind.ACTION_ITEMS, ITEMS)
    return services.save_body(postmortem=draft, body=text, author=an_editor, expected_version=1)


def _get(user: User, path: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(path)


def test_the_markdown_download_is_the_text_the_cli_reads(
    written: PostMortem, the_viewer: User
) -> None:
    answer = _get(the_viewer, f"/postmortems/{written.pk}/export.md?audience=full")
    assert (answer.content.decode(), answer["Content-Disposition"]) == (
        written.body,
        'attachment; filename="post-mortem-checkout-502s-full.md"',
    )


def test_the_summary_is_one_page_with_the_top_actions(
    written: PostMortem, the_viewer: User
) -> None:
    text = _get(
        the_viewer, f"/postmortems/{written.pk}/export.md?audience=summary"
    ).content.decode()
    assert "- Alert on trust-chain changes (@ed-editor, due 2026-03-20, P1)" in text


def test_the_public_version_leaves_out_owners(written: PostMortem, the_viewer: User) -> None:
    text = _get(the_viewer, f"/postmortems/{written.pk}/export.md?audience=public").content.decode()
    assert ("## What we are changing" in text, "@ed-editor" in text) == (True, False)


def test_the_html_is_one_self_contained_printable_page(
    written: PostMortem, the_viewer: User
) -> None:
    answer = _get(the_viewer, f"/postmortems/{written.pk}/export.html?audience=full")
    page = answer.content.decode()
    assert (page.startswith("<!DOCTYPE html>"), "@page" in page, "<link" in page) == (
        True,
        True,
        False,
    )
    assert answer["Content-Security-Policy"].startswith("default-src 'none'")


def test_the_json_has_the_sections_timeline_and_action_items(
    written: PostMortem, the_viewer: User
) -> None:
    data = json.loads(
        _get(the_viewer, f"/postmortems/{written.pk}/export.json?audience=full").content
    )
    assert (data["id"], data["version"], data["audience"], data["action_items"][0]["owner"]) == (
        written.pk,
        2,
        "full",
        "@ed-editor",
    )
    assert [s["kind"] for s in data["sections"]][:2] == ["summary", "timeline"]


def test_the_pdf_is_a_pdf(written: PostMortem, the_viewer: User) -> None:
    from tests.system import require

    require(not printing.missing(), printing.missing())
    answer = _get(the_viewer, f"/postmortems/{written.pk}/export.pdf?audience=summary")
    assert answer.content[:5] == b"%PDF-"


def test_without_pango_the_pdf_says_what_to_install(
    written: PostMortem, the_viewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "weasyprint", None)
    answer = _get(the_viewer, f"/postmortems/{written.pk}/export.pdf")
    page = _get(the_viewer, f"/postmortems/{written.pk}/").content.decode()
    assert (answer.status_code, answer.json()["code"]) == (501, "pdf_unavailable")
    assert "No PDF here: PDF output needs WeasyPrint and the system Pango library" in page


def test_an_api_token_may_fetch_an_export(written: PostMortem, the_viewer: User) -> None:
    _, secret = create_token(username=the_viewer.username, name="export")
    answer = Client(headers={"Authorization": f"Bearer {secret}"}).get(
        f"/postmortems/{written.pk}/export.json?audience=summary"
    )
    assert (answer.status_code, answer.json()["audience"]) == (200, "summary")


def test_an_unknown_audience_is_refused(written: PostMortem, the_viewer: User) -> None:
    answer = _get(the_viewer, f"/postmortems/{written.pk}/export.md?audience=board")
    assert (answer.status_code, answer.json()["code"]) == (400, "bad_request")


def _upload(user: User, postmortem: PostMortem, content: bytes, version: int) -> Any:
    client = Client()
    client.force_login(user)
    return client.post(
        f"/postmortems/{postmortem.pk}/upload/",
        {"file": SimpleUploadedFile("pm.md", content), "version": str(version)},
        follow=True,
    )


def test_an_uploaded_md_replaces_the_text(written: PostMortem, an_editor: User) -> None:
    text = written.body.replace("Alert on trust-chain changes", "Alert on any CA change")
    _upload(an_editor, written, text.encode(), version=2)
    stored = PostMortem.objects.get()
    assert (stored.version, parse(stored.body).action_items()[0].text) == (
        3,
        "Alert on any CA change",
    )


def test_an_upload_based_on_an_old_version_is_reported_not_overwritten(
    written: PostMortem, an_editor: User
) -> None:
    answer = _upload(an_editor, written, b"# Mine\n\n## Summary\n\nX.\n\n## Timeline\n\nY.\n", 1)
    assert (answer.status_code, "Someone else saved meanwhile" in answer.content.decode()) == (
        409,
        True,
    )
    assert PostMortem.objects.get().body == written.body


def test_an_upload_that_is_not_utf8_is_refused(written: PostMortem, an_editor: User) -> None:
    answer = _upload(an_editor, written, "Résumé".encode("latin-1"), version=2)
    assert "pm.md is not UTF-8 text. Nothing was saved." in answer.content.decode()
    assert PostMortem.objects.get().version == 2


def test_an_upload_that_is_not_a_post_mortem_is_refused(
    written: PostMortem, an_editor: User
) -> None:
    answer = _upload(an_editor, written, b"# Shopping list\n\n- milk\n", version=2)
    assert "pm.md doesn&#x27;t look like a post-mortem" in answer.content.decode()
    assert PostMortem.objects.get().version == 2
