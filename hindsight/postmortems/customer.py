"""The customer-facing version of a post-mortem: written, checked, approved, published.

- `save_draft`: refused (nothing stored) while the disclosure or blame rules find
  something, it names a person who took part, or a rewritten action item means
  something else than the team's; a save takes back an earlier approval.
- `approve`: a reviewer other than the person who last saved it.
- `publish`: an approved version goes to the incident on the status page; the
  first publication tells the page's subscribers (once, whatever happens after).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.accounts.models import User
from hindsight.core import customer
from hindsight.core.parser import parse
from hindsight.incidents.models import EventKind, EventSource
from hindsight.incidents.services import append_event
from hindsight.incidents.signals import postmortem_published_for_customers
from hindsight.postmortems import access
from hindsight.postmortems.models import PostMortem
from hindsight.postmortems.services import (
    MAX_BODY_CHARS,
    BodyTooLarge,
    InvalidBody,
    NotAllowed,
    Refused,
    normalise,
    participant_names,
)

log = logging.getLogger(__name__)


def current_draft(postmortem: PostMortem) -> str:
    """The customer version being written, or the one to start from."""
    if postmortem.public_draft.strip():
        return postmortem.public_draft
    return customer.draft(parse(postmortem.body), participant_names(postmortem))


def check(postmortem: PostMortem, text: str) -> list[str]:
    """Why the text can't go to customers; [] when it can."""
    return customer.problems(text, parse(postmortem.body), participant_names(postmortem))


def save_draft(*, postmortem: PostMortem, text: str, actor: User) -> PostMortem:
    """Store the customer version after its checks (editors); refused, nothing is stored."""
    if not access.can_edit(actor):
        raise NotAllowed("Writing the customer version needs the editor role.")
    text = normalise(text)
    if len(text) > MAX_BODY_CHARS:
        raise BodyTooLarge(f"The customer version is limited to {MAX_BODY_CHARS:,} characters.")
    problems = check(postmortem, text)
    if problems:
        raise InvalidBody(
            "The customer version was not saved: " + " ".join(problems[:6]) + " Fix these first."
        )
    with transaction.atomic():
        PostMortem.objects.filter(pk=postmortem.pk).update(
            public_draft=text,
            public_saved_by=actor,
            public_approved_by=None,
            public_approved_at=None,
        )
        audit.record(
            action="postmortem.customer_version_saved",
            target=postmortem,
            actor=actor,
            summary=text[:500],
        )
    postmortem.refresh_from_db()
    return postmortem


def approve(*, postmortem: PostMortem, actor: User) -> PostMortem:
    """Approve the saved customer version: a reviewer who didn't write it last."""
    if not postmortem.public_draft.strip():
        raise Refused("Save the customer version before approving it.")
    if not access.is_reviewer(actor, postmortem):
        raise NotAllowed("Only a reviewer of this post-mortem may approve its customer version.")
    if postmortem.public_saved_by_id == actor.pk:
        raise NotAllowed("You saved this customer version last; another reviewer must approve it.")
    problems = check(postmortem, postmortem.public_draft)
    if problems:  # the team's text or who took part may have changed since it was saved
        raise Refused("The customer version no longer passes its checks: " + " ".join(problems))
    now = timezone.now()
    with transaction.atomic():
        PostMortem.objects.filter(pk=postmortem.pk).update(
            public_approved_by=actor, public_approved_at=now
        )
        audit.record(action="postmortem.customer_version_approved", target=postmortem, actor=actor)
    postmortem.refresh_from_db()
    return postmortem


def publish(*, postmortem: PostMortem, actor: User) -> PostMortem:
    """Put the approved customer version on the status page's incident (editors)."""
    if not access.can_edit(actor):
        raise NotAllowed("Publishing the customer version needs the editor role.")
    if postmortem.public_approved_at is None:
        raise Refused("The customer version needs its own approval before it is published.")
    if postmortem.incident.restricted:
        raise Refused("A restricted incident is not shown on the status page.")
    now = timezone.now()
    with transaction.atomic():
        PostMortem.objects.filter(pk=postmortem.pk).update(
            public_body=postmortem.public_draft, public_published_at=now
        )
        first = PostMortem.objects.filter(pk=postmortem.pk, public_notified_at=None).update(
            public_notified_at=now
        )
        append_event(
            incident=postmortem.incident,
            kind=EventKind.POSTMORTEM,
            source=EventSource.SYSTEM,
            actor=actor,
            text=f"Customer-facing post-mortem published on the status page by "
            f"{actor.display_name}",
        )
        audit.record(action="postmortem.customer_version_published", target=postmortem, actor=actor)
        postmortem_published_for_customers.send(
            sender=PostMortem,
            incident=postmortem.incident,
            title=postmortem.title,
            markdown=postmortem.public_draft,
            first=bool(first),
        )
    log.info("post-mortem %s: customer version published by %s", postmortem.pk, actor.username)
    postmortem.refresh_from_db()
    return postmortem
