"""Post-mortem pages: the list of what is overdue and due soon."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hindsight.core.metrics import humanize
from hindsight.postmortems.services import DUE_SOON, due_list


def due(request: HttpRequest) -> HttpResponse:
    """List outstanding post-mortems: overdue first, then due within 48 h, then later."""
    lists = due_list(user=request.user, now=timezone.now())
    groups = [
        ("overdue", "Overdue", lists.overdue),
        ("due-soon", f"Due within {int(DUE_SOON.total_seconds() // 3600)} h", lists.due_soon),
        ("later", "Later", lists.later),
    ]
    rows = {
        key: [
            {
                "entry": entry,
                "overdue_by": humanize(entry.overdue_by) if entry.overdue_by else "",
                "due_in": humanize(entry.due_in) if entry.due_in else "",
            }
            for entry in entries
        ]
        for key, _, entries in groups
    }
    return render(
        request,
        "postmortems/due.html",
        {"groups": [(key, label, rows[key]) for key, label, _ in groups]},
    )
