"""The workspace's writes and live parts: save (with its buttons), autosave, review, preview.

With htmx the page updates in place (autosave and review on pauses in typing);
without JavaScript the same form posts and the page reloads. Either way a
refused save keeps the author's text on screen and stores nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hindsight.accounts.permissions import AuthenticatedRequest
from hindsight.core import outline
from hindsight.core.html import markdown_to_html
from hindsight.core.outline import Outline
from hindsight.core.parser import parse
from hindsight.core.recognise import is_postmortem
from hindsight.postmortems import access, diagram_editor, editor, services
from hindsight.postmortems.models import PostMortem
from hindsight.postmortems.views import diff_lines, editor_context, review_context

NOTES = {
    "pick": "Picked a timeline event",
    "unpick": "Took out a timeline event",
    "item-add": "Added an action item",
    "item-save": "Changed an action item",
    "item-remove": "Removed an action item",
    **diagram_editor.NOTES,
}


def _editable(request: AuthenticatedRequest, pk: int) -> PostMortem:
    postmortem = access.get_visible(request.user, pk)
    if not access.can_edit(request.user):
        raise PermissionDenied("Editing post-mortems needs the editor role.")
    return postmortem


def _version(request: AuthenticatedRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        raise editor.EditError("The form has no version; reload the page.") from None


def conflict_context(
    postmortem: PostMortem, conflict: services.VersionConflict, mine: str
) -> dict[str, object]:
    """Both texts side by side and their differences, for the author to choose."""
    latest = postmortem.revisions.filter(version=conflict.current_version).first()
    return {
        "pm": postmortem,
        "conflict": conflict,
        "theirs": conflict.current_body,
        "mine": mine,
        "latest": latest,
        "diff": diff_lines(
            conflict.current_body, mine, f"version {conflict.current_version}", "your text"
        ),
    }


def _apply(postmortem: PostMortem, draft: Outline, op: str, data: QueryDict) -> Outline:
    """The outline after the button's edit: pick or take out an event, edit an item row."""
    kind, _, value = op.partition(":")
    if kind in ("pick", "unpick"):
        event = postmortem.incident.events.filter(pk=value if value.isdigit() else 0).first()
        if event is None:
            raise editor.EditError("That event is not on this incident's timeline.")
        return editor.pick_event(draft, event, include=kind == "pick")
    if kind.startswith("item-"):
        return editor.edit_items(draft, op, data)
    if kind.startswith(diagram_editor.OPS):
        return diagram_editor.edit(draft, op, data)
    return draft


