"""`hindsight backup`, `hindsight restore` and `hindsight export --markdown`."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from hindsight.cli import app
from hindsight.cli.django_setup import setup


@app.command("backup")
def backup(
    file: Path = typer.Argument(..., dir_okay=False, help="Archive to write (.tar.gz)."),
    include_secret_key: bool = typer.Option(
        False, help="Also store the secret key (then guard the archive like the key itself)."
    ),
) -> None:
    """Back up the database (online) and uploaded files into one archive."""
    setup()
    from hindsight.web.backup import BackupError, create_backup

    try:
        manifest = create_backup(path=file, include_secret_key=include_secret_key)
    except BackupError as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    rows = sum(manifest.data["tables"].values())
    typer.echo(f"Wrote {file}: {manifest.database} database, {rows} rows, mode 0600.")
    if not include_secret_key:
        typer.echo(
            "The secret key is not in the archive; keep it safe apart from it "
            "(encrypted credentials cannot be read without it)."
        )


@app.command("restore")
def restore(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A `hindsight backup`."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask before replacing the data."),
) -> None:
    """Replace the database and uploaded files with a backup's (stop Hindsight first)."""
    setup()
    from hindsight.web.backup import BackupError, read_manifest, restore_backup

    try:
        manifest = read_manifest(file)
        if not yes:
            typer.confirm(
                f"Replace ALL data with the backup of {manifest.data['created_at']}?", abort=True
            )
        restore_backup(path=file)
    except BackupError as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    rows = sum(manifest.data["tables"].values())
    typer.echo(f"Restored {rows} rows from {file} (made {manifest.data['created_at']}).")
    if manifest.data.get("secret_key_included"):
        typer.echo(
            "The archive holds the secret key it was made with; set it as HINDSIGHT_SECRET_KEY."
        )


def _file_name(incident_id: int, title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "postmortem"
    return f"{incident_id:05d}-{slug}.md"


@app.command("export")
def export(
    markdown: Path = typer.Option(..., "--markdown", file_okay=False, help="Folder to write into."),
) -> None:
    """Write every post-mortem as a Markdown file that `hindsight review` reads."""
    setup()
    from hindsight.postmortems.models import PostMortem

    markdown.mkdir(parents=True, exist_ok=True)
    count = 0
    for postmortem in PostMortem.objects.select_related("incident").order_by("incident_id"):
        if not postmortem.body.strip():
            continue
        path = markdown / _file_name(postmortem.incident_id, postmortem.title)
        path.write_text(postmortem.body.rstrip("\n") + "\n", encoding="utf-8")
        count += 1
    typer.echo(f"Wrote {count} post-mortem(s) to {markdown}.")
