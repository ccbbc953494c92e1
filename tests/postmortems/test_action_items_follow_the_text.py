"""Action items are rows that stay in step with the post-mortem's Markdown."""

from __future__ import annotations

import datetime as dt

import pytest

from hindsight.accounts.models import User
from hindsight.actions.models import ActionItem, ActionKind, ActionStatus
from hindsight.core.model import SectionKind
from hindsight.postmortems import services
from hindsight.postmortems.models import PostMortem

from .conftest import with_section

pytestmark = pytest.mark.django_db

HEADER = (
    "| Action | Owner | Due | Priority | Term | Status |\n| --- | --- | --- | --- | --- | --- |\n"
)
ALERT = "| Alert on trust-chain changes | @ed-editor | 2026-03-20 | P1 | immediate | open |\n"
CANARY = "| Canary the rotation job | rita-responder | 2026-04-10 | P2 | long-term | open |\n"


def _save(postmortem: PostMortem, items: str, author: User) -> PostMortem:
    current = PostMortem.objects.get(pk=postmortem.pk)
    text = with_section(current.body, SectionKind.ACTION_ITEMS, HEADER + items)
    return services.save_body(
        postmortem=current, body=text, author=author, expected_version=current.version
    )


def test_each_written_item_becomes_a_row_with_owner_due_priority_and_term(
    draft: PostMortem, an_editor: User, a_responder: User
) -> None:
    _save(draft, ALERT + CANARY, an_editor)
    rows = [
        (r.title, r.owner, r.due_date, r.priority, r.kind)
        for r in ActionItem.objects.order_by("id")
    ]
    assert rows == [
        ("Alert on trust-chain changes", an_editor, dt.date(2026, 3, 20), "P1", "immediate"),
        ("Canary the rotation job", a_responder, dt.date(2026, 4, 10), "P2", ActionKind.LONG_TERM),
    ]


def test_the_rows_belong_to_the_post_mortem_and_its_incident(
    draft: PostMortem, an_editor: User
) -> None:
    _save(draft, ALERT, an_editor)
    row = ActionItem.objects.get()
    assert (row.postmortem_id, row.incident_id) == (draft.pk, draft.incident_id)


def test_rewording_an_item_keeps_its_row_and_progress(draft: PostMortem, an_editor: User) -> None:
    _save(draft, ALERT, an_editor)
    ActionItem.objects.update(status=ActionStatus.IN_PROGRESS)
    first = ActionItem.objects.get()
    _save(draft, ALERT.replace("Alert on trust-chain changes", "Alert on any CA change"), an_editor)
    row = ActionItem.objects.get()
    assert (row.pk, row.title, row.status) == (first.pk, "Alert on any CA change", "in_progress")


def test_an_item_taken_out_of_the_text_is_removed(draft: PostMortem, an_editor: User) -> None:
    _save(draft, ALERT + CANARY, an_editor)
    _save(draft, CANARY, an_editor)
    assert list(ActionItem.objects.values_list("title", flat=True)) == ["Canary the rotation job"]


def test_a_done_item_taken_out_of_the_text_keeps_its_history(
    draft: PostMortem, an_editor: User
) -> None:
    _save(draft, ALERT.replace("| open |", "| done |") + CANARY, an_editor)
    _save(draft, CANARY, an_editor)
    kept = ActionItem.objects.get(title="Alert on trust-chain changes")
    assert (kept.postmortem_id, kept.incident_id, kept.status) == (None, draft.incident_id, "done")


def test_marking_an_item_done_in_the_text_completes_its_row(
    draft: PostMortem, an_editor: User
) -> None:
    _save(draft, ALERT, an_editor)
    _save(draft, ALERT.replace("| open |", "| done |"), an_editor)
    row = ActionItem.objects.get()
    assert (row.status, row.completed_at is not None) == ("done", True)


def test_an_owner_who_is_not_a_user_stays_in_the_text_without_a_row_owner(
    draft: PostMortem, an_editor: User
) -> None:
    saved = _save(draft, ALERT.replace("@ed-editor", "Payments team"), an_editor)
    assert (ActionItem.objects.get().owner, "Payments team" in saved.body) == (None, True)


def test_an_owner_is_found_by_full_name(draft: PostMortem, an_editor: User) -> None:
    an_editor.first_name, an_editor.last_name = "Ed", "Itor"
    an_editor.save()
    _save(draft, ALERT.replace("@ed-editor", "Ed Itor"), an_editor)
    assert ActionItem.objects.get().owner == an_editor


def test_an_item_closed_with_proof_stays_closed_when_the_text_is_saved(
    draft: PostMortem, an_editor: User
) -> None:
    from hindsight.actions import services as actions

    _save(draft, ALERT, an_editor)
    note = actions.Evidence(kind="note", text="Replayed the expired chain: alert fired")
    actions.close(item=ActionItem.objects.get(), actor=an_editor, evidence=note)
    _save(draft, ALERT.replace("trust-chain changes", "trust-chain changes (any CA)"), an_editor)
    row = ActionItem.objects.get()
    assert (row.status, row.verification_note) == (
        "done",
        "Replayed the expired chain: alert fired",
    )


def test_the_proof_of_done_shows_on_the_post_mortem(draft: PostMortem, an_editor: User) -> None:
    from django.test import Client

    from hindsight.actions import services as actions

    _save(draft, ALERT, an_editor)
    pull = actions.Evidence(kind="link", url="https://git.example/shop/pull/42")
    actions.close(item=ActionItem.objects.get(), actor=an_editor, evidence=pull)
    client = Client()
    client.force_login(an_editor)
    page = client.get(f"/postmortems/{draft.pk}/").content.decode()
    assert 'Verified by <a href="https://git.example/shop/pull/42"' in page
