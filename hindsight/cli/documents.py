"""`hindsight new | render`: post-mortems as plain Markdown files, no database.

`hindsight review` lives in `hindsight.cli.reviewer`.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from hindsight.cli import app
from hindsight.cli.files import CannotRead, cannot_run, read_document
from hindsight.core import export
from hindsight.core.html import html_page
from hindsight.core.parser import parse
from hindsight.core.render import render
from hindsight.core.template import IncidentError, new_postmortem
from hindsight.postmortems import printing


class RenderAudience(StrEnum):
    internal = "internal"
    summary = "summary"
    public = "public"


class RenderFormat(StrEnum):
    md = "md"
    html = "html"
    pdf = "pdf"


def _read(path: Path) -> str:
    try:
        return read_document(path)
    except CannotRead as exc:
        raise cannot_run(f"cannot read {path}: {exc}") from None


@app.command("new")
def new_command(
    path: Path = typer.Argument(..., help="Where to write the new post-mortem."),
    from_incident: Path | None = typer.Option(
        None, "--from-incident", help="Incident JSON (see docs/reviewer.md) to pre-fill from."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a post-mortem template with guidance comments."""
    if path.exists() and not force:
        raise cannot_run(f"{path} already exists (use --force to overwrite)")
    incident: Any = None
    if from_incident is not None:
        try:
            incident = json.loads(_read(from_incident))
        except json.JSONDecodeError as exc:
            raise cannot_run(f"{from_incident} is not valid JSON: {exc}") from None
        if not isinstance(incident, dict):
            raise cannot_run(f"{from_incident} must hold a JSON object")
    try:
        text = new_postmortem(incident, dt.date.today())
    except IncidentError as exc:
        raise cannot_run(f"{from_incident}: {exc}") from None
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise cannot_run(f"cannot write {path}: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {path}")


@app.command("render")
def render_command(
    path: Path = typer.Argument(..., help="The post-mortem to render."),
    audience: RenderAudience = typer.Option(RenderAudience.internal),
    output_format: RenderFormat = typer.Option(RenderFormat.md, "--format", "-f"),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default stdout)."
    ),
) -> None:
    """Render for an audience: internal (full), summary (one page) or public (customer-facing)."""
    text = _read(path)
    document = parse(text, path.name)
    title = export.title_of(document, path.stem)
    try:
        if audience is RenderAudience.internal:
            markdown = render(document)
        else:
            markdown = export.audience_markdown(text, audience.value)
    except export.DisclosureError as exc:
        for finding in exc.leaks:
            typer.echo(f"{path}: {finding.rule}: {finding.message}", err=True)
        typer.echo(
            "hindsight: the public version would disclose internal details or blame a person",
            err=True,
        )
        raise typer.Exit(1) from None
    if output_format is RenderFormat.md:
        _write(output, markdown)
        return
    page = html_page(export.title_of(parse(markdown), title), export.strip_front_matter(markdown))
    if output_format is RenderFormat.html:
        _write(output, page)
        return
    if output is None:
        raise cannot_run("PDF output needs a file: add -o OUT.pdf")
    try:
        output.write_bytes(printing.pdf_from_html(page))
    except printing.PdfUnavailable as exc:
        raise cannot_run(str(exc)) from None
    except OSError as exc:
        raise cannot_run(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {output}")


def _write(output: Path | None, text: str) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise cannot_run(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {output}")
