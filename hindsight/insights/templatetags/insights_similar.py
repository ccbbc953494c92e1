"""The incident and post-mortem pages' "similar incidents" panel."""

from __future__ import annotations

from typing import Any

from django import template

from hindsight.incidents.models import Incident
from hindsight.insights.similar import similar_incidents

register = template.Library()


@register.inclusion_tag("insights/_similar.html", takes_context=True)
def similar_panel(context: template.Context, incident: Incident) -> dict[str, Any]:
    """Render the incidents most like ``incident`` that the viewer may see, with the reasons."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"similar": similar_incidents(incident=incident, user=user), "incident": incident}
