"""Parsers by integration kind; a new source registers here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hindsight.integrations.webhooks import alertmanager, generic, grafana, pagerduty
from hindsight.integrations.webhooks.common import Signal

PARSERS: dict[str, Callable[[dict[str, Any]], list[Signal]]] = {
    "alertmanager": alertmanager.parse,
    "grafana": grafana.parse,
    "pagerduty": pagerduty.parse,
    "generic": generic.parse,
}
