"""The Post-mortems page and the workspace: writing, live review, conflicts, nothing lost."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.core.model import SectionKind
from hindsight.incidents.lifecycle import change_status
from hindsight.incidents.services import declare_incident
from hindsight.postmortems import services
from hindsight.postmortems.models import PostMortem

from .conftest import editor_form, part_index

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _summary_form(draft: PostMortem, text: str, version: int | None = None) -> dict[str, str]:
    data = editor_form(draft.body, version or draft.version)
    data[f"part-{part_index(draft.body, SectionKind.SUMMARY)}-body"] = text
    return data


def test_the_list_shows_post_mortems_of_every_status(
    draft: PostMortem, an_editor: User, another_editor: User, the_viewer: User
) -> None:
    services.transition(postmortem=draft, to="in_review", actor=an_editor)
    services.transition(postmortem=draft, to="approved", actor=another_editor)
    services.publish(postmortem=draft, audiences=["full"], actor=an_editor)
    page = _client(the_viewer).get("/postmortems/").content.decode()
    assert ("Post-mortem: Checkout 502s" in page, "Published" in page) == (True, True)


def test_the_list_finds_post_mortems_by_title(
    draft: PostMortem, an_editor: User, the_viewer: User
) -> None:
    other = declare_incident(title="Search slow")
    change_status(incident=other, status="resolved", actor=an_editor)
    page = _client(the_viewer).get("/postmortems/?q=SEARCH").content.decode()
    assert ("Post-mortem: Search slow" in page, "Checkout 502s" in page) == (True, False)


def test_the_incident_links_to_its_post_mortem_and_back(
    draft: PostMortem, the_viewer: User
) -> None:
    client = _client(the_viewer)
    incident_page = client.get(f"/incidents/{draft.incident_id}/").content.decode()
    workspace = client.get(f"/postmortems/{draft.pk}/").content.decode()
    assert (f'href="/postmortems/{draft.pk}/"' in incident_page) is True
    assert (f'href="/incidents/{draft.incident_id}/"' in workspace) is True


def test_an_editor_gets_a_text_box_for_each_of_the_six_sections(
    draft: PostMortem, an_editor: User
) -> None:
    page = _client(an_editor).get(f"/postmortems/{draft.pk}/").content.decode()
    labels = re.findall(r'<label for="part-\d+-body">([^<]+)</label>', page)
    assert labels == [
        "Summary",
        "Timeline",
        "Root cause analysis",
        "What went well",
        "What could be improved",
        "Action items",
    ]


def test_a_viewer_reads_the_post_mortem_without_a_form(draft: PostMortem, the_viewer: User) -> None:
    page = _client(the_viewer).get(f"/postmortems/{draft.pk}/").content.decode()
    assert ('id="editor" class="card rendered"' in page, "<textarea" in page) == (True, False)


def test_a_viewer_may_not_save(draft: PostMortem, the_viewer: User) -> None:
    answer = _client(the_viewer).post(
        f"/postmortems/{draft.pk}/save/", _summary_form(draft, "Mine.")
    )
    assert (answer.status_code, PostMortem.objects.get().version) == (403, 1)


def test_saving_the_form_stores_a_new_version(draft: PostMortem, an_editor: User) -> None:
    answer = _client(an_editor).post(
        f"/postmortems/{draft.pk}/save/", _summary_form(draft, "Checkout failed for 40 minutes.")
    )
    stored = PostMortem.objects.get()
    assert (
        answer.status_code,
        stored.version,
        "Checkout failed for 40 minutes." in stored.body,
    ) == (
        302,
        2,
        True,
    )


def test_a_stale_save_shows_both_texts_and_stores_nothing(
    draft: PostMortem, an_editor: User, another_editor: User
) -> None:
    _client(another_editor).post(f"/postmortems/{draft.pk}/save/", _summary_form(draft, "Theirs."))
    answer = _client(an_editor).post(
        f"/postmortems/{draft.pk}/save/", _summary_form(draft, "Mine.")
    )
    page = answer.content.decode()
    assert (answer.status_code, "Theirs." in page, "Mine." in page) == (409, True, True)
    assert "Mine." not in PostMortem.objects.get().body


def test_a_stale_save_offers_to_save_mine_over_the_current_version(
    draft: PostMortem, an_editor: User, another_editor: User
) -> None:
    _client(another_editor).post(f"/postmortems/{draft.pk}/save/", _summary_form(draft, "Theirs."))
    page = (
        _client(an_editor)
        .post(f"/postmortems/{draft.pk}/save/", _summary_form(draft, "Mine."))
        .content.decode()
    )
    assert '<input type="hidden" name="version" value="2">' in page


def test_a_stale_save_with_htmx_keeps_my_text_in_the_editor(
    draft: PostMortem, an_editor: User, another_editor: User
) -> None:
    _client(another_editor).post(f"/postmortems/{draft.pk}/save/", _summary_form(draft, "Theirs."))
    answer = _client(an_editor).post(
        f"/postmortems/{draft.pk}/save/", _summary_form(draft, "Mine."), headers=HTMX
    )
    page = answer.content.decode()
    assert (answer.status_code, 'id="editor"' in page, ">Mine.</textarea>" in page) == (
        409,
        True,
        True,
    )


def test_autosave_answers_with_the_saved_version(draft: PostMortem, an_editor: User) -> None:
    answer = _client(an_editor).post(
        f"/postmortems/{draft.pk}/autosave/", _summary_form(draft, "Typed so far."), headers=HTMX
    )
    page = answer.content.decode()
    assert "Saved version 2" in page
    assert (
        '<input type="hidden" name="version" id="pm-version" value="2" hx-swap-oob="true">' in page
    )


def test_autosave_based_on_an_old_version_shows_the_conflict(
    draft: PostMortem, an_editor: User, another_editor: User
) -> None:
    _client(another_editor).post(f"/postmortems/{draft.pk}/save/", _summary_form(draft, "Theirs."))
    answer = _client(an_editor).post(
        f"/postmortems/{draft.pk}/autosave/", _summary_form(draft, "Mine."), headers=HTMX
    )
    page = answer.content.decode()
    assert (answer.status_code, "Not saved: version 2 was saved meanwhile" in page) == (409, True)
    assert ('id="conflict"' in page, "Mine." in page) == (True, True)


def test_autosave_of_an_impossible_due_date_says_why_and_stores_nothing(
    draft: PostMortem, an_editor: User
) -> None:
    data = editor_form(draft.body, 1)
    items = (
        "| Action | Owner | Due |\n| --- | --- | --- |\n| Add an alert | @ed-editor | 2026-13-01 |"
    )
    data[f"part-{part_index(draft.body, SectionKind.ACTION_ITEMS)}-body"] = items
    answer = _client(an_editor).post(f"/postmortems/{draft.pk}/autosave/", data, headers=HTMX)
    assert (answer.status_code, "is not a real date" in answer.content.decode()) == (400, True)
    assert PostMortem.objects.get().version == 1


def test_the_live_review_points_a_blame_finding_at_its_section_and_line(
    draft: PostMortem, an_editor: User
) -> None:
    data = _summary_form(draft, "Checkout failed for 40 minutes.\nSam forgot to renew the cert.")
    page = _client(an_editor).post(f"/postmortems/{draft.pk}/review/", data).content.decode()
    finding = page.split('data-rule="blame-language"')[1].split("</li>")[0]
    assert re.search(r">Summary · line (\d+)</a>", finding)[1] == "2"  # type: ignore[index]


def test_the_live_review_stores_nothing(draft: PostMortem, an_editor: User) -> None:
    _client(an_editor).post(f"/postmortems/{draft.pk}/review/", _summary_form(draft, "Changed."))
    assert PostMortem.objects.get().version == 1


def test_the_live_review_shows_the_score_and_the_overdue_badge(
    draft: PostMortem, an_editor: User
) -> None:
    page = (
        _client(an_editor)
        .post(f"/postmortems/{draft.pk}/review/", editor_form(draft.body, 1))
        .content.decode()
    )
    assert (f"{draft.quality_score}<small>/100</small>" in page, "Overdue by" in page) == (
        True,
        True,
    )


def test_picking_an_event_adds_it_to_the_timeline(draft: PostMortem, an_editor: User) -> None:
    event = draft.incident.events.get(text__startswith="Status: investigating")
    client = _client(an_editor)
    client.post(
        f"/postmortems/{draft.pk}/save/", editor_form(draft.body, 1, op=f"unpick:{event.pk}")
    )
    removed = PostMortem.objects.get()
    client.post(
        f"/postmortems/{draft.pk}/save/", editor_form(removed.body, 2, op=f"pick:{event.pk}")
    )
    rows = [line for line in PostMortem.objects.get().body.split("\n") if "investigating →" in line]
    assert ("investigating →" in removed.body, rows) == (
        False,
        ["| 2026-03-01 09:40 UTC | ed-editor | Status: investigating → resolved |"],
    )


def test_a_hidden_event_cannot_be_picked(draft: PostMortem, an_editor: User) -> None:
    event = draft.incident.events.get(text="Rolled back release 42")
    event.hidden = True
    event.save()
    data = editor_form(draft.body, 1, op=f"pick:{event.pk}")
    answer = _client(an_editor).post(f"/postmortems/{draft.pk}/save/", data)
    assert (answer.status_code, "Hidden events are never included" in answer.content.decode()) == (
        400,
        True,
    )


def test_adding_an_action_item_row_writes_it_into_the_markdown(
    draft: PostMortem, an_editor: User
) -> None:
    data = editor_form(
        draft.body,
        1,
        op="item-add",
        **{
            "new-item-text": "Alert on trust-chain changes",
            "new-item-owner": "@ed-editor",
            "new-item-due": "2026-03-20",
            "new-item-priority": "P1",
            "new-item-term": "long-term",
        },
    )
    _client(an_editor).post(f"/postmortems/{draft.pk}/save/", data)
    row = "| Alert on trust-chain changes | @ed-editor | 2026-03-20 | P1 | long-term |  |"
    assert (row in PostMortem.objects.get().body, draft.action_items.count()) == (True, 1)


def test_an_action_item_row_with_a_bad_date_is_refused_and_nothing_is_lost(
    draft: PostMortem, an_editor: User
) -> None:
    data = _summary_form(draft, "Unsaved words.")
    data |= {"op": "item-add", "new-item-text": "Add alert", "new-item-due": "31/02/2026"}
    page = _client(an_editor).post(f"/postmortems/{draft.pk}/save/", data).content.decode()
    assert (
        "&quot;31/02/2026&quot; is not a date" in page,
        ">Unsaved words.</textarea>" in page,
    ) == (
        True,
        True,
    )
    assert PostMortem.objects.get().version == 1


def test_the_preview_is_sanitised_html(draft: PostMortem, an_editor: User) -> None:
    body = "**Bold** <script>alert(1)</script>"
    page = (
        _client(an_editor)
        .post(f"/postmortems/{draft.pk}/preview/", {"part-0-body": body})
        .content.decode()
    )
    assert page == "<p><strong>Bold</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"


def test_the_history_compares_two_versions(draft: PostMortem, an_editor: User) -> None:
    client = _client(an_editor)
    client.post(f"/postmortems/{draft.pk}/save/", _summary_form(draft, "Forty minutes down."))
    page = client.get(f"/postmortems/{draft.pk}/diff/?from=1&to=2").content.decode()
    assert '<span class="diff-line added">+Forty minutes down.</span>' in page


def test_comments_are_added_and_resolved_from_the_page(draft: PostMortem, an_editor: User) -> None:
    client = _client(an_editor)
    client.post(
        f"/postmortems/{draft.pk}/comments/", {"section": "Summary", "text": "How many users?"}
    )
    comment = draft.comments.get()
    client.post(f"/postmortems/{draft.pk}/comments/{comment.pk}/resolve/", {"resolved": "1"})
    comment.refresh_from_db()
    assert (comment.section, comment.text, comment.resolved_by) == (
        "Summary",
        "How many users?",
        an_editor,
    )


def test_submitting_for_review_from_the_page_assigns_reviewers(
    draft: PostMortem, an_editor: User, a_responder: User
) -> None:
    _client(an_editor).post(
        f"/postmortems/{draft.pk}/transition/", {"to": "in_review", "reviewers": [a_responder.pk]}
    )
    stored = PostMortem.objects.get()
    assert (stored.status, list(stored.reviewers.all())) == ("in_review", [a_responder])


def test_a_refused_transition_says_why(draft: PostMortem, an_editor: User) -> None:
    client = _client(an_editor)
    client.post(f"/postmortems/{draft.pk}/transition/", {"to": "in_review"})
    page = client.post(f"/postmortems/{draft.pk}/transition/", {"to": "approved"}, follow=True)
    assert "Nothing changed: You are the only author" in page.content.decode()


def test_a_search_with_a_nul_character_still_answers(draft: PostMortem, the_viewer: User) -> None:
    page = _client(the_viewer).get("/postmortems/?q=Check%00out&service=a%00b")
    assert page.status_code == 200


def test_a_comment_with_a_nul_character_is_refused(draft: PostMortem, an_editor: User) -> None:
    page = _client(an_editor).post(
        f"/postmortems/{draft.pk}/comments/", {"section": "Summary", "text": "a\x00b"}, follow=True
    )
    assert ("contains NUL characters" in page.content.decode(), draft.comments.count()) == (True, 0)
