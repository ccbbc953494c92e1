"""The customer version's page: write it, check it, approve it, publish it to the status page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from hindsight.accounts.models import Role
from hindsight.accounts.permissions import AuthenticatedRequest
from hindsight.core.html import markdown_to_html
from hindsight.postmortems import access, customer, services


@require_http_methods(["GET", "POST"])
def customer_version(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET shows the version (or the draft to start from); POST saves, approves or publishes."""
    postmortem = access.get_visible(request.user, pk)
    if request.method == "POST" and not request.user.has_role(Role.RESPONDER):
        raise PermissionDenied("Changing the customer version needs the responder role or above.")
    text = customer.current_draft(postmortem)
    error = ""
    if request.method == "POST":
        op = request.POST.get("op", "save")
        text = request.POST.get("text", text).replace("\r\n", "\n")
        try:
            if op == "save":
                customer.save_draft(postmortem=postmortem, text=text, actor=request.user)
                messages.success(request, "Customer version saved; it now needs its approval.")
            elif op == "approve":
                customer.approve(postmortem=postmortem, actor=request.user)
                messages.success(request, "Customer version approved.")
            elif op == "publish":
                customer.publish(postmortem=postmortem, actor=request.user)
                messages.success(request, "Published on the status page.")
            else:
                raise services.PostMortemError("Unknown action; reload the page.")
        except services.PostMortemError as exc:
            error = str(exc)
        else:
            return redirect("postmortems:customer", pk=pk)
    postmortem.refresh_from_db()
    problems = customer.check(postmortem, text) if not error else []
    context = {
        "pm": postmortem,
        "text": text,
        "error": error,
        "problems": problems,
        "preview": markdown_to_html(text),
        "can_edit": access.can_edit(request.user),
        "is_reviewer": access.is_reviewer(request.user, postmortem),
        "saved": bool(postmortem.public_draft.strip()),
    }
    return render(request, "postmortems/customer.html", context, status=400 if error else 200)
