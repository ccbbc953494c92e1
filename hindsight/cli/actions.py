"""`hindsight actions …`: action items to and from CSV (the board's columns)."""

from __future__ import annotations

from pathlib import Path

import typer

from hindsight.cli import app
from hindsight.cli.django_setup import setup

actions_app = typer.Typer(help="Action items: CSV export and import.")
app.add_typer(actions_app, name="actions")


def _fail(message: str) -> typer.Exit:
    typer.secho(f"Error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(1)


@actions_app.command("export")
def export_items(
    out: Path | None = typer.Option(None, "--out", help="Write here instead of standard output."),
    status: str = typer.Option(
        "", help="Only items with this status (open, in_progress, done, wont_do)."
    ),
) -> None:
    """Write every action item as CSV."""
    setup()
    from hindsight.accounts.models import Role, User
    from hindsight.actions import csvio, filters, services

    try:
        chosen = filters.parse({"status": status})
    except filters.FilterError as exc:
        raise _fail(str(exc)) from None
    everyone = User(role=Role.ADMIN, is_active=True)  # the operator sees restricted items too
    from django.utils import timezone

    found = filters.apply(services.visible(everyone), chosen, user=None, today=timezone.localdate())
    text = csvio.export(found.select_related("owner"))
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {found.count()} action items to {out}")


@actions_app.command("import")
def import_items(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A CSV file"),
    by: str = typer.Option(..., "--by", help="Username recorded as the one who changed them."),
) -> None:
    """Update and add action items from a CSV file: every line, or none."""
    setup()
    from hindsight.accounts.models import User
    from hindsight.actions import csvio

    actor = User.objects.filter(username=by, is_active=True).first()
    if actor is None:
        raise _fail(f"no active user named {by!r}")
    try:
        done = csvio.import_csv(path.read_text(encoding="utf-8-sig"), actor=actor)
    except UnicodeDecodeError:
        raise _fail(f"{path} is not UTF-8 text; nothing imported") from None
    except csvio.ImportRefused as exc:
        for line in exc.errors:
            typer.secho(f"  {line}", err=True)
        raise _fail("nothing imported") from None
    typer.echo(f"Imported: {done.updated} updated, {done.created} added.")
