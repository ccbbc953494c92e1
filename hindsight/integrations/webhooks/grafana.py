"""Grafana alerting webhooks: unified alerting (Alertmanager shape) and legacy alerts."""

from __future__ import annotations

from typing import Any

from hindsight.integrations.webhooks.alertmanager import parse_alert_list
from hindsight.integrations.webhooks.common import Signal, bad_request, content_key

# Legacy (pre-8) Grafana alert states; the ones not listed carry no news.
_LEGACY_ACTIONS = {"alerting": "firing", "ok": "resolved"}
_LEGACY_QUIET = {"no_data", "paused", "pending", "unknown"}


def parse(payload: dict[str, Any]) -> list[Signal]:
    """Parse a Grafana alert post."""
    if "alerts" in payload:
        return parse_alert_list(payload, source="grafana")
    state = payload.get("state")
    if state in _LEGACY_QUIET:
        return []
    if state not in _LEGACY_ACTIONS:
        raise bad_request(
            "unknown_status",
            f"state: expected 'alerting' or 'ok' (or an 'alerts' list), got {state!r}",
        )
    rule = payload.get("ruleId") or payload.get("ruleName")
    if not rule:
        raise bad_request("invalid", "a legacy Grafana alert needs 'ruleId' or 'ruleName'")
    action = _LEGACY_ACTIONS[state]
    name = str(payload.get("ruleName") or payload.get("title") or f"Rule {rule}")
    message = str(payload.get("message") or "")
    return [
        Signal(
            action=action,  # type: ignore[arg-type]
            fingerprint=f"grafana:rule:{rule}",
            title=name[:200],
            text=f"{name} {action}" + (f": {message}" if message else ""),
            key=content_key("grafana", payload),
            raw=payload,
        )
    ]
