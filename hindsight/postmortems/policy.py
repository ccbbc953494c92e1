"""When a post-mortem is due, per severity (the HINDSIGHT_POSTMORTEM_DUE setting).

The format is ``SEV1=24h/7d,SEV2=48h,…``: for each severity, the time after
resolution by which the post-mortem is due, optionally preceded by a short
debrief's due time (``debrief/full review``). Units: m, h, d. Severities not
listed get 48 h. Pure: imported by settings, so no Django here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from hindsight.config import ConfigError

SETTING = "HINDSIGHT_POSTMORTEM_DUE"
DEFAULT = "SEV1=24h/7d,SEV2=48h,SEV3=48h,SEV4=48h"
FALLBACK = timedelta(hours=48)
_SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
_SPAN = re.compile(r"^(\d+)([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


@dataclass(frozen=True)
class Due:
    """How long after resolution the debrief (optional) and the post-mortem are due."""

    review: timedelta
    debrief: timedelta | None = None


def _span(text: str, entry: str) -> timedelta:
    match = _SPAN.match(text.strip())
    if not match or int(match[1]) == 0:
        raise ConfigError(
            f"{SETTING}: {text.strip()!r} in {entry!r} is not a duration like 30m, 48h or 7d"
        )
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def parse_policy(value: str) -> dict[str, Due]:
    """Parse the setting's value; a malformed value raises ConfigError naming the setting."""
    policy = {severity: Due(review=FALLBACK) for severity in _SEVERITIES}
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        severity, sep, spans = entry.partition("=")
        severity = severity.strip().upper()
        if not sep or severity not in _SEVERITIES:
            raise ConfigError(
                f"{SETTING}: expected entries like SEV1=24h/7d or SEV3=48h, got {entry!r}"
            )
        parts = spans.split("/")
        if len(parts) == 1:
            policy[severity] = Due(review=_span(parts[0], entry))
        elif len(parts) == 2:
            debrief, review = _span(parts[0], entry), _span(parts[1], entry)
            if debrief > review:
                raise ConfigError(f"{SETTING}: the debrief comes after the review in {entry!r}")
            policy[severity] = Due(review=review, debrief=debrief)
        else:
            raise ConfigError(f"{SETTING}: at most 'debrief/review' per severity, got {entry!r}")
    return policy


REQUIRED_SETTING = "HINDSIGHT_POSTMORTEM_REQUIRED"
REQUIRED_DEFAULT = "SEV1,SEV2"
SHORT_SETTING = "HINDSIGHT_POSTMORTEM_SKIP_SHORT_AUTOMATIC_MINUTES"


def parse_required(value: str) -> frozenset[str]:
    """Parse the severities that require a post-mortem ("SEV1,SEV2"; empty = none)."""
    chosen = {part.strip().upper() for part in value.split(",") if part.strip()}
    unknown = sorted(chosen - set(_SEVERITIES))
    if unknown:
        raise ConfigError(
            f"{REQUIRED_SETTING}: {', '.join(unknown)} is not a severity; use SEV1 to SEV4"
        )
    return frozenset(chosen)


def needs_postmortem(
    *,
    severity: str,
    automatic: bool,
    duration: timedelta | None,
    required: frozenset[str],
    short: timedelta,
) -> tuple[bool, str]:
    """Whether resolving drafts a post-mortem by itself, and why (said on the timeline)."""
    if severity not in required:
        listed = ", ".join(sorted(required)) or "no severity"
        return False, f"the policy requires one for {listed}, this is {severity}"
    if automatic and duration is not None and duration < short:
        minutes = int(short.total_seconds() // 60)
        return False, f"it was opened automatically and lasted under {minutes} min"
    return True, ""
