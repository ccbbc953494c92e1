"""`hindsight monitors export|import`: monitors as code, in YAML."""

from __future__ import annotations

from pathlib import Path

import typer

from hindsight.cli import app
from hindsight.cli.django_setup import setup

monitors_app = typer.Typer(help="Monitors as code: export and import YAML.", no_args_is_help=True)
app.add_typer(monitors_app, name="monitors")


@monitors_app.command("export")
def export() -> None:
    """Print every monitor as YAML (redirect it to a file: `> monitors.yaml`)."""
    setup()
    from hindsight.monitors.config_yaml import export_monitors

    typer.echo(export_monitors(), nl=False)


@monitors_app.command("import")
def import_(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="The YAML file."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and show; change nothing."),
) -> None:
    """Create or update monitors from a YAML file; nothing is written if any entry is bad."""
    setup()
    from hindsight.monitors.config_yaml import ImportRefused, import_monitors

    try:
        plan = import_monitors(path.read_text(encoding="utf-8"), dry_run=dry_run)
    except ImportRefused as exc:
        typer.secho(f"Nothing imported: {len(exc.problems)} problem(s)", fg="red", err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    verb = "Would create" if dry_run else "Created"
    typer.echo(f"{verb} {len(plan.created)} monitor(s): {', '.join(plan.created) or '-'}")
    verb = "Would update" if dry_run else "Updated"
    typer.echo(f"{verb} {len(plan.updated)} monitor(s): {', '.join(plan.updated) or '-'}")
