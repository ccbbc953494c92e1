"""Sending a post-mortem for review emails each assigned reviewer through the outbox."""

from __future__ import annotations

import pytest
from django.core import mail

from hindsight.accounts.models import User
from hindsight.outbox.models import Delivery
from hindsight.outbox.services import deliver_due
from hindsight.postmortems import services
from hindsight.postmortems.models import PostMortem

pytestmark = pytest.mark.django_db


def _with_email(user: User) -> User:
    user.email = f"{user.username}@example.com"
    user.save()
    return user


def test_each_reviewer_gets_one_request_in_the_outbox(
    draft: PostMortem, an_editor: User, a_responder: User, another_editor: User
) -> None:
    reviewers = [_with_email(a_responder), _with_email(another_editor)]
    services.transition(postmortem=draft, to="in_review", actor=an_editor, reviewers=reviewers)
    waiting = Delivery.objects.filter(event="postmortem.review_requested")
    assert sorted(d.payload["to"] for d in waiting) == [
        "eve-editor@example.com",
        "rita-responder@example.com",
    ]


def test_the_request_says_what_to_review_and_where(
    draft: PostMortem, an_editor: User, a_responder: User
) -> None:
    services.transition(
        postmortem=draft, to="in_review", actor=an_editor, reviewers=[_with_email(a_responder)]
    )
    deliver_due()
    (sent,) = mail.outbox
    assert (sent.to, sent.subject) == (
        ["rita-responder@example.com"],
        "Please review: Post-mortem: Checkout 502s",
    )
    assert f"/postmortems/{draft.pk}/" in sent.body


def test_the_delivery_id_goes_out_with_the_email(
    draft: PostMortem, an_editor: User, a_responder: User
) -> None:
    services.transition(
        postmortem=draft, to="in_review", actor=an_editor, reviewers=[_with_email(a_responder)]
    )
    delivery = Delivery.objects.get(event="postmortem.review_requested")
    deliver_due()
    assert mail.outbox[0].extra_headers["X-Hindsight-Delivery"] == str(delivery.pk)


def test_a_reviewer_without_an_address_is_skipped(
    draft: PostMortem, an_editor: User, a_responder: User
) -> None:
    services.transition(postmortem=draft, to="in_review", actor=an_editor, reviewers=[a_responder])
    assert not Delivery.objects.filter(event="postmortem.review_requested").exists()
