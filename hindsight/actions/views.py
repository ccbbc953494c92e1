"""The action board: every action item across post-mortems, "my action items", one item
with its proof of done, and the bulk update."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from hindsight.accounts.models import User
from hindsight.accounts.permissions import AuthenticatedRequest, role_required
from hindsight.actions import csvio, filters, services
from hindsight.actions.models import (
    ActionKind,
    ActionStatus,
    EvidenceKind,
    Priority,
    Tracker,
    TrackerLink,
)
from hindsight.catalog.models import Service
from hindsight.integrations.models import Integration
from hindsight.monitors.models import Monitor

PAGE_SIZE = 200  # the board shows this many; narrow the filters for the rest


def _choices() -> dict[str, Any]:
    return {
        "statuses": ActionStatus.choices,
        "priorities": Priority.choices,
        "kinds": ActionKind.choices,
        "services": Service.objects.order_by("name"),
        "teams": sorted(
            set(Service.objects.exclude(owner_team="").values_list("owner_team", flat=True))
        ),
        "people": User.objects.filter(is_active=True).order_by("first_name", "username"),
        "sorts": [
            ("due", "Due date"),
            ("-due", "Due date, latest first"),
            ("priority", "Priority"),
            ("owner", "Owner"),
            ("status", "Status"),
            ("incident", "Newest incident"),
            ("updated", "Recently changed"),
        ],
    }


def _board(
    request: AuthenticatedRequest, query: QueryDict | dict[str, str], mine: bool
) -> HttpResponse:
    error = ""
    try:
        chosen = filters.parse(query)
    except filters.FilterError as exc:
        error, chosen = str(exc), filters.Filters()
    if mine:
        chosen = filters.Filters(**{**chosen.__dict__, "owner": "me"})
    today = timezone.localdate()
    found = services.visible(request.user).select_related(
        "owner", "incident", "postmortem", "evidence_monitor"
    )
    found = filters.apply(
        found.prefetch_related("incident__services"), chosen, user=request.user, today=today
    )
    total = found.count()
    return render(
        request,
        "actions/board.html",
        {
            "items": list(found[:PAGE_SIZE]),
            "total": total,
            "shown": min(total, PAGE_SIZE),
            "chosen": chosen,
            "mine": mine,
            "today": today,
            "error": error,
            "here": request.get_full_path(),
            "query": urlencode(chosen.as_query()),
            "can_change": services.can_change(request.user),
            **_choices(),
        },
        status=400 if error else 200,
    )


def board(request: AuthenticatedRequest) -> HttpResponse:
    """Every action item the user may see, filtered and sorted."""
    return _board(request, request.GET, mine=False)


def mine(request: AuthenticatedRequest) -> HttpResponse:
    """The signed-in user's own items, still to do first."""
    query = request.GET.copy()
    if "status" not in query:
        query["status"] = "open_any"
    return _board(request, query, mine=True)


def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One item: its post-mortem and incident, proof of done, and the forms to close it."""
    item = services.get_visible(request.user, pk)
    return render(
        request,
        "actions/detail.html",
        {
            "item": item,
            "today": timezone.localdate(),
            "monitors": Monitor.objects.order_by("name"),
            "alert_sources": Integration.objects.filter(enabled=True).order_by("name"),
            "evidence_kinds": [
                (k, v) for k, v in EvidenceKind.choices if k != EvidenceKind.TRACKER
            ],
            "can_change": services.can_change(request.user),
            "link": TrackerLink.objects.filter(item=item).select_related("tracker").first(),
            "trackers": Tracker.objects.filter(enabled=True).order_by("name"),
            **_choices(),
        },
    )


@require_POST
@role_required("responder")
def close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Close as done with evidence, or as won't do with a reason."""
    item = services.get_visible(request.user, pk)
    try:
        if request.POST.get("outcome") == ActionStatus.WONT_DO:
            services.wont_do(item=item, actor=request.user, reason=request.POST.get("reason", ""))
        else:
            kind, monitor = request.POST.get("kind", ""), request.POST.get("monitor", "")
            rule = monitor.startswith("integration:")  # an alert source: its rule is named
            sent = {
                "kind": kind,
                "url": request.POST.get("url", ""),
                "monitor": monitor if kind == EvidenceKind.MONITOR else "",
                "text": request.POST.get("rule" if rule else "text", ""),
            }
            evidence = services.evidence_from(sent if kind else None)
            services.close(item=item, actor=request.user, evidence=evidence)
    except services.ActionItemError as exc:
        messages.error(request, f"Not closed: {exc}")
    else:
        messages.success(request, f"“{item.title}” is closed.")
    return redirect("actions:detail", pk=pk)


@require_POST
@role_required("responder")
def update(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Change owner, due date, priority, kind or status (reopening clears the proof)."""
    item = services.get_visible(request.user, pk)
    changes = {
        name: request.POST[name]
        for name in ("owner", "due_date", "priority", "kind", "status")
        if name in request.POST
    }
    try:
        services.update(item=item, actor=request.user, changes=changes)
    except services.ActionItemError as exc:
        messages.error(request, f"Nothing changed: {exc}")
    else:
        messages.success(request, "Saved.")
    return redirect("actions:detail", pk=pk)


@require_POST
@role_required("responder")
def bulk(request: AuthenticatedRequest) -> HttpResponse:
    """Apply one owner, due date, status or priority to the ticked items."""
    ids = [int(i) for i in request.POST.getlist("item") if i.isdigit()]
    items = list(services.visible(request.user).filter(pk__in=ids).order_by("pk"))
    changes: dict[str, Any] = {}
    for name in ("owner", "due_date", "status", "priority"):
        value = request.POST.get(f"bulk_{name}", "")
        if value == "-":  # "nobody" / "no date"
            changes[name] = None
        elif value:
            changes[name] = value
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("actions:board")
    if not items:
        messages.error(request, "Tick the items to change first.")
        return redirect(back)
    try:
        done = services.bulk_update(items=items, actor=request.user, changes=changes)
    except services.ActionItemError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{len(done)} action item(s) updated.")
    return redirect(back)


def export_csv(request: AuthenticatedRequest) -> HttpResponse:
    """The items the board's filters select, as CSV."""
    try:
        chosen = filters.parse(request.GET)
    except filters.FilterError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    found = services.visible(request.user).select_related("owner")
    found = filters.apply(found, chosen, user=request.user, today=timezone.localdate())
    response = HttpResponse(csvio.export(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="action-items.csv"'
    return response


@require_POST
@role_required("responder")
def import_csv(request: AuthenticatedRequest) -> HttpResponse:
    """Update and add items from a CSV file: all its lines, or none with each problem."""
    upload = request.FILES.get("file")
    if upload is None or upload.size is None or upload.size > 2_000_000:
        messages.error(request, "Nothing imported: choose a CSV file of at most 2 MB.")
        return redirect("actions:board")
    try:
        text = upload.read().decode("utf-8-sig")
        done = csvio.import_csv(text, actor=request.user)
    except UnicodeDecodeError:
        messages.error(request, "Nothing imported: the file is not UTF-8 text.")
    except csvio.ImportRefused as exc:
        shown = "; ".join(exc.errors[:10]) + (
            f" (and {len(exc.errors) - 10} more)" if len(exc.errors) > 10 else ""
        )
        messages.error(request, f"Nothing imported: {shown}")
    else:
        messages.success(request, f"Imported: {done.updated} updated, {done.created} added.")
    return redirect("actions:board")
