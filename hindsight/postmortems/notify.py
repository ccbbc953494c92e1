"""Review requests: a post-mortem sent for review emails each assigned reviewer.

The emails are outbox deliveries written in the transition's transaction, so
a rolled-back transition asks nobody, and a mail server that is down delays
the request without losing it.
"""

from __future__ import annotations

import logging

from django.conf import settings

from hindsight.accounts.models import User
from hindsight.outbox.mail import enqueue_email
from hindsight.postmortems.models import PostMortem

log = logging.getLogger(__name__)


def ask_reviewers(*, postmortem: PostMortem, actor: User) -> int:
    """Email each assigned reviewer (except the one sending it) a request to review."""
    url = f"{settings.BASE_URL.rstrip('/')}/postmortems/{postmortem.pk}/"
    asked = 0
    for reviewer in postmortem.reviewers.filter(is_active=True).order_by("pk"):
        if reviewer.pk == actor.pk or not reviewer.email:
            continue
        enqueue_email(
            to=reviewer.email,
            subject=f"Please review: {postmortem.title}",
            body=(
                f"Hello {reviewer.display_name},\n\n"
                f"{actor.display_name} asks you to review the post-mortem "
                f"“{postmortem.title}”.\n\nOpen it, comment on its sections and approve it "
                f"when it is ready:\n{url}\n"
            ),
            event="postmortem.review_requested",
        )
        asked += 1
    if asked:
        log.info("post-mortem %s: %s reviewer(s) asked", postmortem.pk, asked)
    return asked
