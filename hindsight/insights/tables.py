"""The dashboard's numbers as tables: each chart draws one, each CSV download is one.

A table is built from the snapshot's figures only (``rollup``), so the page,
the chart and the CSV always show the same numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hindsight.core.metrics import DURATIONS
from hindsight.insights.factors import category, label


@dataclass(frozen=True)
class Chart:
    kind: str  # "lines", "stacked", "bars", "barh"
    series: tuple[str, ...]  # the columns drawn
    unit: str  # "duration", "percent", "count", "score"
    overlay: str = ""  # a count column drawn as bars behind "percent" lines


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    chart: Chart | None = None

    def csv(self) -> str:
        """Return the table as CSV (empty cells where a figure is unknown)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if v is None else _plain(v) for v in row])
        return out.getvalue()


def _plain(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def _seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


DURATION_TITLES = {
    "time_to_detect": "Time to detect (started → detected)",
    "time_to_acknowledge": "Time to acknowledge (detected → acknowledged)",
    "time_to_resolve": "Time to resolve (started → resolved)",
}


def _incidents(data: dict[str, Any]) -> Table:
    severities = data["severities"]
    rows = [
        [m, *(data["counts"][m][s] for s in severities), sum(data["counts"][m].values())]
        for m in data["months"]
    ]
    return Table(
        "incidents",
        "Incidents per month, by severity",
        ["month", *severities, "total"],
        rows,
        Chart("stacked", tuple(severities), "count"),
    )


def _duration(duration: str) -> Callable[[dict[str, Any]], Table]:
    def build(data: dict[str, Any]) -> Table:
        by_month = data["durations"]["month"]
        rows = []
        for month in data["months"]:
            s = by_month.get(month, {}).get(duration, {})
            rows.append(
                [
                    month,
                    s.get("count", 0),
                    _seconds(s.get("median")),
                    _seconds(s.get("p90")),
                    _seconds(s.get("mean")),
                ]
            )
        return Table(
            duration.replace("_", "-"),
            DURATION_TITLES[duration] + " per month",
            ["month", "incidents", "median_seconds", "p90_seconds", "mean_seconds"],
            rows,
            Chart("lines", ("median_seconds", "p90_seconds"), "duration"),
        )

    return build


def _durations_by(dimension: str) -> Callable[[dict[str, Any]], Table]:
    def build(data: dict[str, Any]) -> Table:
        rows = [
            [
                key,
                duration,
                s["count"],
                _seconds(s["median"]),
                _seconds(s["p90"]),
                _seconds(s["mean"]),
            ]
            for key, values in data["durations"][dimension].items()
            for duration, s in values.items()
        ]
        return Table(
            f"durations-by-{dimension}",
            f"Durations by {dimension}, last {len(data['months'])} months",
            [dimension, "metric", "incidents", "median_seconds", "p90_seconds", "mean_seconds"],
            rows,
        )

    return build


def _repeats(data: dict[str, Any]) -> Table:
    rows = []
    for month in data["months"]:
        figures = data["repeats"]["month"][month]
        total, repeats = figures["incidents"], figures["repeats"]
        rows.append([month, total, repeats, repeats / total if total else None])
    return Table(
        "repeats",
        f"Repeat incidents (same service or factor within {data['repeat_days']} days)",
        ["month", "incidents", "repeats", "share"],
        rows,
        Chart("bars", ("repeats",), "count"),
    )


def _actions(data: dict[str, Any]) -> Table:
    rows = [
        [m, a["created"], a["done"], a["completion_rate"], a["overdue"]]
        for m, a in ((m, data["actions"][m]) for m in data["months"])
    ]
    return Table(
        "actions",
        "Action items: completion rate of those created each month, overdue at month end",
        ["month", "created", "done", "completion_rate", "overdue_at_month_end"],
        rows,
        Chart("lines", ("completion_rate",), "percent", overlay="overdue_at_month_end"),
    )


def _timeliness(data: dict[str, Any]) -> Table:
    rows = [
        [m, t["decided"], t["on_time"], t["share"]]
        for m, t in ((m, data["timeliness"][m]) for m in data["months"])
    ]
    return Table(
        "timeliness",
        "Post-mortems written within 48 h of resolution",
        ["month", "decided", "within_48h", "share"],
        rows,
        Chart("lines", ("share",), "percent"),
    )


def _scores(data: dict[str, Any]) -> Table:
    rows = [
        [m, s["count"], s["median"], s["p90"], s["mean"]]
        for m, s in ((m, data["scores"][m]) for m in data["months"])
    ]
    return Table(
        "scores",
        "Review score of post-mortems (0–100)",
        ["month", "scored", "median", "p90", "mean"],
        rows,
        Chart("lines", ("median", "p90"), "score"),
    )


def _factors(data: dict[str, Any]) -> Table:
    rows = [
        [f["tag"], label(f["tag"]), category(f["tag"]), f["incidents"]] for f in data["factors"]
    ]
    return Table(
        "factors",
        "Contributing factors, by incidents they played a part in",
        ["factor", "label", "category", "incidents"],
        rows,
        Chart("barh", ("incidents",), "count"),
    )


def _categories(data: dict[str, Any]) -> Table:
    rows = [[c["category"], c["incidents"]] for c in data["categories"]]
    return Table(
        "factor-categories",
        "Contributing factors by fishbone category",
        ["category", "incidents"],
        rows,
    )


BUILDERS: dict[str, Callable[[dict[str, Any]], Table]] = {
    "incidents": _incidents,
    **{d.replace("_", "-"): _duration(d) for d in DURATIONS},
    "durations-by-severity": _durations_by("severity"),
    "durations-by-service": _durations_by("service"),
    "repeats": _repeats,
    "actions": _actions,
    "timeliness": _timeliness,
    "scores": _scores,
    "factors": _factors,
    "factor-categories": _categories,
}


def table(name: str, data: dict[str, Any]) -> Table | None:
    """Return the named table built from the figures, or None for an unknown name."""
    builder = BUILDERS.get(name)
    return builder(data) if builder else None
