"""Post-mortem services: the only writers of post-mortems, built on hindsight/core.

- `save_body`: every save is a new version and a revision with its author,
  time and score; a save carries the version it was based on and a stale one
  raises `VersionConflict` (optimistic locking with a conditional UPDATE, so
  of many saves racing from one version exactly one wins).
- `review`: `core.parse` + `core.review` on the current text (nothing is
  written: the score is stored by every save).
- `transition` and `publish`: draft → in review → approved → published.
- comments on sections, resolved or not; reviewers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.accounts.models import User
from hindsight.core import customer, diagram_checks, diagrams, export, factors, outline
from hindsight.core.model import Document
from hindsight.core.parser import parse
from hindsight.core.review import Report
from hindsight.core.review import review as review_document
from hindsight.incidents.models import EventKind, EventSource
from hindsight.incidents.services import append_event
from hindsight.postmortems import access
from hindsight.postmortems.models import (
    PostMortem,
    PostMortemComment,
    PostMortemRevision,
)
from hindsight.postmortems.models import PostMortemStatus as Status
from hindsight.postmortems.signals import postmortem_saved, postmortem_transitioned

log = logging.getLogger(__name__)

# A post-mortem is read in one sitting; 200,000 characters is about 80 pages.
MAX_BODY_CHARS = 200_000
MAX_COMMENT_CHARS = 5_000
# A due date written as numbers ("2026-02-30", "31/02/2026") that is not a real day.
_NUMERIC_DATE = re.compile(r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\s*$")


class PostMortemError(ValueError):
    """A refused change; `status` and `code` are what the API answers, the message says why."""

    status = 400
    code = "bad_request"


class BodyTooLarge(PostMortemError):
    status = 413
    code = "too_large"


class InvalidBody(PostMortemError):
    code = "invalid_body"


class NotAllowed(PostMortemError):
    status = 403
    code = "forbidden"


class Refused(PostMortemError):
    """The change doesn't fit the post-mortem's state (workflow, published, comments)."""

    status = 409
    code = "conflict"


class VersionConflict(PostMortemError):
    """The save was based on an older version; nothing was written."""

    status = 409
    code = "conflict"

    def __init__(self, *, current_version: int, current_body: str, based_on: int) -> None:
        super().__init__(
            f"Version {current_version} was saved meanwhile; your text is based on "
            f"version {based_on} and was not saved. Compare both and save again."
        )
        self.current_version = current_version
        self.current_body = current_body


def normalise(body: str) -> str:
    """Unix line ends and one final newline, as the CLI writes files."""
    return body.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n") + "\n"


def check_body(body: str) -> Document:
    """Parse a body that may be saved; raise with a clear message when it may not."""
    if len(body) > MAX_BODY_CHARS:
        raise BodyTooLarge(
            f"The post-mortem is {len(body):,} characters long; the limit is "
            f"{MAX_BODY_CHARS:,}. Nothing was saved: move long logs or data to an attachment "
            "and link to it."
        )
    if "\x00" in body:
        raise InvalidBody("The text contains NUL characters; it does not look like Markdown.")
    document = parse(body)
    if document.problems:
        line, problem = document.problems[0]
        raise InvalidBody(
            f"Line {line}: the front matter can't be read: {problem}. Nothing was saved."
        )
    found, unreadable = diagrams.read(body)
    problems = unreadable + diagram_checks.check(found, factors.TAGS)
    if problems:
        raise InvalidBody(f"{problems[0]} Nothing was saved.")
    for item in document.action_items():
        if item.due is None and _NUMERIC_DATE.match(item.due_text or ""):
            raise InvalidBody(
                f'Line {item.line}: the action item "{item.text[:60]}" is due '
                f'"{item.due_text}", which is not a real date; write it as YYYY-MM-DD. '
                "Nothing was saved."
            )
    return document


def review_text(text: str) -> Report:
    """The reviewer's report on a text, exactly as `hindsight review` gives it."""
    return review_document(parse(text))


