"""Incident metrics as pure functions over the key moments (no Django).

Definitions (the same everywhere: incident page, API, insights):
- time to detect: started → detected
- time to acknowledge: detected → acknowledged
- time to mitigate: started → mitigated
- time to resolve: started → resolved
- customer-facing duration: started → mitigated (or resolved; still running
  while neither is set), i.e. how long customers felt it.
A span whose end is missing, or which runs backwards because of a bad
correction, is None rather than a misleading number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


def span(start: datetime | None, end: datetime | None) -> timedelta | None:
    """Return end − start, or None when either is missing or the span is negative."""
    if start is None or end is None or end < start:
        return None
    return end - start


@dataclass(frozen=True)
class IncidentMetrics:
    time_to_detect: timedelta | None
    time_to_acknowledge: timedelta | None
    time_to_mitigate: timedelta | None
    time_to_resolve: timedelta | None
    customer_facing: timedelta | None
    ongoing: bool

    def as_seconds(self) -> dict[str, int | None]:
        """Return each metric in whole seconds (None when unknown)."""
        values = {
            "time_to_detect": self.time_to_detect,
            "time_to_acknowledge": self.time_to_acknowledge,
            "time_to_mitigate": self.time_to_mitigate,
            "time_to_resolve": self.time_to_resolve,
            "customer_facing": self.customer_facing,
        }
        return {k: int(v.total_seconds()) if v is not None else None for k, v in values.items()}


def incident_metrics(
    *,
    started: datetime,
    detected: datetime | None,
    acknowledged: datetime | None,
    mitigated: datetime | None,
    resolved: datetime | None,
    now: datetime,
) -> IncidentMetrics:
    """Compute the incident's metrics from its key moments."""
    impact_end = mitigated or resolved
    return IncidentMetrics(
        time_to_detect=span(started, detected),
        time_to_acknowledge=span(detected, acknowledged),
        time_to_mitigate=span(started, mitigated),
        time_to_resolve=span(started, resolved),
        customer_facing=span(started, impact_end or now),
        ongoing=impact_end is None,
    )


def humanize(value: timedelta | None) -> str:
    """Return a short human duration such as '1 h 05 min' or '42 s'; '—' when unknown."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min" if not secs else f"{minutes} min {secs:02d} s"
    return f"{secs} s"
