"""Template filters for insights figures."""

from __future__ import annotations

from django import template

from hindsight.core.durations import format_duration

register = template.Library()


@register.filter
def seconds(value: float | None) -> str:
    """Show a number of seconds as a short duration ("1 h 05 min"); "—" when unknown."""
    return format_duration(value)


@register.filter
def percent(value: float | None) -> str:
    """Show a share (0–1) as a whole percentage; "—" when unknown."""
    return "—" if value is None else f"{value * 100:.0f} %"


@register.filter
def number(value: float | None) -> str:
    """Show a figure with at most one decimal; "—" when unknown."""
    return "—" if value is None else f"{value:.1f}".removesuffix(".0")