def review(*, postmortem: PostMortem) -> Report:
    """Review the post-mortem's current text (the score is stored by every save)."""
    return review_text(postmortem.body)


def root_cause_data(*, postmortem: PostMortem) -> dict[str, Any]:
    """The saved diagrams as data (the factors API): whys, fishbone, fault tree, factors."""
    found = diagrams.parse_diagrams(postmortem.body)
    return {
        "whys": [
            [chain.problem, *chain.whys, *([chain.factor.text] if chain.factor else [])]
            for chain in found.whys
        ],
        "fishbone": {
            category.name: [cause.text for cause in category.causes]
            for category in (found.fishbone.categories if found.fishbone else ())
        },
        "fault_tree": diagrams.fault_tree_data(found.fault_tree) if found.fault_tree else {},
        "factors": [
            {"tag": factor.tag, "text": factor.text} for factor in factors.diagram_factors(found)
        ],
    }


def participant_names(postmortem: PostMortem) -> frozenset[str]:
    """Usernames and real names of everyone who took part: commander, actors, authors,
    reviewers and the people named on the incident's timeline."""
    incident = postmortem.incident
    users = set(postmortem.authors.all()) | set(postmortem.reviewers.all())
    if incident.commander is not None:
        users.add(incident.commander)
    actor_ids = incident.events.exclude(actor=None).values_list("actor", flat=True)
    users |= set(User.objects.filter(pk__in=list(actor_ids)))
    names: set[str] = set()
    for user in users:
        names |= {user.username, user.first_name, user.last_name, user.get_full_name()}
    for name in incident.events.exclude(actor_name="").values_list("actor_name", flat=True):
        names |= customer.people_in(name)
    return frozenset(n.strip() for n in names if n and len(n.strip()) >= 3)


def document_text(postmortem: PostMortem) -> str:
    """The text in the CLI's format, its front matter carrying the workflow status."""
    return outline.set_front_value(postmortem.body, "status", postmortem.status)


def save_body(
    *,
    postmortem: PostMortem,
    body: str,
    author: User | None,
    expected_version: int,
    note: str = "",
) -> PostMortem:
    """Save a new version of the text; raise VersionConflict when `expected_version` is stale.

    Saving an approved post-mortem sends it back to review; a published one
    must be reopened first. Action items follow the text (postmortem_saved).
    """
    body = normalise(outline.set_front_value(normalise(body), "status", postmortem.status))
    if body == postmortem.body and expected_version == postmortem.version:
        return postmortem
    document = check_body(body)
    score = review_document(document).score
    title = export.title_of(document, postmortem.title)[:200]
    now = timezone.now()
    with transaction.atomic():
        updated = (
            PostMortem.objects.filter(pk=postmortem.pk, version=expected_version)
            .exclude(status=Status.PUBLISHED)
            .update(
                body=body,
                title=title,
                quality_score=score,
                version=F("version") + 1,
                updated_at=now,
                status=Case(
                    When(status=Status.APPROVED, then=Value(Status.IN_REVIEW.value)),
                    default=F("status"),
                ),
                approved_by=Case(
                    When(status=Status.APPROVED, then=Value(None)), default=F("approved_by")
                ),
                approved_at=Case(
                    When(status=Status.APPROVED, then=Value(None)), default=F("approved_at")
                ),
            )
        )
        if not updated:
            current = PostMortem.objects.get(pk=postmortem.pk)
            if current.status == Status.PUBLISHED:
                raise Refused("This post-mortem is published; reopen it as a draft to edit it.")
            raise VersionConflict(
                current_version=current.version,
                current_body=current.body,
                based_on=expected_version,
            )
        PostMortemRevision.objects.create(
            postmortem=postmortem,
            version=expected_version + 1,
            body=body,
            author=author,
            created_at=now,
            note=note[:200],
            score=score,
        )
        postmortem.refresh_from_db()
        if author is not None:
            postmortem.authors.add(author)
        audit.record(
            action="postmortem.saved",
            target=postmortem,
            actor=author,
            changes={"version": [expected_version, postmortem.version]},
            summary=note,
        )
        postmortem_saved.send(
            sender=PostMortem, postmortem=postmortem, document=document, author=author
        )
    log.info("saved post-mortem %s version %s", postmortem.pk, postmortem.version)
    return postmortem