@require_POST
def save(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Save the form, or apply its button (pick an event, edit an action item, preview)."""
    postmortem = _editable(request, pk)
    op = request.POST.get("op", "save")
    htmx = request.headers.get("HX-Request") == "true"
    template = "postmortems/_editor.html" if htmx else "postmortems/workspace.html"
    whole = "parts" not in request.POST  # "save my text" after a conflict posts the whole text
    draft: Outline | None = None
    try:
        version = _version(request)
        draft = (
            editor.editable(editor.compose(request.POST))
            if whole
            else editor.from_form(request.POST)
        )
        kind, _, value = op.partition(":")
        if kind == "preview":
            index = int(value) if value.isdigit() else None
            context = editor_context(request, postmortem, draft, version=version, preview=index)
            return render(request, template, context)
        edited = _apply(postmortem, draft, op, request.POST)
        postmortem = services.save_body(
            postmortem=postmortem,
            body=editor.compose(request.POST) if whole else outline.join(edited),
            author=request.user,
            expected_version=version,
            note=NOTES.get(kind, ""),
        )
    except services.VersionConflict as exc:
        mine = editor.compose(request.POST) if whole or draft is None else outline.join(draft)
        context = conflict_context(postmortem, exc, mine)
        if htmx and draft is not None:
            # Keep the author's text in the editor; the comparison appears beside it.
            context |= editor_context(request, postmortem, draft, version=version, error=str(exc))
            return render(request, "postmortems/_editor.html", context, status=409)
        return render(request, "postmortems/conflict.html", context, status=409)
    except (editor.EditError, services.PostMortemError) as exc:
        context = editor_context(
            request, postmortem, draft, version=_version_or(request, postmortem), error=str(exc)
        )
        return render(request, template, context, status=getattr(exc, "status", 400))
    if htmx:
        response = render(request, "postmortems/_editor.html", editor_context(request, postmortem))
        response["HX-Trigger"] = "postmortem-saved"
        return response
    messages.success(request, f"Saved version {postmortem.version}.")
    return redirect("postmortems:workspace", pk=postmortem.pk)


def _version_or(request: AuthenticatedRequest, postmortem: PostMortem) -> int:
    """The version the form was based on, so a corrected resubmit still checks it."""
    try:
        return _version(request)
    except editor.EditError:
        return postmortem.version


@require_POST
def autosave(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Save the form as typed (htmx, on a pause); answer with the save status only."""
    postmortem = _editable(request, pk)
    text = editor.compose(request.POST)
    context: dict[str, object] = {"pm": postmortem}
    try:
        saved = services.save_body(
            postmortem=postmortem,
            body=text,
            author=request.user,
            expected_version=_version(request),
            note="Autosave",
        )
        context |= {"saved": saved}
    except services.VersionConflict as exc:
        context |= conflict_context(postmortem, exc, text)
        return render(request, "postmortems/_save_status.html", context, status=409)
    except (editor.EditError, services.PostMortemError) as exc:
        context |= {"error": str(exc)}
        return render(
            request, "postmortems/_save_status.html", context, status=getattr(exc, "status", 400)
        )
    return render(request, "postmortems/_save_status.html", context)


@require_POST
def review_panel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Review the text as typed (nothing is saved): findings by section and line, score, due."""
    postmortem = access.get_visible(request.user, pk)
    try:
        draft = editor.from_form(request.POST) if "parts" in request.POST else None
    except editor.EditError:
        draft = None
    draft = draft or editor.editable(services.document_text(postmortem))
    text = outline.join(draft)
    if len(text) > services.MAX_BODY_CHARS:
        return render(
            request,
            "postmortems/_review.html",
            {"pm": postmortem, "too_long": len(text), "max_chars": services.MAX_BODY_CHARS},
        )
    context = review_context(postmortem, draft) | {"oob": True}
    return render(request, "postmortems/_review.html", context)


@require_POST
def preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One section's Markdown as the sanitised HTML it will become."""
    access.get_visible(request.user, pk)
    text = next((str(v) for k, v in request.POST.items() if k.endswith("-body")), "")
    return HttpResponse(markdown_to_html(text[: services.MAX_BODY_CHARS]))


@require_POST
def download_mine(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Hand back the posted text as a .md file, so a refused save can be kept locally."""
    postmortem = access.get_visible(request.user, pk)
    response = HttpResponse(
        request.POST.get("body", "")[: services.MAX_BODY_CHARS * 2],
        content_type="text/markdown; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="postmortem-{postmortem.pk}-mine.md"'
    return response


@require_POST
def upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Replace the text with an uploaded .md file; a stale base version is a conflict."""
    postmortem = _editable(request, pk)
    file = request.FILES.get("file")
    try:
        if file is None:
            raise editor.EditError("Choose a Markdown (.md) file to upload.")
        if (file.size or 0) > services.MAX_BODY_CHARS * 4:
            raise services.BodyTooLarge(
                f"{file.name} is {file.size:,} bytes; a post-mortem is limited to "
                f"{services.MAX_BODY_CHARS:,} characters. Nothing was saved."
            )
        try:
            text = file.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise editor.EditError(f"{file.name} is not UTF-8 text. Nothing was saved.") from None
        if not text.strip() or not is_postmortem(parse(text)):
            raise editor.EditError(
                f"{file.name} doesn't look like a post-mortem: it has neither two of the "
                "practice's sections (Summary, Timeline, ...) nor incident front matter. "
                "Nothing was saved."
            )
        saved = services.save_body(
            postmortem=postmortem,
            body=text,
            author=request.user,
            expected_version=_version(request),
            note=f"Uploaded {file.name}"[:200],
        )
    except services.VersionConflict as exc:
        return render(
            request,
            "postmortems/conflict.html",
            conflict_context(postmortem, exc, text),
            status=409,
        )
    except (editor.EditError, services.PostMortemError) as exc:
        messages.error(request, str(exc))
        return redirect("postmortems:workspace", pk=postmortem.pk)
    messages.success(request, f"Uploaded {file.name} as version {saved.version}.")
    return redirect("postmortems:workspace", pk=postmortem.pk)
