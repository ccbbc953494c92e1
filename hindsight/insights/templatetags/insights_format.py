"""Template filters for insights figures."""

from __future__ import annotations

from datetime import timedelta

from django import template

from hindsight.core.metrics import humanize

register = template.Library()


@register.filter
def seconds(value: float | None) -> str:
    """Show a number of seconds as a short duration ("1 h 05 min"); "—" when unknown."""
    return humanize(None if value is None else timedelta(seconds=round(value)))


@register.filter
def percent(value: float | None) -> str:
    """Show a share (0–1) as a whole percentage; "—" when unknown."""
    return "—" if value is None else f"{value * 100:.0f} %"


@register.filter
def number(value: float | None) -> str:
    """Show a figure with at most one decimal; "—" when unknown."""
    return "—" if value is None else f"{value:.1f}".removesuffix(".0")
