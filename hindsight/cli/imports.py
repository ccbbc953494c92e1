"""`hindsight import slack …`: bring a chat export into an incident's timeline."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hindsight.cli import app
from hindsight.cli.django_setup import setup

import_app = typer.Typer(help="Import chat exports into incident timelines.", no_args_is_help=True)
app.add_typer(import_app, name="import")


def _time(value: str | None, option: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date or time (e.g. 2024-05-01 or 2024-05-01T14:30)",
            param_hint=option,
        ) from None


@import_app.command("slack")
def slack(
    export: Path = typer.Argument(..., help="Slack export: the .zip or its unpacked folder."),
    incident: int = typer.Option(..., "--incident", help="Incident id to import into."),
    channel: str = typer.Option(..., "--channel", help="Channel name (or id) in the export."),
    start: str = typer.Option(None, "--from", help="First day or time to import (UTC)."),
    end: str = typer.Option(None, "--to", help="Last day or time to import (UTC)."),
) -> None:
    """Import a channel's messages as chat events; re-running adds nothing twice."""
    since, until = _time(start, "--from"), _time(end, "--to")
    if until is not None and end is not None and len(end) == 10:
        until = until.date()  # type: ignore[assignment]
    setup()
    from hindsight.incidents.models import Incident
    from hindsight.integrations.chat.importer import import_slack_export
    from hindsight.integrations.chat.slack_export import ExportError

    target = Incident.objects.filter(pk=incident).first()
    if target is None:
        typer.secho(f"Error: no incident #{incident}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("day-files · {task.fields[messages]:,} messages"),
        TimeElapsedColumn(),
        transient=False,
    ) as bar:
        task = bar.add_task("Checking", total=None, messages=0)

        def report(phase: str, done: int, files: int, messages: int) -> None:
            bar.update(
                task, description=phase.capitalize(), completed=done, total=files, messages=messages
            )

        try:
            result = import_slack_export(
                incident=target,
                path=export,
                channel=channel,
                start=since,
                end=until,
                progress=report,
            )
        except ExportError as exc:
            bar.stop()
            typer.secho(f"Error: {exc}. Nothing was imported.", fg=typer.colors.RED, err=True)
            raise typer.Exit(1) from None
    typer.echo(
        f"Imported {result.imported:,} messages from {result.files} day-files into incident "
        f"#{target.pk} ({result.already_there:,} were already there)."
    )
