"""Prometheus Alertmanager webhook (version 4), also Grafana unified alerting's shape."""

from __future__ import annotations

from typing import Any

from hindsight.integrations.webhooks.common import (
    Signal,
    bad_request,
    content_key,
    instant,
    object_or_empty,
    parse_time,
    require_dict,
    severity_from,
)


def _labels_text(labels: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))


def parse_alert_list(payload: dict[str, Any], *, source: str) -> list[Signal]:
    """Turn an Alertmanager-shaped payload ({"alerts": [...]}) into signals."""
    alerts = payload.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        raise bad_request("invalid", "expected a non-empty 'alerts' list")
    group_status = payload.get("status")
    common = object_or_empty(payload.get("commonAnnotations"))
    signals = []
    for n, item in enumerate(alerts):
        where = f"alerts[{n}]"
        alert = require_dict(item, where)
        labels = require_dict(alert.get("labels", {}), f"{where}.labels")
        annotations = require_dict(alert.get("annotations", {}) or {}, f"{where}.annotations")
        status = alert.get("status") or group_status
        if status not in ("firing", "resolved"):
            raise bad_request(
                "unknown_status", f"{where}.status: expected 'firing' or 'resolved', got {status!r}"
            )
        starts = parse_time(alert.get("startsAt"), f"{where}.startsAt")
        ends = parse_time(alert.get("endsAt"), f"{where}.endsAt")
        fingerprint = (
            alert.get("fingerprint") or content_key("labels", labels).split(":", 1)[1][:16]
        )
        name = str(labels.get("alertname") or "Alert")
        summary = str(annotations.get("summary") or common.get("summary") or "")
        description = str(annotations.get("description") or "")
        title = summary or name
        detail = " — ".join(part for part in (summary, description) if part)
        text = f"{name} {status}" + (f": {detail}" if detail else "")
        if labels:
            text += f" [{_labels_text(labels)}]"
        signals.append(
            Signal(
                action=status,
                fingerprint=f"{source}:{fingerprint}",
                title=title[:200],
                text=text,
                key=content_key(source, fingerprint, status, instant(starts), instant(ends)),
                severity=severity_from(labels.get("severity")),
                occurred_at=(ends if status == "resolved" else starts),
                service_slug=str(labels.get("service") or ""),
                raw=alert,
            )
        )
    return signals


def parse(payload: dict[str, Any]) -> list[Signal]:
    """Parse an Alertmanager alert post."""
    return parse_alert_list(payload, source="alertmanager")
