"""Workflow, comments, revisions and exports of a post-mortem."""

from __future__ import annotations

import json
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from hindsight.accounts.models import User
from hindsight.accounts.permissions import AuthenticatedRequest, role_required
from hindsight.accounts.services import user_for_token
from hindsight.config import SELF_CONTAINED_CSP
from hindsight.core import export
from hindsight.incidents.models import Incident
from hindsight.postmortems import access, printing, services
from hindsight.postmortems.drafting import draft_on_resolve
from hindsight.postmortems.models import PostMortem, PostMortemComment
from hindsight.postmortems.views import diff_lines

FORMATS = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
}


@require_POST
@role_required("responder")  # reviewers may be responders; the service decides
def transition(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Submit for review, approve, publish or reopen, as the button says."""
    postmortem = access.get_visible(request.user, pk)
    to = request.POST.get("to", "")
    reviewers = None
    if "reviewers" in request.POST:
        reviewers = list(User.objects.filter(pk__in=request.POST.getlist("reviewers")))
    try:
        services.transition(
            postmortem=postmortem,
            to=to,
            actor=request.user,
            reviewers=reviewers,
            audiences=request.POST.getlist("audiences") or ["full"],
        )
    except services.PostMortemError as exc:
        messages.error(request, f"Nothing changed: {exc}")
    else:
        messages.success(
            request, f"The post-mortem is now {postmortem.get_status_display().lower()}."
        )
    return redirect("postmortems:workspace", pk=pk)


@require_POST
@role_required("responder")  # reviewers may be responders; the service decides
def add_comment(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Comment on one section."""
    postmortem = access.get_visible(request.user, pk)
    try:
        services.add_comment(
            postmortem=postmortem,
            section=request.POST.get("section", ""),
            text=request.POST.get("text", ""),
            author=request.user,
        )
    except services.PostMortemError as exc:
        messages.error(request, f"The comment was not added: {exc}")
    else:
        messages.success(request, "Comment added.")
    return redirect(f"/postmortems/{pk}/#comments")


@require_POST
@role_required("responder")  # reviewers may be responders; the service decides
def resolve_comment(request: AuthenticatedRequest, pk: int, comment_id: int) -> HttpResponse:
    """Resolve a comment, or open it again."""
    postmortem = access.get_visible(request.user, pk)
    comment = get_object_or_404(PostMortemComment, pk=comment_id, postmortem=postmortem)
    try:
        services.resolve_comment(
            comment=comment, actor=request.user, resolved=request.POST.get("resolved") != "0"
        )
    except services.PostMortemError as exc:
        messages.error(request, str(exc))
    return redirect(f"/postmortems/{pk}/#comments")


@require_GET
def revisions(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Every saved version with its author, time, note and score."""
    postmortem = access.get_visible(request.user, pk)
    found = postmortem.revisions.select_related("author").order_by("-version")
    return render(request, "postmortems/revisions.html", {"pm": postmortem, "revisions": found})


@require_GET
def diff(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The differences between two saved versions."""
    postmortem = access.get_visible(request.user, pk)
    versions = {}
    for key, default in (("from", postmortem.version - 1), ("to", postmortem.version)):
        try:
            versions[key] = int(request.GET.get(key, default))
        except ValueError:
            raise Http404("No such version.") from None
    older = get_object_or_404(postmortem.revisions, version=versions["from"])
    newer = get_object_or_404(postmortem.revisions, version=versions["to"])
    return render(
        request,
        "postmortems/diff.html",
        {
            "pm": postmortem,
            "older": older,
            "newer": newer,
            "lines": diff_lines(
                older.body, newer.body, f"version {older.version}", f"version {newer.version}"
            ),
            "versions": postmortem.revisions.values_list("version", flat=True).order_by("version"),
        },
    )


def _caller(request: HttpRequest) -> User | None:
    """The logged-in user, or the user of a Bearer token (exports work for API clients)."""
    if request.user.is_authenticated and isinstance(request.user, User):
        return request.user
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return user_for_token(header[7:].strip())
    return None


def _filename(postmortem: PostMortem, audience: str, fmt: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", postmortem.title.lower()).strip("-")[:60] or "postmortem"
    return f"{slug}-{audience}.{fmt}"


@login_not_required
@require_GET
def export_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The post-mortem for an audience (full, summary, public) as md, html, pdf or json."""
    user = _caller(request)
    if user is None:
        if "Authorization" in request.headers:
            return JsonResponse(
                {"detail": "Send a valid API token.", "code": "unauthorized"}, status=401
            )
        return redirect_to_login(request.get_full_path())
    postmortem = access.get_visible(user, pk)
    audience = request.GET.get("audience", "full")
    if audience not in export.AUDIENCES or fmt not in FORMATS:
        return JsonResponse(
            {
                "detail": f"Use audience={'|'.join(export.AUDIENCES)} and .md, .html, .pdf or .json.",
                "code": "bad_request",
            },
            status=400,
        )
    text = services.document_text(postmortem)
    # Whoever took part is redacted from the customer version, named in the text or not.
    names = services.participant_names(postmortem) if audience == "public" else frozenset()
    try:
        if fmt == "md":
            content: str | bytes = export.audience_markdown(text, audience, names)
        elif fmt == "json":
            data = export.audience_json(text, audience, names)
            data |= {
                "id": postmortem.pk,
                "incident": postmortem.incident_id,
                "status": postmortem.status,
                "version": postmortem.version,
                "score": postmortem.quality_score,
            }
            content = json.dumps(data, ensure_ascii=False, indent=2)
        else:
            page = export.audience_html(text, audience, postmortem.title, names)
            content = page if fmt == "html" else printing.pdf_from_html(page)
    except export.DisclosureError as exc:
        found = "; ".join(f"line {f.line}: {f.message}" for f in exc.leaks[:5])
        return JsonResponse(
            {
                "detail": f"The customer-facing version would disclose internal details ({found}); "
                "reword them in the post-mortem first.",
                "code": "disclosure",
            },
            status=409,
        )
    except printing.PdfUnavailable as exc:
        return JsonResponse({"detail": str(exc), "code": "pdf_unavailable"}, status=501)
    response = HttpResponse(content, content_type=FORMATS[fmt])
    # The printable page opens in the browser; the files download.
    disposition = "inline" if fmt == "html" and "download" not in request.GET else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{_filename(postmortem, audience, fmt)}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    if fmt == "html":
        # The page carries its own styles and nothing else: no scripts, no outside requests.
        response["Content-Security-Policy"] = SELF_CONTAINED_CSP
    return response


@require_POST
@role_required("responder")
def start(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Ask for a post-mortem of a resolved incident the policy did not require one for."""
    incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=incident_id)
    if incident.is_open:
        messages.error(request, "Resolve the incident first; its post-mortem is drafted then.")
        return redirect("incidents:detail", pk=incident.pk)
    postmortem = draft_on_resolve(incident=incident, actor=request.user)  # type: ignore[arg-type]
    return redirect("postmortems:workspace", pk=postmortem.pk)
