"""Draft → in review → approved → published, and who may move it."""

from __future__ import annotations

import pytest

from hindsight.accounts.models import User
from hindsight.core.model import SectionKind
from hindsight.incidents.models import EventKind
from hindsight.postmortems import services
from hindsight.postmortems.models import PostMortem

from .conftest import with_section

pytestmark = pytest.mark.django_db


def _in_review(draft: PostMortem, editor: User, reviewers: list[User] | None = None) -> None:
    services.transition(postmortem=draft, to="in_review", actor=editor, reviewers=reviewers)


def test_submitting_assigns_the_reviewers(
    draft: PostMortem, an_editor: User, a_responder: User
) -> None:
    _in_review(draft, an_editor, [a_responder])
    assert (draft.status, list(draft.reviewers.all())) == ("in_review", [a_responder])


def test_a_transition_is_recorded_on_the_incidents_timeline(
    draft: PostMortem, an_editor: User, a_responder: User
) -> None:
    _in_review(draft, an_editor, [a_responder])
    last = draft.incident.events.filter(kind=EventKind.POSTMORTEM).last()
    assert last is not None and last.text == (
        "Post-mortem submitted for review by ed-editor (reviewers: rita-responder)"
    )


def test_a_draft_cannot_be_approved_before_review(draft: PostMortem, another_editor: User) -> None:
    with pytest.raises(services.Refused, match="A post-mortem that is draft can't become approved"):
        services.transition(postmortem=draft, to="approved", actor=another_editor)
    assert PostMortem.objects.get().status == "draft"


def test_the_only_author_cannot_approve(draft: PostMortem, an_editor: User) -> None:
    _in_review(draft, an_editor)
    with pytest.raises(services.NotAllowed, match="You are the only author"):
        services.transition(postmortem=draft, to="approved", actor=an_editor)


def test_an_author_among_several_may_approve(
    draft: PostMortem, an_editor: User, another_editor: User
) -> None:
    text = with_section(draft.body, SectionKind.WENT_WELL, "The alert fired at once.")
    services.save_body(postmortem=draft, body=text, author=another_editor, expected_version=1)
    _in_review(draft, an_editor)
    services.transition(postmortem=draft, to="approved", actor=an_editor)
    assert (draft.status, draft.approved_by) == ("approved", an_editor)


def test_only_an_assigned_reviewer_may_approve(
    draft: PostMortem, an_editor: User, a_responder: User, another_editor: User
) -> None:
    _in_review(draft, an_editor, [a_responder])
    with pytest.raises(services.NotAllowed, match="Only an assigned reviewer may approve"):
        services.transition(postmortem=draft, to="approved", actor=another_editor)


def test_an_assigned_responder_may_approve(
    draft: PostMortem, an_editor: User, a_responder: User
) -> None:
    _in_review(draft, an_editor, [a_responder])
    services.transition(postmortem=draft, to="approved", actor=a_responder)
    assert PostMortem.objects.get().approved_by == a_responder


def test_unresolved_comments_hold_the_approval(
    draft: PostMortem, an_editor: User, another_editor: User
) -> None:
    _in_review(draft, an_editor)
    services.add_comment(
        postmortem=draft, section="Summary", text="Say how many.", author=another_editor
    )
    with pytest.raises(services.Refused, match="1 comment is still unresolved"):
        services.transition(postmortem=draft, to="approved", actor=another_editor)


def test_a_resolved_comment_no_longer_holds_the_approval(
    draft: PostMortem, an_editor: User, another_editor: User
) -> None:
    _in_review(draft, an_editor)
    comment = services.add_comment(
        postmortem=draft, section="Summary", text="Say how many.", author=another_editor
    )
    services.resolve_comment(comment=comment, actor=an_editor)
    services.transition(postmortem=draft, to="approved", actor=another_editor)
    assert PostMortem.objects.get().status == "approved"


def test_a_viewer_cannot_comment(draft: PostMortem, the_viewer: User) -> None:
    with pytest.raises(services.NotAllowed, match="Only editors and the post-mortem's reviewers"):
        services.add_comment(postmortem=draft, section="Summary", text="Hm.", author=the_viewer)


def test_a_responder_cannot_submit_for_review(draft: PostMortem, a_responder: User) -> None:
    with pytest.raises(services.NotAllowed, match="needs the editor role"):
        services.transition(postmortem=draft, to="in_review", actor=a_responder)


def test_publishing_sets_the_time_and_keeps_the_public_version_when_asked(
    draft: PostMortem, an_editor: User, another_editor: User
) -> None:
    _in_review(draft, an_editor)
    services.transition(postmortem=draft, to="approved", actor=another_editor)
    services.publish(postmortem=draft, audiences=["full", "public"], actor=an_editor)
    stored = PostMortem.objects.get()
    assert (stored.status, stored.published_at is not None) == ("published", True)
    assert stored.public_body.startswith("# Post-mortem: Checkout 502s\n\n## Summary")


def test_a_public_version_that_would_leak_refuses_to_publish(
    draft: PostMortem, an_editor: User, another_editor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hindsight.core import audience

    # Simulate a gap in redaction: the disclosure rules are the safety net behind it.
    monkeypatch.setattr(audience, "redact", lambda text, names: text)
    text = with_section(draft.body, SectionKind.SUMMARY, "db-7.prod.internal ran out of disk.")
    services.save_body(postmortem=draft, body=text, author=another_editor, expected_version=1)
    _in_review(draft, an_editor)
    services.transition(postmortem=draft, to="approved", actor=another_editor)
    with pytest.raises(services.Refused, match="would disclose internal details"):
        services.publish(postmortem=draft, audiences=["public"], actor=an_editor)
    assert PostMortem.objects.get().status == "approved"


def test_reopening_a_published_post_mortem_clears_the_approval(
    draft: PostMortem, an_editor: User, another_editor: User
) -> None:
    _in_review(draft, an_editor)
    services.transition(postmortem=draft, to="approved", actor=another_editor)
    services.publish(postmortem=draft, audiences=["full"], actor=an_editor)
    services.transition(postmortem=draft, to="draft", actor=an_editor)
    assert (draft.status, draft.approved_by) == ("draft", None)