# Where each status may go next.
NEXT: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (Status.IN_REVIEW,),
    Status.IN_REVIEW: (Status.APPROVED, Status.DRAFT),
    Status.APPROVED: (Status.PUBLISHED, Status.IN_REVIEW, Status.DRAFT),
    Status.PUBLISHED: (Status.DRAFT,),
}
_EVENT_TEXT: dict[str, str] = {
    Status.DRAFT: "Post-mortem reopened as a draft by {actor}",
    Status.IN_REVIEW: "Post-mortem submitted for review by {actor}",
    Status.APPROVED: "Post-mortem approved by {actor}",
    Status.PUBLISHED: "Post-mortem published by {actor}",
}


def _check_transition(postmortem: PostMortem, to: str, actor: User) -> None:
    if to not in Status.values:
        raise PostMortemError(f"Unknown status {to!r}; use one of {', '.join(Status.values)}.")
    if to == postmortem.status:
        raise Refused(f"The post-mortem is already {Status(to).label.lower()}.")
    if to not in NEXT[postmortem.status]:
        raise Refused(
            f"A post-mortem that is {postmortem.get_status_display().lower()} can't become "
            f"{Status(to).label.lower()}; next it can be "
            f"{' or '.join(Status(s).label.lower() for s in NEXT[postmortem.status])}."
        )
    if to != Status.APPROVED:
        if not access.can_edit(actor):
            raise NotAllowed("Moving a post-mortem through the workflow needs the editor role.")
        return
    if not access.is_reviewer(actor, postmortem):
        raise NotAllowed("Only an assigned reviewer may approve this post-mortem.")
    authors = set(postmortem.authors.all())
    if authors == {actor}:
        raise NotAllowed(
            "You are the only author of this post-mortem; another reviewer must approve it."
        )
    unresolved = postmortem.comments.filter(resolved_at__isnull=True).count()
    if unresolved:
        raise Refused(
            f"{unresolved} comment{'s are' if unresolved != 1 else ' is'} still unresolved; "
            "resolve them before approving."
        )


def transition(
    *,
    postmortem: PostMortem,
    to: str,
    actor: User,
    reviewers: Sequence[User] | None = None,
    audiences: Iterable[str] = ("full",),
) -> PostMortem:
    """Move a post-mortem through the workflow, recorded on the incident's timeline."""
    _check_transition(postmortem, to, actor)
    old = postmortem.status
    now = timezone.now()
    changes: dict[str, object] = {"status": to, "updated_at": now}
    if to == Status.APPROVED:
        changes |= {"approved_by": actor, "approved_at": now}
    elif to in (Status.DRAFT, Status.IN_REVIEW):
        changes |= {"approved_by": None, "approved_at": None}
    if to == Status.PUBLISHED:
        changes |= {
            "published_at": now,
            "public_body": _published_public_body(postmortem, audiences),
        }
    with transaction.atomic():
        if not PostMortem.objects.filter(pk=postmortem.pk, status=old).update(**changes):
            raise Refused("The post-mortem's status changed meanwhile; reload and try again.")
        if reviewers is not None:
            assign_reviewers(postmortem=postmortem, reviewers=reviewers, actor=actor)
        text = _EVENT_TEXT[to].format(actor=actor.display_name)
        if to == Status.IN_REVIEW:
            names = [user.display_name for user in postmortem.reviewers.all()]
            text += f" (reviewers: {', '.join(names)})" if names else " (any editor may review)"
        append_event(
            incident=postmortem.incident,
            kind=EventKind.POSTMORTEM,
            source=EventSource.SYSTEM,
            actor=actor,
            text=text,
        )
        postmortem.refresh_from_db()
        audit.record(
            action="postmortem.status_changed",
            target=postmortem,
            actor=actor,
            changes={"status": [old, to]},
        )
        postmortem_transitioned.send(
            sender=PostMortem, postmortem=postmortem, old=old, new=to, actor=actor
        )
    log.info("post-mortem %s: %s -> %s by %s", postmortem.pk, old, to, actor.username)
    return postmortem


