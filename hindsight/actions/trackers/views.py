"""Tracker pages: the integrations (add, switch off, their errors), linking an item, settling
a conflict, and the webhooks GitHub and Jira call when an issue changes."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hindsight import egress
from hindsight.accounts import audit
from hindsight.accounts.permissions import AuthenticatedRequest, role_required
from hindsight.actions import services
from hindsight.actions.models import LinkState, Tracker, TrackerKind, TrackerLink
from hindsight.actions.trackers import sync
from hindsight.actions.trackers.clients import client_for

log = logging.getLogger(__name__)
GITHUB_API = "https://api.github.com"


def trackers(request: AuthenticatedRequest) -> HttpResponse:
    """The tracker integrations with their last errors; editors add them."""
    if request.method == "POST":
        if not request.user.has_role("editor"):
            return HttpResponse("Adding a tracker needs the editor role.", status=403)
        return _add(request)
    found = Tracker.objects.order_by("name", "pk")
    return render(
        request,
        "actions/trackers.html",
        {
            "trackers": found,
            "kinds": TrackerKind.choices,
            "can_edit": request.user.has_role("editor"),
        },
    )


def _add(request: AuthenticatedRequest) -> HttpResponse:
    data = {
        k: request.POST.get(k, "").strip()
        for k in (
            "name",
            "kind",
            "base_url",
            "project",
            "user",
            "token",
            "webhook_secret",
            "issue_type",
        )
    }
    if not data["base_url"] and data["kind"] == TrackerKind.GITHUB:
        data["base_url"] = GITHUB_API
    problems = []
    if data["kind"] not in TrackerKind.values:
        problems.append("pick the kind of tracker")
    for name, what in (
        ("name", "a name"),
        ("project", "the repository or project"),
        ("token", "the token"),
    ):
        if not data[name]:
            problems.append(f"give {what}")
    refused = egress.refusal(data["base_url"]) if data["base_url"] else "give the tracker's address"
    if refused:
        problems.append(f"address: {refused}")
    if data["kind"] == TrackerKind.JIRA_CLOUD and not data["user"]:
        problems.append("Jira Cloud needs the account's email with its API token")
    if problems:
        messages.error(request, "Nothing saved: " + "; ".join(problems) + ".")
        return redirect("actions:trackers")
    tracker = Tracker.objects.create(
        name=data["name"][:120],
        kind=data["kind"],
        base_url=data["base_url"][:500],
        project=data["project"][:200],
        user=data["user"][:200],
        token=data["token"],
        webhook_secret=data["webhook_secret"],
        issue_type=data["issue_type"][:60] or "Task",
    )
    audit.record(action="tracker.created", target=tracker, actor=request.user)
    messages.success(request, f"{tracker} added. Link action items to it from their pages.")
    return redirect("actions:trackers")


@require_POST
@role_required("editor")
def toggle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Switch a tracker off (nothing more is sent or pulled) or on again."""
    tracker = get_object_or_404(Tracker, pk=pk)
    tracker.enabled = not tracker.enabled
    tracker.save(update_fields=["enabled"])
    audit.record(
        action="tracker.toggled",
        target=tracker,
        actor=request.user,
        changes={"enabled": tracker.enabled},
    )
    return redirect("actions:trackers")


@require_POST
@role_required("responder")
def track(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Send the item to a tracker as a new issue."""
    item = services.get_visible(request.user, pk)
    tracker = Tracker.objects.filter(pk=request.POST.get("tracker") or 0).first()
    if tracker is None:
        messages.error(request, "Pick a tracker first.")
        return redirect("actions:detail", pk=pk)
    try:
        sync.track(item=item, tracker=tracker, actor=request.user)
    except services.ActionItemError as exc:
        messages.error(request, f"Not sent: {exc}")
    else:
        messages.success(request, f"Sent to {tracker}: the issue appears in a moment.")
    return redirect("actions:detail", pk=pk)


@require_POST
@role_required("responder")
def settle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Keep Hindsight's value or the tracker's for a field changed on both sides."""
    item = services.get_visible(request.user, pk)
    link = TrackerLink.objects.filter(item=item).first()
    try:
        if link is None:
            raise services.ActionItemError("This item is not tracked.")
        sync.resolve(
            link=link,
            field=request.POST.get("field", ""),
            keep=request.POST.get("keep", ""),
            actor=request.user,
        )
    except services.ActionItemError as exc:
        messages.error(request, f"Nothing changed: {exc}")
    else:
        messages.success(request, "Settled.")
    return redirect("actions:detail", pk=pk)


def _signed(secret: str, header: str, body: bytes) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return bool(secret) and hmac.compare_digest(expected, header.strip())


def _refuse(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


@csrf_exempt
@login_not_required
@require_POST
def webhook(request: HttpRequest, pk: int) -> JsonResponse:
    """An issue changed upstream: merge it into its item (signed with the webhook secret)."""
    tracker = Tracker.objects.filter(pk=pk, enabled=True).first()
    if tracker is None:
        return _refuse(404, "not_found", "No such tracker, or it is switched off.")
    header = (
        request.headers.get("X-Hub-Signature-256") or request.headers.get("X-Hub-Signature") or ""
    )
    if not _signed(tracker.webhook_secret, header, request.body):
        return _refuse(
            403, "bad_signature", "The signature does not match the tracker's webhook secret."
        )
    try:
        payload = json.loads(request.body)
        issue = payload["issue"]
        remote = client_for(tracker).remote_from(issue)
    except (ValueError, KeyError, TypeError):
        return _refuse(
            400, "bad_request", "Not an issue event: expected a JSON body with an 'issue'."
        )
    link = TrackerLink.objects.filter(tracker=tracker, external_key=remote.key).first()
    if link is None:
        return JsonResponse(
            {"detail": "No action item is linked to this issue.", "code": "ignored"}
        )
    deleted = (
        payload.get("action") == "deleted" or payload.get("webhookEvent") == "jira:issue_deleted"
    )
    if deleted:
        TrackerLink.objects.filter(pk=link.pk).update(
            state=LinkState.GONE, last_error="Deleted upstream (webhook)."
        )
        return JsonResponse({"detail": "Noted: the issue was deleted upstream.", "code": "gone"})
    taken = sync.apply_remote(link=link, remote=remote)
    return JsonResponse({"detail": "Merged.", "code": "ok", "taken": sorted(taken)})
