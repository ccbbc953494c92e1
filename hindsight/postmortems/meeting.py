"""The review meeting: suggested attendees, the due window, the invite sent through the outbox.

The invite's UID is the post-mortem's (core.meeting.uid), so sending it again
after a change updates the event in every calendar; each send adds one to its
SEQUENCE. Every attendee gets an e-mail with the `.ics` attached, as an outbox
delivery written in the same transaction as the meeting.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.accounts.models import User
from hindsight.accounts.services import user_named
from hindsight.core import meeting
from hindsight.core.meeting import Attendee
from hindsight.outbox import services as outbox
from hindsight.outbox.models import Delivery
from hindsight.outbox.senders import DeliveryError, Undeliverable, register_sender
from hindsight.postmortems import access
from hindsight.postmortems.drafting import MACHINE_SOURCES
from hindsight.postmortems.models import PostMortem, ReviewMeeting
from hindsight.postmortems.services import NotAllowed, PostMortemError

log = logging.getLogger(__name__)
SENDER = "review-invite"
MAX_MINUTES = 240


def _person(user: User, why: str) -> Attendee:
    return Attendee(user.display_name, user.email, why, user.username)


def suggested_attendees(postmortem: PostMortem) -> list[Attendee]:
    """Who acted on the timeline (commander first), then who owns the affected services."""
    incident = postmortem.incident
    actors: list[Attendee] = []
    if incident.commander is not None:
        actors.append(_person(incident.commander, "incident commander"))
    users = list(User.objects.filter(is_active=True))
    events = incident.events.filter(hidden=False).exclude(source__in=MACHINE_SOURCES)
    for event in events.select_related("actor").order_by("occurred_at", "id"):
        user = event.actor or user_named(event.actor_name, users)
        if user is not None:
            actors.append(_person(user, "acted on the timeline"))
        elif event.actor_name and event.actor_name != "Hindsight":
            actors.append(Attendee(event.actor_name, "", "acted on the timeline"))
    owners: list[Attendee] = []
    for service in incident.services.exclude(owner_team=""):
        name = service.owner_team.lstrip("@")
        user = User.objects.filter(username=name, is_active=True).first()
        why = f"owns {service.name}"
        owners.append(_person(user, why) if user else Attendee(service.owner_team, "", why))
    return meeting.suggest(actors, owners)


def due_window(postmortem: PostMortem) -> tuple[dt.datetime, dt.datetime]:
    """From the incident's resolution to the debrief's (or the post-mortem's) due time."""
    incident = postmortem.incident
    opens = incident.resolved_at or postmortem.created_at
    closes = postmortem.debrief_due_at or postmortem.due_at or opens + dt.timedelta(days=7)
    return opens, closes


def _domain() -> str:
    return urlsplit(settings.BASE_URL).hostname or "hindsight.local"


def proposed(postmortem: PostMortem) -> tuple[dt.datetime, dt.datetime, list[Attendee], int]:
    """The meeting as sent, or a proposal: first weekday slot in the window, the suggestions."""
    found = ReviewMeeting.objects.filter(postmortem=postmortem).first()
    if found is not None:
        people = [Attendee(a.get("name", ""), a.get("email", "")) for a in found.attendees]
        return found.starts_at, found.ends_at, people, found.sequence
    start, end = meeting.first_slot(*due_window(postmortem))
    return start, end, suggested_attendees(postmortem), 0


def ics(postmortem: PostMortem, *, organizer: User | None = None) -> bytes:
    """The invite for the meeting as sent (or as proposed, before it is sent)."""
    start, end, people, sequence = proposed(postmortem)
    found = ReviewMeeting.objects.filter(postmortem=postmortem).select_related("organizer").first()
    chair = found.organizer if found and found.organizer else organizer
    base = settings.BASE_URL.rstrip("/")
    return meeting.invite(
        event_uid=meeting.uid(postmortem.pk, _domain()),
        sequence=sequence,
        summary=f"Post-mortem review: {postmortem.title}",
        description=(
            "Blameless review of the incident: timeline, root causes, what went well, what "
            f"to improve, action items.\n{base}/postmortems/{postmortem.pk}/"
        ),
        start=start,
        end=end,
        organizer=_person(chair, "organizer")
        if chair
        else Attendee("Hindsight", settings.DEFAULT_FROM_EMAIL),
        attendees=people,
        url=f"{base}/postmortems/{postmortem.pk}/",
        stamp=found.sent_at if found else postmortem.created_at,
    )


def schedule(
    *,
    postmortem: PostMortem,
    start: dt.datetime,
    minutes: int,
    usernames: Sequence[str],
    actor: User,
) -> ReviewMeeting:
    """Set the meeting and send the invite to everyone invited (editors); the same UID each time."""
    if not access.can_edit(actor):
        raise NotAllowed("Scheduling the review meeting needs the editor role.")
    if not 15 <= minutes <= MAX_MINUTES:
        raise PostMortemError(f"A review lasts 15 to {MAX_MINUTES} minutes.")
    end = start + dt.timedelta(minutes=minutes)
    problem = meeting.slot_problem(start, end, *due_window(postmortem))
    if problem:
        raise PostMortemError(problem)
    users = list(User.objects.filter(username__in=usernames, is_active=True).order_by("username"))
    missing = sorted(set(usernames) - {u.username for u in users})
    if missing:
        raise PostMortemError(f"No active user named {', '.join(missing)}. Nothing was sent.")
    without = [u.display_name for u in users if not u.email]
    if without:
        raise PostMortemError(
            f"{', '.join(without)} {'has' if len(without) == 1 else 'have'} no e-mail address; "
            "add one or leave them out. Nothing was sent."
        )
    if not users:
        raise PostMortemError("Invite at least one person. Nothing was sent.")
    now = timezone.now()
    with transaction.atomic():
        found, created = ReviewMeeting.objects.select_for_update().get_or_create(
            postmortem=postmortem,
            defaults={"starts_at": start, "ends_at": end, "organizer": actor, "sent_at": now},
        )
        found.starts_at, found.ends_at, found.organizer, found.sent_at = start, end, actor, now
        found.attendees = [{"name": u.display_name, "email": u.email} for u in users]
        found.sequence = 0 if created else found.sequence + 1
        found.save()
        body = ics(postmortem)
        for user in users:
            outbox.enqueue(
                sender=SENDER,
                destination=f"email:{user.email.lower()}",
                label=user.email,
                event="postmortem.review_invite",
                payload={
                    "to": user.email,
                    "subject": f"Post-mortem review: {postmortem.title}",
                    "body": (
                        f"You are invited to review the post-mortem of {postmortem.title} on "
                        f"{start:%Y-%m-%d} at {start:%H:%M} UTC ({minutes} min).\n"
                        f"{settings.BASE_URL.rstrip('/')}/postmortems/{postmortem.pk}/"
                    ),
                    "ics": body.decode(),
                },
            )
        audit.record(
            action="postmortem.review_meeting_sent",
            target=postmortem,
            actor=actor,
            summary=f"{start:%Y-%m-%d %H:%M} UTC, {len(users)} invited, sequence {found.sequence}",
        )
    log.info("review meeting of post-mortem %s sent to %s people", postmortem.pk, len(users))
    return found


@register_sender(SENDER)
def send_invite(delivery: Delivery) -> None:
    """E-mail one invite with its .ics (method REQUEST, so calendars offer to accept it)."""
    payload = delivery.payload
    if not payload.get("to"):
        raise Undeliverable("The invite has no address")
    message = EmailMessage(
        subject=" ".join(str(payload.get("subject", "")).split())[:300],
        body=str(payload.get("body", "")),
        to=[str(payload["to"])],
    )
    message.attach("invite.ics", str(payload.get("ics", "")), "text/calendar; method=REQUEST")
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # smtplib raises many types; all mean "not sent"
        raise DeliveryError(f"SMTP delivery to {payload['to']} failed: {exc}") from None
