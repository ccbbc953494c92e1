"""PagerDuty v3 webhooks (event subscriptions)."""

from __future__ import annotations

import re
from typing import Any

from hindsight.integrations.webhooks.common import (
    Signal,
    bad_request,
    object_or_empty,
    parse_time,
    require_dict,
    severity_from,
)

_EVENT_TYPE = re.compile(r"^[a-z_]+\.[a-z_]+$")
_FIRING = {"incident.triggered", "incident.reopened"}
_RESOLVED = {"incident.resolved"}


def _severity(data: dict[str, Any]) -> str:
    priority = data.get("priority")
    if isinstance(priority, dict) and priority.get("summary"):
        return severity_from(priority["summary"])
    return "SEV2" if data.get("urgency") == "high" else "SEV3"


def parse(payload: dict[str, Any]) -> list[Signal]:
    """Parse a PagerDuty v3 alert post; non-incident events carry no incident news."""
    event = require_dict(payload.get("event"), "event")
    event_type = event.get("event_type")
    if not isinstance(event_type, str) or not _EVENT_TYPE.match(event_type):
        raise bad_request(
            "unknown_kind",
            f"event.event_type: expected e.g. 'incident.triggered', got {event_type!r}",
        )
    if event.get("resource_type") != "incident" or not event_type.startswith("incident."):
        return []
    event_id = event.get("id")
    if not isinstance(event_id, str) or not event_id:
        raise bad_request("invalid", "event.id: a PagerDuty event needs its id")
    data = require_dict(event.get("data"), "event.data")
    incident_id = data.get("id")
    if not incident_id:
        raise bad_request("invalid", "event.data.id: the PagerDuty incident id is missing")
    occurred = parse_time(event.get("occurred_at"), "event.occurred_at")
    title = str(data.get("title") or f"PagerDuty incident {incident_id}")
    agent = object_or_empty(event.get("agent"))
    service = object_or_empty(data.get("service"))
    verb = event_type.split(".", 1)[1].replace("_", " ")
    text = f"PagerDuty #{data.get('number', incident_id)} {verb}: {title}"
    if service.get("summary"):
        text += f" (service {service['summary']})"
    if agent.get("summary"):
        text += f" — by {agent['summary']}"
    action = (
        "firing" if event_type in _FIRING else "resolved" if event_type in _RESOLVED else "update"
    )
    return [
        Signal(
            action=action,  # type: ignore[arg-type]
            fingerprint=f"pagerduty:{incident_id}",
            title=title[:200],
            text=text,
            key=f"pagerduty:{event_id}",
            severity=_severity(data),
            occurred_at=occurred,
            raw=payload,
        )
    ]
