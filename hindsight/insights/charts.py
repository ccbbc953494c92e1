"""Charts of the dashboard's tables, as SVG drawn by matplotlib.

matplotlib's object API with its SVG canvas: no pyplot, no global figure
state, no display — safe in a web process. Text stays text in the SVG
(``svg.fonttype = none``), so charts are crisp, searchable and small, in the
page and in a PDF.
"""

from __future__ import annotations

import io
from typing import Any

from hindsight.insights.tables import Table

COLORS = ["#cf222e", "#bc4c00", "#9a6700", "#57606a", "#0969da", "#1a7f37"]
ACCENT, MUTED, LINE = "#0969da", "#57606a", "#d0d7de"
STYLE: Any = {
    "svg.fonttype": "none",
    "svg.hashsalt": "hindsight",  # stable element ids: the same numbers give the same file
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.edgecolor": LINE,
    "axes.labelcolor": MUTED,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _duration_scale(values: list[float]) -> tuple[float, str]:
    top = max(values, default=0)
    if top >= 2 * 86400:
        return 86400, "days"
    if top >= 3 * 3600:
        return 3600, "hours"
    return 60, "minutes"


def _months(labels: list[str]) -> list[str]:
    """ "2026-01" → "Jan 2026" for January and the first month, else "Feb"."""
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    out = []
    for i, label in enumerate(labels):
        year, month = label.split("-")
        name = names[int(month) - 1]
        out.append(f"{name}\n{year}" if i == 0 or month == "01" else name)
    return out


def _name(column: str) -> str:
    return column.removesuffix("_seconds").replace("_", " ")


def _legend(axes: Any, extra: list[Any] | None = None) -> None:
    handles, labels = axes.get_legend_handles_labels()
    for other in extra or []:
        more, more_labels = other.get_legend_handles_labels()
        handles, labels = handles + more, labels + more_labels
    if handles:  # above the plot, where it hides nothing
        axes.legend(
            handles,
            labels,
            frameon=False,
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            ncols=len(handles),
            fontsize=8,
            borderaxespad=0.2,
        )


def _whole_numbers(axis: Any) -> None:
    """Counts get whole-number ticks (no "2.5 incidents"); pass an Axes for its y axis."""
    from matplotlib.ticker import MaxNLocator

    getattr(axis, "yaxis", axis).set_major_locator(MaxNLocator(integer=True))


def _column(table: Table, name: str) -> list[Any]:
    index = table.columns.index(name)
    return [row[index] for row in table.rows]


def _draw(axes: Any, table: Table) -> None:
    chart = table.chart
    assert chart is not None
    labels = [str(row[0]) for row in table.rows]
    positions = list(range(len(labels)))
    if chart.kind == "barh":
        values = _column(table, chart.series[0])
        names = _column(table, "label") if "label" in table.columns else labels
        axes.barh(positions[::-1], values, color=ACCENT)
        axes.set_yticks(positions[::-1], names)
        axes.set_xlabel("incidents")
        _whole_numbers(axes.xaxis)
        return
    if chart.kind == "stacked":
        bottom = [0.0] * len(labels)
        for color, name in zip(COLORS, chart.series, strict=False):
            values = [v or 0 for v in _column(table, name)]
            axes.bar(positions, values, bottom=bottom, color=color, label=name, width=0.7)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        _legend(axes)
        axes.set_ylabel("incidents")
        _whole_numbers(axes)
    elif chart.kind == "bars":
        values = [v or 0 for v in _column(table, chart.series[0])]
        axes.bar(positions, values, color=ACCENT, width=0.7)
        axes.set_ylabel(_name(chart.series[0]))
        _whole_numbers(axes)
    else:
        _lines(axes, table, positions)
    axes.set_xticks(positions, _months(labels), rotation=0)


def _lines(axes: Any, table: Table, positions: list[int]) -> None:
    chart = table.chart
    assert chart is not None
    scale, unit = 1.0, chart.unit
    if chart.unit == "duration":
        seen = [v for name in chart.series for v in _column(table, name) if v is not None]
        scale, unit = _duration_scale(seen)
    elif chart.unit == "percent":
        scale, unit = 0.01, "%"
    behind = None
    if chart.overlay:
        behind = axes.twinx()
        values = [v or 0 for v in _column(table, chart.overlay)]
        behind.bar(positions, values, color=LINE, width=0.7, label=_name(chart.overlay))
        behind.set_ylabel(_name(chart.overlay))
        _whole_numbers(behind)
        axes.set_zorder(behind.get_zorder() + 1)
        axes.patch.set_visible(False)
    for color, name in zip((ACCENT, COLORS[1]), chart.series, strict=False):
        values = [None if v is None else v / scale for v in _column(table, name)]
        points = [(x, y) for x, y in zip(positions, values, strict=True) if y is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.plot(xs, ys, marker="o", color=color, label=_name(name))
    axes.set_ylabel(unit)
    axes.set_ylim(bottom=0)
    if chart.unit == "percent":
        axes.set_ylim(0, 105)
    _legend(axes, [behind] if behind is not None else None)


def svg(table: Table) -> str:
    """Return the table's chart as an SVG document."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):
        height = (
            2.8
            if table.chart is None or table.chart.kind != "barh"
            else 0.9 + 0.28 * len(table.rows)
        )
        figure = Figure(figsize=(7.2, max(height, 1.6)), layout="constrained")
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        if table.rows:
            _draw(axes, table)
        else:
            axes.set_axis_off()
            axes.text(0.5, 0.5, "Nothing to show yet", ha="center", va="center", color=MUTED)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
