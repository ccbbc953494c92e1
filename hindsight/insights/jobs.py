"""The insights job: recompute the dashboard's metric snapshots so a GET only reads them."""

from __future__ import annotations

from hindsight.insights import rollup
from hindsight.runner.registry import Claim, Context, Every, Job, Retry, register


def refresh_metrics(context: Context) -> int:
    """Recompute the stored metric snapshots (figures, charts' numbers, recognition)."""
    return rollup.run()


register(
    Job(
        name="insights-rollup",
        description="Recompute the insights dashboard's metric snapshots",
        when=Every(900),
        claim=Claim.ONE_WORKER,
        retry=Retry(first_seconds=60, cap_seconds=3600),
        run=refresh_metrics,
    )
)
