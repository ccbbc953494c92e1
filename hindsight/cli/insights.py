"""`hindsight insights …`: store a metrics snapshot, rebuild the search index."""

from __future__ import annotations

import typer

from hindsight.cli import app
from hindsight.cli.django_setup import setup

insights_app = typer.Typer(help="Insights: metrics snapshots and the search index.")
app.add_typer(insights_app, name="insights")


@insights_app.command()
def rollup() -> None:
    """Compute every insights figure now and store it as the dashboard's snapshots."""
    setup()
    from hindsight.insights import rollup as rollups
    from hindsight.insights.models import MetricsSnapshot

    stored = rollups.run()
    latest = MetricsSnapshot.objects.order_by("-computed_at", "-id")[:stored]
    for snapshot in latest:
        who = "editors" if snapshot.include_restricted else "everyone else"
        typer.echo(f"Stored the snapshot for {who} in {snapshot.took_ms} ms")


@insights_app.command()
def reindex() -> None:
    """Rebuild the search index and the contributing factors from what is stored."""
    setup()
    from django.db import connection, transaction

    from hindsight.insights import schema
    from hindsight.insights.factors import reconcile_factors
    from hindsight.insights.models import SearchDocument

    with transaction.atomic():
        schema.rebuild(connection)
    factors = reconcile_factors()
    typer.echo(
        f"Indexed {SearchDocument.objects.count()} documents; factors of {factors} post-mortems"
    )
