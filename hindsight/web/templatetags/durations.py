"""``{{ value|duration }}``: a timedelta or seconds written by ``core.durations.format_duration``."""

from __future__ import annotations

from datetime import timedelta

from django import template

from hindsight.core.durations import format_duration

register = template.Library()


@register.filter
def duration(value: timedelta | float | None) -> str:
    """The one duration format on every page ("1 h 05 min"); "—" when unknown."""
    return format_duration(value)
