"""The post-mortem template: the one source of every draft.

`hindsight new` (optionally `--from-incident FILE`), the draft written when an
incident is resolved in Hindsight, and the demo data all call `new_postmortem`
with an incident as a mapping. Every key is optional:

    {
      "title": "Checkout errors after the 14:00 deploy",
      "incident": "INC-1042",
      "severity": "SEV2",
      "status": "draft",
      "services": ["checkout", "payments-api"],
      "service_names": ["Checkout", "Payments API"],
      "authors": ["Maria Lopez"],
      "participants": ["Maria Lopez", "Sam Okafor"],
      "started": "2026-03-02T14:02:00Z",
      "detected": "2026-03-02T14:09:00Z",
      "acknowledged": "2026-03-02T14:11:00Z",
      "mitigated": "2026-03-02T14:40:00Z",
      "resolved": "2026-03-02T15:10:00Z",
      "written": "2026-03-03",
      "review_date": "2026-04-02",
      "summary": "One paragraph, if already known.",
      "impact": "Who was affected and how.",
      "timeline": [{"at": "2026-03-02T14:09:00Z", "actor": "Alertmanager",
                    "text": "Paged on-call"}],
      "action_items": [{"text": "...", "owner": "@maria", "due": "2026-04-01",
                        "priority": "P1", "term": "long-term"}]
    }

`written` defaults to today and `review_date` (when to check the action items)
to 30 days after it; `"written": null` leaves it for the authors. What is known
is written in: the facts and durations open the summary, the timeline is a
table, action items are a table. Where only people can write (the analysis,
what went well, what to improve, the actions) an HTML comment says what belongs
there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import yaml

from hindsight.core.durations import format_duration
from hindsight.core.metrics import IncidentMetrics, incident_metrics
from hindsight.core.model import ActionItem, SectionKind, TimelineEntry
from hindsight.core.render import items_table, timeline_table
from hindsight.core.sections import CANONICAL_TITLES
from hindsight.core.timeparse import find_date, parse_leading

_STRING_KEYS = ("title", "incident", "severity", "status", "summary", "impact")
_TIME_KEYS = ("started", "detected", "acknowledged", "mitigated", "resolved")
_DATE_KEYS = ("written", "review_date")
_LIST_KEYS = ("services", "service_names", "authors", "participants")
KNOWN_KEYS = frozenset(
    _STRING_KEYS + _TIME_KEYS + _DATE_KEYS + _LIST_KEYS + ("timeline", "action_items")
)
FOLLOW_UP = dt.timedelta(days=30)

GUIDANCE = {
    SectionKind.SUMMARY: "3-4 sentences: what happened, when, for how long, who was affected "
    "and the business impact. Plain language: spell out acronyms.",
    SectionKind.TIMELINE: "One row per moment, with who acted: detection, key response "
    "actions, restoration, closure. Times in UTC.",
    SectionKind.ROOT_CAUSE: "Contributing factors (more than one is normal), including process "
    "and communication factors, not only technical ones. A 5 Whys chain helps: ask why at "
    "least three times. Describe systems, never blame people.",
    SectionKind.WENT_WELL: "What helped: alerts that fired, tools and runbooks that worked, "
    "teamwork.",
    SectionKind.IMPROVEMENTS: "Gaps in detection, response, communication and process, stated "
    "specifically: which alert, which runbook, which decision.",
    SectionKind.ACTION_ITEMS: 'Specific and measurable ("Add CPU alerts at 80% and 90%", not '
    '"improve monitoring"), one named person as owner, a date, a priority, immediate or '
    "long-term.",
}


class IncidentError(ValueError):
    """The incident doesn't have the documented shape; the message names the key."""


