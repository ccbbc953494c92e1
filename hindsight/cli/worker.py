"""`hindsight worker`: run every background job (checks, flips, deliveries, …) until stopped."""

from __future__ import annotations

import gc
import logging
import signal

import typer

from hindsight.cli import app
from hindsight.cli.django_setup import setup


@app.command()
def worker(
    region: str = typer.Option("", help="Region this worker checks from (default from settings)."),
    concurrency: int = typer.Option(0, min=0, help="Checks in flight at once (default 200)."),
    batch_size: int = typer.Option(500, min=1, max=10000, help="Checks leased per claim."),
    jobs: str = typer.Option(
        "", help="Run only these jobs, comma-separated (see `hindsight jobs list`)."
    ),
) -> None:
    """Run the background worker: checks, flips, notifications, status page, storage."""
    setup()
    from django.conf import settings
    from django.db import DatabaseError

    from hindsight import lifeline

    # Started by `hindsight serve`: stop (finishing what it can) when serve dies.
    lifeline.die_with_serve(signal.SIGTERM)

    from hindsight.runner.process import Runner, event_loop_factory, jobs_for, run_worker

    logging.basicConfig(level=settings.LOG_LEVEL)
    try:
        missing = _unapplied_migrations()
    except DatabaseError as exc:
        typer.secho(f"Cannot reach the database: {exc}".strip(), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    if missing:
        typer.secho(
            f"The database is not ready: {missing} migration(s) not applied. "
            "Run `hindsight serve` once (it migrates), or point HINDSIGHT_DATABASE_URL "
            "at the database Hindsight serves from.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(2)
    try:
        chosen = jobs_for([name.strip() for name in jobs.split(",") if name.strip()])
    except KeyError as exc:
        typer.secho(str(exc.args[0]), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    runner = Runner(
        chosen,
        region=region.strip() or settings.WORKER_REGION,
        options={
            "concurrency": concurrency or settings.WORKER_CONCURRENCY,
            "batch_size": batch_size,
        },
    )
    loop = "uvloop" if event_loop_factory() else "asyncio"
    typer.echo(
        f"Worker {runner.worker} for region {runner.region!r} ({loop} event loop): "
        + ", ".join(job.name for job in chosen)
    )
    # Everything imported so far lives as long as the process: keep the collector off it
    # (the final collection over the whole of Django took seconds of a SIGTERM's answer).
    gc.freeze()
    stats = run_worker(runner)
    done = ", ".join(f"{name} {s.work}" for name, s in stats.items() if s.work)
    typer.echo(f"Stopped. Work done: {done or 'none'}")


def _unapplied_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    finally:
        connection.close()
