"""The asyncio check engine: runs monitor checks; no Django on the check path.

What the worker calls: `make_session` once, then `run_batch` (or `run_check`) on
`CheckSpec`s; `transition` folds each `ProbeResult` into a `ProbeState`;
`next_due` schedules; `rollup`/`coarsen` aggregate results for charts.
"""

from hindsight.probe.http import make_session
from hindsight.probe.maintenance import (
    OneOffWindow,
    ProbeWindow,
    RecurringWindow,
    in_maintenance,
)
from hindsight.probe.model import CheckSpec, ErrorClass, ProbeResult, Status
from hindsight.probe.rollup import (
    Rollup,
    coarsen,
    rollup,
    uptime_bars,
    uptime_pct,
    uptime_percent,
)
from hindsight.probe.runner import next_due, run_batch, run_check
from hindsight.probe.socket_checks import trusting
from hindsight.probe.transitions import (
    Policy,
    ProbeFlip,
    ProbeState,
    pause,
    quorum_result,
    quorum_state,
    resume,
    transition,
)
from hindsight.probe.wire import Session

__all__ = [
    "ProbeResult",
    "CheckSpec",
    "ErrorClass",
    "ProbeFlip",
    "ProbeWindow",
    "ProbeState",
    "OneOffWindow",
    "Policy",
    "RecurringWindow",
    "Rollup",
    "Session",
    "Status",
    "coarsen",
    "in_maintenance",
    "make_session",
    "next_due",
    "pause",
    "quorum_result",
    "quorum_state",
    "resume",
    "rollup",
    "run_batch",
    "run_check",
    "transition",
    "trusting",
    "uptime_bars",
    "uptime_pct",
    "uptime_percent",
]
