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
    from django.db import DatabaseError

    from hindsight.monitors.worker import WorkerOptions, event_loop_factory, run_worker

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
    options = WorkerOptions(
        region=region.strip() or settings.WORKER_REGION,
        concurrency=concurrency or settings.WORKER_CONCURRENCY,
        batch_size=batch_size,
    )
    loop = "uvloop" if event_loop_factory() else "asyncio"
    typer.echo(
        f"Monitor worker for region {options.region!r}, {options.concurrency} in flight, "
        f"{loop} event loop"
    )
    stats = run_worker(options)
    typer.echo(f"Stopped after {stats.checks} checks and {stats.flips} state changes")


def _unapplied_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    finally:
        connection.close()
