"""Hindsight's generic JSON alert format (documented in docs/api.md)."""

from __future__ import annotations

from typing import Any

from hindsight.integrations.webhooks.common import (
    Signal,
    bad_request,
    content_key,
    instant,
    parse_time,
    require_dict,
)

FIELDS = {"status", "fingerprint", "title", "severity", "service", "text", "occurred_at", "id"}
MAX_ALERTS = 100
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")


def _text(alert: dict[str, Any], name: str, where: str, *, limit: int) -> str:
    value = alert.get(name, "")
    if not isinstance(value, str):
        raise bad_request("invalid", f"{where}.{name}: expected a string")
    if len(value) > limit:
        raise bad_request("invalid", f"{where}.{name}: longer than {limit} characters")
    return value.strip()


def _signal(item: Any, where: str) -> Signal:
    alert = require_dict(item, where)
    unknown = sorted(set(alert) - FIELDS)
    if unknown:
        raise bad_request(
            "unknown_field",
            f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(FIELDS))}",
        )
    status = alert.get("status")
    if status not in ("firing", "resolved"):
        raise bad_request(
            "unknown_status", f"{where}.status: expected 'firing' or 'resolved', got {status!r}"
        )
    fingerprint = _text(alert, "fingerprint", where, limit=150)
    if not fingerprint:
        raise bad_request("invalid", f"{where}.fingerprint: required")
    title = _text(alert, "title", where, limit=200)
    if status == "firing" and not title:
        raise bad_request("invalid", f"{where}.title: required for a firing alert")
    severity = alert.get("severity", "SEV3")
    if severity not in SEVERITIES:
        raise bad_request(
            "invalid",
            f"{where}.severity: expected one of {', '.join(SEVERITIES)}, got {severity!r}",
        )
    text = _text(alert, "text", where, limit=10_000) or f"{title or fingerprint} {status}"
    alert_id = _text(alert, "id", where, limit=150)
    occurred = parse_time(alert.get("occurred_at"), f"{where}.occurred_at")
    content = {**alert, "occurred_at": instant(occurred)} if "occurred_at" in alert else alert
    return Signal(
        action=status,
        fingerprint=f"generic:{fingerprint}",
        title=title or fingerprint,
        text=text,
        key=f"generic:id:{alert_id}" if alert_id else content_key("generic", content),
        severity=severity,
        occurred_at=occurred,
        service_slug=_text(alert, "service", where, limit=120),
        raw=alert,
    )


def parse(payload: dict[str, Any]) -> list[Signal]:
    """Parse one generic alert object, or {"alerts": [...]} with up to 100 of them."""
    if "alerts" in payload:
        if set(payload) != {"alerts"}:
            extra = ", ".join(sorted(set(payload) - {"alerts"}))
            raise bad_request("unknown_field", f"unknown field(s) beside 'alerts': {extra}")
        alerts = payload["alerts"]
        if not isinstance(alerts, list) or not alerts:
            raise bad_request("invalid", "alerts: expected a non-empty list")
        if len(alerts) > MAX_ALERTS:
            raise bad_request("too_many", f"alerts: at most {MAX_ALERTS} per delivery")
        return [_signal(item, f"alerts[{n}]") for n, item in enumerate(alerts)]
    return [_signal(payload, "alert")]