def _published_public_body(postmortem: PostMortem, audiences: Iterable[str]) -> str:
    wanted = set(audiences)
    unknown = wanted - set(export.AUDIENCES)
    if unknown:
        raise PostMortemError(
            f"Unknown audience {', '.join(sorted(unknown))}; use {', '.join(export.AUDIENCES)}."
        )
    if "public" not in wanted:
        return postmortem.public_body
    try:
        return export.public_markdown(parse(postmortem.body), participant_names(postmortem))
    except export.DisclosureError as exc:
        found = "; ".join(f"line {f.line}: {f.message}" for f in exc.leaks[:5])
        raise Refused(
            f"The customer-facing version would disclose internal details ({found}); "
            "reword them before publishing it."
        ) from None


def publish(*, postmortem: PostMortem, audiences: Iterable[str], actor: User) -> PostMortem:
    """Publish an approved post-mortem for the audiences (full, summary, public)."""
    return transition(postmortem=postmortem, to=Status.PUBLISHED, actor=actor, audiences=audiences)


def assign_reviewers(*, postmortem: PostMortem, reviewers: Sequence[User], actor: User) -> None:
    """Set who reviews the post-mortem (editors)."""
    if not access.can_edit(actor):
        raise NotAllowed("Assigning reviewers needs the editor role.")
    allowed = set(access.reviewer_choices())
    refused = [user.username for user in reviewers if user not in allowed]
    if refused:
        raise PostMortemError(
            f"{', '.join(refused)} can't review: reviewers need the responder role or above."
        )
    before = sorted(u.username for u in postmortem.reviewers.all())
    postmortem.reviewers.set(reviewers)
    after = sorted(u.username for u in reviewers)
    if before != after:
        audit.record(
            action="postmortem.reviewers_changed",
            target=postmortem,
            actor=actor,
            changes={"reviewers": [before, after]},
        )


def add_comment(
    *, postmortem: PostMortem, section: str, text: str, author: User
) -> PostMortemComment:
    """Comment on one section (editors and reviewers)."""
    if not access.can_comment(author, postmortem):
        raise NotAllowed("Only editors and the post-mortem's reviewers may comment.")
    text, section = text.strip(), " ".join(section.split())
    if not text:
        raise PostMortemError("A comment needs text.")
    if "\x00" in text + section:
        raise PostMortemError("The comment contains NUL characters; write it as plain text.")
    if len(text) > MAX_COMMENT_CHARS:
        raise PostMortemError(
            f"A comment is limited to {MAX_COMMENT_CHARS:,} characters; this one has {len(text):,}."
        )
    if not section or len(section) > 200:
        raise PostMortemError("Say which section the comment is about.")
    return PostMortemComment.objects.create(
        postmortem=postmortem,
        section=section,
        text=text,
        author=author,
        version=postmortem.version,
    )


def resolve_comment(*, comment: PostMortemComment, actor: User, resolved: bool = True) -> None:
    """Mark a comment resolved, or open it again."""
    if not access.can_comment(actor, comment.postmortem):
        raise NotAllowed("Only editors and the post-mortem's reviewers may resolve comments.")
    PostMortemComment.objects.filter(pk=comment.pk).update(
        resolved_at=timezone.now() if resolved else None,
        resolved_by=actor if resolved else None,
    )
    comment.refresh_from_db()
