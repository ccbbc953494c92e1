"""The customer version: checked for people, hosts, channels, blame and changed promises,
approved on its own, published to the status-page incident with subscribers told once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from hindsight.accounts.models import Role, User
from hindsight.core import customer as core_customer
from hindsight.core.model import SectionKind
from hindsight.core.parser import parse
from hindsight.outbox.models import Delivery
from hindsight.postmortems import customer, services
from hindsight.postmortems.models import PostMortem
from hindsight.statuspage.models import StatusPage, Subscriber
from hindsight.statuspage.services import post_update

from .conftest import with_section

pytestmark = pytest.mark.django_db

SUMMARY = (
    "Ed Editor restarted db-primary-01.internal after we talked it through in #inc-checkout. "
    "Checkout returned 502s for 30% of customers for 40 minutes."
)
ITEMS = (
    "| Action | Owner | Due | Priority | Term | Status |\n| --- | --- | --- | --- | --- | --- |\n"
    "| Alert when checkout errors pass 2% for 5 minutes | @ed-editor | 2026-03-20 | P1 | "
    "long-term | open |"
)
CLEAN = """# Checkout 502s

## Summary

Checkout returned 502s for 30% of customers for 40 minutes.

## What we are changing

- We will alert when checkout errors pass 2% for 5 minutes
"""


@pytest.fixture
def written(draft: PostMortem, an_editor: User) -> PostMortem:
    an_editor.first_name, an_editor.last_name = "Ed", "Editor"
    an_editor.save()
    text = with_section(draft.body, SectionKind.SUMMARY, SUMMARY)
    text = with_section(text, SectionKind.ACTION_ITEMS, ITEMS)
    return services.save_body(postmortem=draft, body=text, author=an_editor, expected_version=1)


@pytest.fixture
def a_reviewer(db: None) -> User:
    return User.objects.create_user(username="rita-reviewer", password="pw", role=Role.RESPONDER)


@pytest.fixture
def subscribed(written: PostMortem) -> Subscriber:
    page = StatusPage.objects.create(slug="acme", title="Acme status", is_default=True)
    post_update(incident=written.incident, status="resolved", message="Checkout works again.")
    return Subscriber.objects.create(
        page=page, kind="email", email="customer@example.com", confirmed_at=timezone.now()
    )


def approved(postmortem: PostMortem, editor: User, reviewer: User) -> PostMortem:
    postmortem.reviewers.add(reviewer)
    customer.save_draft(postmortem=postmortem, text=CLEAN, actor=editor)
    return customer.approve(postmortem=postmortem, actor=reviewer)


def test_a_version_naming_a_person_a_host_and_a_channel_is_refused(
    written: PostMortem, an_editor: User
) -> None:
    leaky = CLEAN.replace("Checkout returned", SUMMARY.split(". ")[0] + ". Checkout returned")
    with pytest.raises(services.InvalidBody) as refused:
        customer.save_draft(postmortem=written, text=leaky, actor=an_editor)
    message = str(refused.value)
    assert "internal hostname" in message
    assert "internal chat channel" in message
    assert "It names Ed Editor, Editor" in message
    written.refresh_from_db()
    assert written.public_draft == ""


def test_the_version_is_saved_once_they_are_gone(written: PostMortem, an_editor: User) -> None:
    customer.save_draft(postmortem=written, text=CLEAN, actor=an_editor)
    written.refresh_from_db()
    assert written.public_draft == CLEAN


def test_the_public_export_never_names_people_hosts_or_channels(
    written: PostMortem, the_viewer: User
) -> None:
    client = Client()
    client.force_login(the_viewer)
    page = client.get(f"/postmortems/{written.pk}/export.html?audience=public").content.decode()
    leaks = ["ed-editor", "Ed Editor", "Ed ", "db-primary-01", "#inc-checkout"]
    assert [leak for leak in leaks if leak in page] == []
    assert "Checkout returned 502s" in page


def test_a_rewritten_item_with_another_number_is_refused(written: PostMortem) -> None:
    text = CLEAN.replace("pass 2%", "pass 5%")
    (problem,) = core_customer.problems(text, parse(written.body), [])
    assert "has other numbers or dates than the team's item" in problem


def test_a_rewritten_item_turned_around_is_refused(written: PostMortem) -> None:
    text = CLEAN.replace("We will alert", "We will not alert")
    (problem,) = core_customer.problems(text, parse(written.body), [])
    assert "turns the team's item" in problem


def test_a_promise_the_team_never_made_is_refused(written: PostMortem) -> None:
    text = CLEAN + "- Refund every customer twice\n"
    (problem,) = core_customer.problems(text, parse(written.body), [])
    assert "is not one of the action items the team wrote" in problem


def test_the_author_of_the_version_cannot_approve_it(written: PostMortem, an_editor: User) -> None:
    customer.save_draft(postmortem=written, text=CLEAN, actor=an_editor)
    with pytest.raises(services.NotAllowed, match="another reviewer must approve it"):
        customer.approve(postmortem=written, actor=an_editor)


def test_publishing_needs_the_versions_own_approval(written: PostMortem, an_editor: User) -> None:
    customer.save_draft(postmortem=written, text=CLEAN, actor=an_editor)
    with pytest.raises(services.Refused, match="needs its own approval"):
        customer.publish(postmortem=written, actor=an_editor)


def test_the_published_version_is_on_the_status_page_incident(
    written: PostMortem, an_editor: User, a_reviewer: User, subscribed: Subscriber
) -> None:
    customer.publish(postmortem=approved(written, an_editor, a_reviewer), actor=an_editor)
    page = Client().get(f"/status/incidents/{written.incident_id}/").content.decode()
    assert "We will alert when checkout errors pass 2% for 5 minutes" in page


def test_subscribers_are_told_once(
    written: PostMortem, an_editor: User, a_reviewer: User, subscribed: Subscriber
) -> None:
    before = Delivery.objects.count()
    postmortem = approved(written, an_editor, a_reviewer)
    customer.publish(postmortem=postmortem, actor=an_editor)
    customer.publish(postmortem=postmortem, actor=an_editor)
    subjects = [d.payload["subject"] for d in Delivery.objects.order_by("id")[before:]]
    assert subjects == ["[Acme status] Checkout 502s - Post-mortem published"]


def test_a_section_marked_public_goes_out_whole(written: PostMortem, an_editor: User) -> None:
    marked = "<!-- public section -->\n\nCheckout was down.\n\nWe rolled back."
    text = with_section(written.body, SectionKind.SUMMARY, marked)
    postmortem = services.save_body(
        postmortem=written, body=text, author=an_editor, expected_version=2
    )
    draft = customer.current_draft(postmortem)
    assert "Checkout was down.\n\nWe rolled back." in draft


def test_the_draft_starts_from_the_paragraphs_marked_public(
    written: PostMortem, an_editor: User
) -> None:
    marked = "<!-- public -->\n\nCheckout was down for 40 minutes.\n\nInternal detail only."
    text = with_section(written.body, SectionKind.SUMMARY, marked)
    postmortem = services.save_body(
        postmortem=written, body=text, author=an_editor, expected_version=2
    )
    draft = customer.current_draft(postmortem)
    assert "Checkout was down for 40 minutes." in draft
    assert "Internal detail only." not in draft
