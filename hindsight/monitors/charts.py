"""A latency chart as a hand-built inline SVG polyline (no plotting library: small and fast)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 720, 160, 28


def latency_svg(points: Sequence[tuple[datetime, float | None]], *, label: str) -> SafeString:
    """An SVG line of latency over time; gaps (None) break the line."""
    values = [v for _, v in points if v is not None]
    if len(values) < 2:
        return format_html('<p class="muted">Not enough checks yet to draw {}.</p>', label)
    start, end = points[0][0], points[-1][0]
    span = max((end - start).total_seconds(), 1.0)
    top = max(values) * 1.1 or 1.0
    lines: list[list[str]] = []
    current: list[str] = []
    for at, value in points:
        if value is None:
            if current:
                lines.append(current)
            current = []
            continue
        x = PAD + (WIDTH - 2 * PAD) * (at - start).total_seconds() / span
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * value / top
        current.append(f"{x:.1f},{y:.1f}")
    if current:
        lines.append(current)
    polylines = "".join(
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{" ".join(p)}"/>'
        for p in lines
    )
    axis = (
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#999"/>'
        f'<text x="2" y="{PAD}" font-size="11">{top:.0f} ms</text>'
        f'<text x="2" y="{HEIGHT - PAD}" font-size="11">0</text>'
        f'<text x="{PAD}" y="{HEIGHT - 8}" font-size="11">{start:%Y-%m-%d %H:%M}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" font-size="11" text-anchor="end">'
        f"{end:%H:%M} UTC</text>"
    )
    svg = (
        f'<svg class="latency-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}">{axis}{polylines}</svg>'
    )
    return mark_safe(svg)  # numbers, dates and the escaped label only


SPARK_WIDTH, SPARK_HEIGHT = 100, 20


def sparkline_svg(values: Sequence[float | None], *, label: str) -> SafeString:
    """A small response-time line for a list row; failed checks (None) leave gaps."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return SafeString("")
    top = max(known) or 1.0
    step = SPARK_WIDTH / max(len(values) - 1, 1)
    lines: list[list[str]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            lines.append([])
            continue
        y = SPARK_HEIGHT - 1 - (SPARK_HEIGHT - 2) * value / top
        lines[-1].append(f"{i * step:.1f},{y:.1f}")
    polylines = "".join(
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.2" points="{" ".join(p)}"/>'
        for p in lines
        if len(p) > 1
    )
    svg = (
        f'<svg class="sparkline" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" '
        f'preserveAspectRatio="none" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>{polylines}</svg>"
    )
    return mark_safe(svg)  # numbers and the escaped label only
