"""`hindsight statuspage …`: publish snapshots and run the periodic tick."""

from __future__ import annotations

import time

import typer

from hindsight.cli import app
from hindsight.cli.django_setup import setup

statuspage_app = typer.Typer(help="Status pages: snapshots, maintenance, notifications.")
app.add_typer(statuspage_app, name="statuspage")


@statuspage_app.command()
def publish() -> None:
    """Write every status page out as static files now."""
    setup()
    from hindsight.statuspage.snapshot import publish_all, snapshot_root

    publish_all()
    typer.echo(f"Published status pages to {snapshot_root()}")


@statuspage_app.command()
def tick(
    loop: float = typer.Option(0, min=0, help="Repeat every this many seconds (0 = once)."),
) -> None:
    """Start/complete due maintenance and deliver due notifications (run from cron or --loop)."""
    setup()
    from django.db import close_old_connections

    from hindsight.statuspage.services import tick as run_tick

    while True:
        result = run_tick()
        typer.echo(
            f"maintenance changed: {result['maintenance_changed']}, "
            f"delivered: {result['delivered']}, failed: {result['failed']}, "
            f"pages republished: {result['republished']}"
        )
        if not loop:
            return
        close_old_connections()
        time.sleep(loop)
