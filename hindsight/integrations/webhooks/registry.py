"""Alert sources by integration kind, registered once.

The Integration model's choices, the integrations page's form, the webhook
URL's kind and docs/integrations.md's table all read this registry; a new
source is one more ``register``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hindsight.incidents.models import EventSource
from hindsight.integrations.webhooks import alertmanager, generic, grafana, pagerduty
from hindsight.integrations.webhooks.common import Signal

Parser = Callable[[dict[str, Any]], list[Signal]]


@dataclass(frozen=True)
class AlertSource:
    """One kind of alert webhook: how its posts parse, how its events are labelled."""

    kind: str  # stored on Integration.kind and in the webhook URL
    label: str
    parse: Parser
    timeline_source: str  # the EventSource its events carry on the timeline


SOURCES: dict[str, AlertSource] = {}


def register(source: AlertSource) -> AlertSource:
    """Add an alert source; registering the same kind twice is a programming error."""
    if source.kind in SOURCES and SOURCES[source.kind] != source:
        raise ValueError(f"alert source {source.kind!r} is already registered")
    SOURCES[source.kind] = source
    return source


def source_choices() -> list[tuple[str, str]]:
    """(kind, label) of every alert source, in registration order."""
    return [(source.kind, source.label) for source in SOURCES.values()]


register(
    AlertSource(
        "alertmanager", "Prometheus Alertmanager", alertmanager.parse, EventSource.ALERTMANAGER
    )
)
register(AlertSource("grafana", "Grafana alerting", grafana.parse, EventSource.GRAFANA))
register(AlertSource("pagerduty", "PagerDuty v3 webhook", pagerduty.parse, EventSource.PAGERDUTY))
register(AlertSource("generic", "Generic JSON", generic.parse, EventSource.WEBHOOK))
