"""The review meeting: its invite as a download, and scheduling it (which sends the invite)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from hindsight.accounts.permissions import AuthenticatedRequest, role_required
from hindsight.core.meeting import size_warning
from hindsight.postmortems import access, meeting, services
from hindsight.postmortems.models import PostMortem, ReviewMeeting


@require_GET
def meeting_ics(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The review meeting's invite (as sent, or as proposed) as an .ics file."""
    postmortem = access.get_visible(request.user, pk)
    response = HttpResponse(
        meeting.ics(postmortem, organizer=request.user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="postmortem-{pk}-review.ics"'
    return response


@require_POST
@role_required("editor")
def schedule(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Set the meeting's time and people and send the invite through the outbox."""
    postmortem = access.get_visible(request.user, pk)
    try:
        start = dt.datetime.fromisoformat(request.POST.get("start", "")).replace(tzinfo=dt.UTC)
        minutes = int(request.POST.get("minutes", "60"))
    except ValueError:
        messages.error(request, "Nothing was sent: give the start as a date and time (UTC).")
        return redirect(f"/postmortems/{pk}/#meeting")
    try:
        found = meeting.schedule(
            postmortem=postmortem,
            start=start,
            minutes=minutes,
            usernames=request.POST.getlist("attendees"),
            actor=request.user,
        )
    except services.PostMortemError as exc:
        messages.error(request, f"Nothing was sent: {exc}")
    else:
        what = "sent" if found.sequence == 0 else "sent again (the same event, updated)"
        messages.success(request, f"Invite {what} to {len(found.attendees)} people.")
    return redirect(f"/postmortems/{pk}/#meeting")


def meeting_context(postmortem: PostMortem) -> dict[str, Any]:
    """What the workspace's meeting card shows."""
    start, end, _, _ = meeting.proposed(postmortem)
    suggested = meeting.suggested_attendees(postmortem)
    sent = ReviewMeeting.objects.filter(postmortem=postmortem).first()
    return {
        "suggested": suggested,
        "warning": size_warning(len(suggested)),
        "start": start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M"),
        "minutes": int((end - start).total_seconds() // 60),
        "window": meeting.due_window(postmortem),
        "sent": sent,
        "invited": {a["email"] for a in sent.attendees} if sent else set(),
    }
