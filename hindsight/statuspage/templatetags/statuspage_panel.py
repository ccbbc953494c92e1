"""The incident page's status-page panel: update history and the update form."""

from __future__ import annotations

from typing import Any

from django import template

from hindsight.incidents.models import Incident
from hindsight.statuspage import services
from hindsight.statuspage.forms import UpdateForm

register = template.Library()


@register.inclusion_tag("statuspage/_panel_body.html", takes_context=True)
def statuspage_panel(context: template.Context, incident: Incident) -> dict[str, Any]:
    """Render the panel for ``incident``; the form only for responders and up."""
    request = context.get("request")
    user = getattr(request, "user", None)
    can_post = bool(user is not None and user.is_authenticated and user.has_role("responder"))
    updates = incident.status_updates.select_related("posted_by").prefetch_related(
        "components__component"
    )
    return {
        "incident": incident,
        "updates": updates,
        "form": UpdateForm(incident=incident, initial={"status": incident.status})
        if can_post
        else None,
        "templates": services.UPDATE_TEMPLATES,
        "csrf_token": context.get("csrf_token"),
        "restricted": incident.restricted,
    }


@register.inclusion_tag("statuspage/_resolve_prompt.html", takes_context=True)
def resolve_prompt(context: template.Context, incident: Incident) -> dict[str, Any]:
    """The incident page's Resolve control: with public updates, it asks for the final
    public message (pre-filled, editable) and resolves the public incident with it."""
    public = not incident.restricted and incident.status_updates.exists()
    return {
        "incident": incident,
        "public": public,
        "message": services.template_message(template="resolved", incident=incident)
        if public
        else "",
        "csrf_token": context.get("csrf_token"),
    }
