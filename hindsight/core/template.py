"""`hindsight new`: a post-mortem template with guidance, optionally filled from an incident.

The incident JSON (all keys optional):

    {
      "title": "Checkout errors after the 14:00 deploy",
      "incident": "INC-1042",
      "severity": "SEV2",
      "status": "draft",
      "services": ["checkout", "payments-api"],
      "authors": ["Maria Lopez"],
      "started": "2026-03-02T14:02:00Z",
      "detected": "2026-03-02T14:09:00Z",
      "resolved": "2026-03-02T15:10:00Z",
      "summary": "One paragraph, if already known.",
      "impact": "Who was affected and how.",
      "timeline": [{"at": "2026-03-02T14:09:00Z", "actor": "Alertmanager",
                    "text": "Paged on-call"}],
      "action_items": [{"text": "...", "owner": "@maria", "due": "2026-04-01",
                        "priority": "P1", "term": "long-term"}]
    }
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import yaml

from hindsight.core.model import ActionItem, TimelineEntry
from hindsight.core.render import items_table, timeline_table
from hindsight.core.timeparse import find_date, parse_leading

_STRING_KEYS = ("title", "incident", "severity", "status", "summary", "impact")
_TIME_KEYS = ("started", "detected", "resolved")
_LIST_KEYS = ("services", "authors")
KNOWN_KEYS = frozenset(_STRING_KEYS + _TIME_KEYS + _LIST_KEYS + ("timeline", "action_items"))


class IncidentError(ValueError):
    """The incident JSON doesn't have the documented shape; the message names the key."""


def _time(value: Any, key: str) -> dt.datetime:
    if not isinstance(value, str):
        raise IncidentError(f"`{key}` must be an ISO 8601 date-time string")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise IncidentError(f"`{key}` is not an ISO 8601 date-time: {value!r}") from None
    return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _validate(incident: Mapping[str, Any]) -> None:
    unknown = sorted(set(incident) - KNOWN_KEYS)
    if unknown:
        raise IncidentError(f"unknown key(s): {', '.join(unknown)}")
    for key in _STRING_KEYS:
        if key in incident and not isinstance(incident[key], str | int):
            raise IncidentError(f"`{key}` must be a string")
    for key in _LIST_KEYS:
        value = incident.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise IncidentError(f"`{key}` must be a list of strings")
    for key in ("timeline", "action_items"):
        value = incident.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise IncidentError(f"`{key}` must be a list of objects")


def _entries(incident: Mapping[str, Any]) -> list[TimelineEntry]:
    entries = []
    for index, raw in enumerate(incident.get("timeline", [])):
        where = f"timeline[{index}]"
        if not isinstance(raw.get("text", ""), str) or not isinstance(raw.get("actor", ""), str):
            raise IncidentError(f"`{where}.text` and `.actor` must be strings")
        at = raw.get("at")
        if not isinstance(at, str):
            raise IncidentError(f"`{where}.at` must be a date-time or time string")
        stamp = parse_leading(at)
        if stamp is None or stamp.clock is None:
            raise IncidentError(f"`{where}.at` is not a time: {at!r}")
        entries.append(
            TimelineEntry(
                stamp.day, stamp.clock, raw.get("text", ""), raw.get("actor", ""), tz=stamp.tz
            )
        )
    return entries


def _items(incident: Mapping[str, Any]) -> list[ActionItem]:
    items = []
    for index, raw in enumerate(incident.get("action_items", [])):
        values = {k: raw.get(k, "") for k in ("text", "owner", "due", "priority", "term", "status")}
        if not all(isinstance(v, str) for v in values.values()):
            raise IncidentError(f"`action_items[{index}]` values must be strings")
        due = find_date(values["due"]) if values["due"] else None
        items.append(
            ActionItem(
                values["text"],
                values["owner"],
                due,
                values["priority"],
                values["term"],
                values["status"],
                due_text=values["due"],
            )
        )
    return items


def _yaml_value(value: Any) -> str:
    return (
        yaml.safe_dump(value, default_flow_style=True, allow_unicode=True)
        .strip()
        .removesuffix("\n...")
    )


def new_postmortem(incident: Mapping[str, Any] | None, today: dt.date) -> str:
    """The Markdown of a new post-mortem; `today` is the `written` date."""
    incident = incident or {}
    _validate(incident)
    times = {key: _time(incident[key], key) for key in _TIME_KEYS if key in incident}
    title = str(incident.get("title") or "Incident title")
    meta: list[tuple[str, Any, str]] = [
        ("title", title, "what broke, in customers' words"),
        ("incident", str(incident.get("incident", "")), "ticket or incident id"),
        ("severity", str(incident.get("severity", "")), "SEV1 (worst) .. SEV4"),
        ("status", str(incident.get("status", "draft")), "draft, in review, approved, published"),
        ("services", incident.get("services", []), "affected services"),
        ("authors", incident.get("authors", []), "who wrote this"),
        ("started", times.get("started", ""), "when the impact began (UTC)"),
        ("detected", times.get("detected", ""), "when someone or something noticed"),
        ("resolved", times.get("resolved", ""), "when service was restored"),
        ("written", today, "write within 48 hours of resolution"),
        ("review_date", today + dt.timedelta(days=30), "when to check the action items"),
    ]
    out = ["---"]
    out += [f"{key}: {_yaml_value(value)}  # {hint}" for key, value, hint in meta]
    out += ["---", "", f"# {title}", "", "## Summary", ""]
    out += [
        "<!-- 3-4 sentences: what happened, when, for how long, who was affected and the "
        "business impact. Plain language: spell out acronyms. -->",
        "",
    ]
    if incident.get("summary"):
        out += [str(incident["summary"]), ""]
    if incident.get("impact"):
        out += ["## Impact", "", str(incident["impact"]), ""]
    out += ["## Timeline", ""]
    out += [
        "<!-- One row per moment, with who acted: detection, key response actions, "
        "restoration, closure. Times in UTC. -->",
        "",
    ]
    entries = _entries(incident)
    if entries:
        out += timeline_table(entries) + [""]
    out += ["## Root cause analysis", ""]
    out += [
        "<!-- Contributing factors (more than one is normal), including process and "
        "communication factors, not only technical ones. A 5 Whys chain helps: ask why at least "
        "three times. Describe systems, never blame people. -->",
        "",
        "## What went well",
        "",
        "<!-- What helped: alerts that fired, tools and runbooks that worked, teamwork. -->",
        "",
        "## What could be improved",
        "",
        "<!-- Gaps in detection, response, communication and process, stated specifically. -->",
        "",
        "## Action items",
        "",
        '<!-- Specific and measurable ("Add CPU alerts at 80% and 90%", not "improve '
        'monitoring"), one named person as owner, a date, a priority, immediate or long-term. '
        "-->",
        "",
    ]
    items = _items(incident)
    if items:
        out += items_table(items) + [""]
    return "\n".join(out).rstrip("\n") + "\n"
