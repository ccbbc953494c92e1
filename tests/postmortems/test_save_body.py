"""Saving a post-mortem: a revision per save, optimistic locking, clear refusals."""

from __future__ import annotations

import pytest

from hindsight.accounts.models import User
from hindsight.core.model import SectionKind
from hindsight.core.parser import parse
from hindsight.core.review import review
from hindsight.postmortems import services
from hindsight.postmortems.models import PostMortem, PostMortemRevision

from .conftest import with_section

pytestmark = pytest.mark.django_db

SUMMARY = "Checkout failed for 20 minutes on 1 March; about 900 customers could not pay."


def _saved(draft: PostMortem, author: User, body: str | None = None) -> PostMortem:
    text = body or with_section(draft.body, SectionKind.SUMMARY, SUMMARY)
    return services.save_body(
        postmortem=draft, body=text, author=author, expected_version=draft.version
    )


def test_it_stores_the_text_as_the_next_version(draft: PostMortem, an_editor: User) -> None:
    saved = _saved(draft, an_editor)
    assert (saved.version, SUMMARY in PostMortem.objects.get().body) == (2, True)


def test_every_save_is_a_revision_with_author_and_score(draft: PostMortem, an_editor: User) -> None:
    saved = _saved(draft, an_editor)
    revision = PostMortemRevision.objects.get(postmortem=saved, version=2)
    assert (revision.author, revision.score, revision.body) == (
        an_editor,
        review(parse(saved.body)).score,
        saved.body,
    )


def test_it_stores_the_score_and_the_title_of_the_text(draft: PostMortem, an_editor: User) -> None:
    text = draft.body.replace("# Post-mortem: Checkout 502s", "# Checkout returned 502s")
    saved = _saved(draft, an_editor, text)
    assert (saved.title, saved.quality_score) == (
        "Checkout returned 502s",
        review(parse(saved.body)).score,
    )


def test_a_save_based_on_an_old_version_is_refused_and_stores_nothing(
    draft: PostMortem, an_editor: User, another_editor: User
) -> None:
    _saved(PostMortem.objects.get(), another_editor)
    with pytest.raises(services.VersionConflict) as refused:
        services.save_body(postmortem=draft, body="# Mine\n", author=an_editor, expected_version=1)
    stored = PostMortem.objects.get()
    assert (refused.value.current_version, stored.version, "# Mine" in stored.body) == (2, 2, False)


def test_the_conflict_carries_the_current_text(
    draft: PostMortem, an_editor: User, another_editor: User
) -> None:
    theirs = _saved(PostMortem.objects.get(), another_editor)
    with pytest.raises(services.VersionConflict) as refused:
        services.save_body(postmortem=draft, body="# Mine\n", author=an_editor, expected_version=1)
    assert refused.value.current_body == theirs.body


def test_saving_the_same_text_again_adds_no_version(draft: PostMortem, an_editor: User) -> None:
    services.save_body(
        postmortem=draft, body=draft.body, author=an_editor, expected_version=draft.version
    )
    assert PostMortem.objects.get().version == 1


def test_a_huge_paste_is_refused_with_the_limit_and_nothing_is_lost(
    draft: PostMortem, an_editor: User
) -> None:
    huge = draft.body + "x" * services.MAX_BODY_CHARS
    with pytest.raises(services.BodyTooLarge, match="the limit is 200,000. Nothing was saved"):
        _saved(draft, an_editor, huge)
    assert PostMortem.objects.get().body == draft.body


def test_broken_front_matter_is_refused_with_its_line(draft: PostMortem, an_editor: User) -> None:
    broken = draft.body.replace("severity: SEV2", "severity: [SEV2", 1)
    with pytest.raises(
        services.InvalidBody,
        match=r"^Line \d+: the front matter can't be read: it is not valid YAML",
    ):
        _saved(draft, an_editor, broken)
    assert PostMortem.objects.get().version == 1


def test_an_action_item_due_on_a_day_that_does_not_exist_is_refused(
    draft: PostMortem, an_editor: User
) -> None:
    items = (
        "| Action | Owner | Due |\n| --- | --- | --- |\n| Add an alert | @ed-editor | 2026-02-30 |"
    )
    text = with_section(draft.body, SectionKind.ACTION_ITEMS, items)
    with pytest.raises(services.InvalidBody) as refused:
        _saved(draft, an_editor, text)
    assert '"2026-02-30", which is not a real date; write it as YYYY-MM-DD' in str(refused.value)
    assert PostMortem.objects.get().version == 1


def test_the_front_matter_status_follows_the_workflow(draft: PostMortem, an_editor: User) -> None:
    text = draft.body.replace("status: draft", "status: published")
    saved = _saved(draft, an_editor, text)
    assert parse(saved.body).meta["status"] == "draft"


def test_saving_an_approved_post_mortem_sends_it_back_to_review(
    draft: PostMortem, an_editor: User, another_editor: User
) -> None:
    services.transition(postmortem=draft, to="in_review", actor=an_editor)
    services.transition(postmortem=draft, to="approved", actor=another_editor)
    saved = _saved(draft, an_editor)
    assert (saved.status, saved.approved_by) == ("in_review", None)


def test_a_published_post_mortem_is_not_edited(
    draft: PostMortem, an_editor: User, another_editor: User
) -> None:
    services.transition(postmortem=draft, to="in_review", actor=an_editor)
    services.transition(postmortem=draft, to="approved", actor=another_editor)
    services.transition(postmortem=draft, to="published", actor=an_editor)
    with pytest.raises(services.Refused, match="reopen it as a draft to edit it"):
        _saved(draft, an_editor)
    assert PostMortem.objects.get().version == 1


def test_the_saver_becomes_an_author(draft: PostMortem, another_editor: User) -> None:
    saved = _saved(draft, another_editor)
    assert sorted(u.username for u in saved.authors.all()) == ["ed-editor", "eve-editor"]
