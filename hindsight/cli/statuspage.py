"""`hindsight statuspage publish`: write the snapshots now (the worker does it on every change)."""

from __future__ import annotations

import typer

from hindsight.cli import app
from hindsight.cli.django_setup import setup

statuspage_app = typer.Typer(help="Status pages: snapshots.")
app.add_typer(statuspage_app, name="statuspage")


@statuspage_app.command()
def publish() -> None:
    """Write every status page out as static files now."""
    setup()
    from hindsight.statuspage.snapshot import publish_all, snapshot_root

    publish_all()
    typer.echo(f"Published status pages to {snapshot_root()}")
