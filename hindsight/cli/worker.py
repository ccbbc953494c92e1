"""`hindsight worker`: run monitor checks from the database until stopped."""

from __future__ import annotations

import logging

import typer

from hindsight.cli import app
from hindsight.cli.django_setup import setup


@app.command()
def worker(
    region: str = typer.Option("", help="Region this worker checks from (default from settings)."),
    concurrency: int = typer.Option(0, min=0, help="Checks in flight at once (default 200)."),
    batch_size: int = typer.Option(500, min=1, max=10000, help="Checks leased per claim."),
) -> None:
    """Run the monitor worker: claim due checks, run them, open and resolve incidents."""
    setup()
    from django.conf import settings

    from hindsight.monitors.worker import WorkerOptions, run_worker

    logging.basicConfig(level=settings.LOG_LEVEL)
    options = WorkerOptions(
        region=region.strip() or settings.WORKER_REGION,
        concurrency=concurrency or settings.WORKER_CONCURRENCY,
        batch_size=batch_size,
    )
    typer.echo(f"Monitor worker for region {options.region!r}, {options.concurrency} in flight")
    stats = run_worker(options)
    typer.echo(f"Stopped after {stats.checks} checks and {stats.flips} state changes")