def _time(value: Any, key: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise IncidentError(f"`{key}` is not an ISO 8601 date-time: {value!r}") from None
    else:
        raise IncidentError(f"`{key}` must be an ISO 8601 date-time string")
    return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _date(value: Any, key: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise IncidentError(f"`{key}` is not a date like 2026-03-31: {value!r}")


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
        if isinstance(at, dt.datetime):
            at = _time(at, where).strftime("%Y-%m-%dT%H:%M:%SZ")
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


def action_item(raw: Mapping[str, Any], where: str = "action item") -> ActionItem:
    """An action item from its fields (text, owner, due, priority, term, status)."""
    values = {k: raw.get(k) or "" for k in ("text", "owner", "due", "priority", "term", "status")}
    if not all(isinstance(v, str) for v in values.values()):
        raise IncidentError(f"`{where}` values must be strings")
    due = find_date(values["due"]) if values["due"] else None
    return ActionItem(
        values["text"],
        values["owner"],
        due,
        values["priority"],
        values["term"],
        values["status"],
        due_text=values["due"],
    )


def _items(incident: Mapping[str, Any]) -> list[ActionItem]:
    return [
        action_item(raw, f"action_items[{index}]")
        for index, raw in enumerate(incident.get("action_items", []))
    ]


def _yaml_value(value: Any) -> str:
    return (
        yaml.safe_dump(value, default_flow_style=True, allow_unicode=True)
        .strip()
        .removesuffix("\n...")
    )


def _severity(incident: Mapping[str, Any]) -> str:
    """ "SEV2 (severity 2 of 4; 1 is the worst)": spelled out for readers outside the team."""
    severity = str(incident.get("severity") or "")
    if re.fullmatch(r"SEV[1-4]", severity):
        return f"{severity} (severity {severity[3]} of 4; 1 is the worst)"
    return severity


def _what_we_know(incident: Mapping[str, Any], times: dict[str, dt.datetime]) -> list[str]:
    """Plain sentences of what is known: when, what was hit, how long, the impact."""
    started = times.get("started")
    names = incident.get("service_names") or incident.get("services") or []
    hit = f"{', '.join(names)} {'was' if len(names) == 1 else 'were'} affected" if names else ""
    opening = ""
    if started and hit:
        opening = f"On {started:%Y-%m-%d} at {started:%H:%M} UTC, {hit}"
    elif started:
        opening = f"The incident started on {started:%Y-%m-%d} at {started:%H:%M} UTC"
    elif hit:
        opening = hit[0].upper() + hit[1:]
    sentences = [opening + "."] if opening else []
    values = _metrics(times)
    detected, resolved = values.time_to_detect, values.time_to_resolve
    steps = [f"detected {format_duration(detected)} later" if detected is not None else ""]
    steps.append(f"resolved after {format_duration(resolved)}" if resolved is not None else "")
    if any(steps):
        sentences.append("It was " + " and ".join(step for step in steps if step) + ".")
    if values.customer_facing is not None:
        sentences.append(f"Customers felt it for {format_duration(values.customer_facing)}.")
    if incident.get("impact"):
        sentences.append(" ".join(str(incident["impact"]).split()))
    return [" ".join(sentences)] if sentences else []


def _metrics(times: dict[str, dt.datetime]) -> IncidentMetrics:
    """The incident's durations by the one definition (core.metrics), from its key moments."""
    return incident_metrics(
        started=times.get("started"),
        detected=times.get("detected"),
        acknowledged=times.get("acknowledged"),
        mitigated=times.get("mitigated"),
        resolved=times.get("resolved"),
    )


def _facts(incident: Mapping[str, Any], times: dict[str, dt.datetime]) -> list[str]:
    """The incident's id and its durations, and who took part."""
    facts = []
    number = incident.get("incident")
    label = [f"#{number}" if isinstance(number, int) else str(number or ""), _severity(incident)]
    if any(label):
        facts.append(f"- **Incident:** {', '.join(part for part in label if part)}")
    values = _metrics(times)
    durations = [
        ("Time to detect", values.time_to_detect),
        ("to acknowledge", values.time_to_acknowledge),
        ("to mitigate", values.time_to_mitigate),
        ("to resolve", values.time_to_resolve),
    ]
    known = [(label, value) for label, value in durations if value is not None]
    if known:
        facts.append("- " + "; ".join(f"**{label}:** {format_duration(v)}" for label, v in known))
    if incident.get("participants"):
        facts.append(f"- **People:** {', '.join(incident['participants'])}")
    return facts


def _front_matter(
    incident: Mapping[str, Any], times: dict[str, dt.datetime], today: dt.date
) -> list[str]:
    written = _date(incident["written"], "written") if incident.get("written") else None
    if "written" not in incident:
        written = today
    if incident.get("review_date"):
        follow_up: dt.date | str = _date(incident["review_date"], "review_date")
    else:
        follow_up = (written or today) + FOLLOW_UP
    meta: list[tuple[str, Any, str]] = [
        (
            "title",
            str(incident.get("title") or "Incident title"),
            "what broke, in customers' words",
        ),
        ("incident", incident.get("incident", ""), "ticket or incident id"),
        ("severity", str(incident.get("severity", "")), "SEV1 (worst) .. SEV4"),
        ("status", str(incident.get("status", "draft")), "draft, in review, approved, published"),
        ("services", incident.get("services", []), "affected services"),
        ("authors", incident.get("authors", []), "who wrote this"),
        ("started", times.get("started", ""), "when the impact began (UTC)"),
        ("detected", times.get("detected", ""), "when someone or something noticed"),
        ("resolved", times.get("resolved", ""), "when service was restored"),
        ("written", written, "write within 48 hours of resolution"),
        ("review_date", follow_up, "when to check the action items"),
    ]
    return ["---", *(f"{k}: {_yaml_value(v)}  # {hint}" for k, v, hint in meta), "---"]


def _section(kind: SectionKind, *content: list[str]) -> list[str]:
    out = [f"## {CANONICAL_TITLES[kind]}", "", f"<!-- {GUIDANCE[kind]} -->", ""]
    for part in content:
        if part:
            out += [*part, ""]
    return out


def new_postmortem(incident: Mapping[str, Any] | None, today: dt.date) -> str:
    """The Markdown of a new post-mortem; `today` is the default `written` date."""
    incident = incident or {}
    _validate(incident)
    times = {key: _time(incident[key], key) for key in _TIME_KEYS if incident.get(key)}
    title = str(incident.get("title") or "Incident title")
    summary = [str(incident["summary"])] if incident.get("summary") else []
    entries = _entries(incident)
    items = _items(incident)
    out = [*_front_matter(incident, times, today), "", f"# {title}", ""]
    out += _section(
        SectionKind.SUMMARY, summary, _what_we_know(incident, times), _facts(incident, times)
    )
    out += _section(SectionKind.TIMELINE, timeline_table(entries) if entries else [])
    out += _section(SectionKind.ROOT_CAUSE)
    out += _section(SectionKind.WENT_WELL)
    out += _section(SectionKind.IMPROVEMENTS)
    out += _section(SectionKind.ACTION_ITEMS, items_table(items) if items else [])
    return "\n".join(out).rstrip("\n") + "\n"
