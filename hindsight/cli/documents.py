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
from hindsight.core import audience as audiences
from hindsight.core.config import Config
from hindsight.core.html import html_page
from hindsight.core.parser import parse
from hindsight.core.render import render
from hindsight.core.review import REGISTRY, review
from hindsight.core.template import IncidentError, new_postmortem


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


def _weasyprint() -> Any:
    """WeasyPrint, or an exit with what to install: it is an optional extra needing Pango."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise cannot_run(
            "PDF output needs WeasyPrint and the system Pango library: "
            "pip install 'hindsight[pdf]' and, on Debian/Ubuntu, "
            f"apt-get install libpango-1.0-0 libpangoft2-1.0-0 ({exc})"
        ) from None
    return weasyprint


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
    document = parse(_read(path), path.name)
    title = document.title or str(document.meta.get("title") or path.stem)
    if audience is RenderAudience.summary:
        markdown = audiences.executive_summary(document)
    elif audience is RenderAudience.public:
        public = audiences.public_document(document)
        leaks = [
            f
            for f in review(public, audience="public", config=_disclosure_only()).findings
            if f.category in {"disclosure", "blame"}
        ]
        if leaks:
            for finding in leaks:
                typer.echo(f"{path}: {finding.rule}: {finding.message}", err=True)
            typer.echo(
                "hindsight: the public version would disclose internal details or blame a person",
                err=True,
            )
            raise typer.Exit(1)
        markdown = render(public)
    else:
        markdown = render(document)
    if output_format is RenderFormat.md:
        _write(output, markdown)
    elif output_format is RenderFormat.html:
        _write(output, html_page(title, _body(markdown)))
    else:
        if output is None:
            raise cannot_run("PDF output needs a file: add -o OUT.pdf")
        weasyprint = _weasyprint()
        weasyprint.HTML(string=html_page(title, _body(markdown))).write_pdf(str(output))
        typer.echo(f"Wrote {output}")


def _disclosure_only() -> Config:
    """What must never reach customers: internal details, and wording that blames a person."""
    checks = {"disclosure", "blame"}
    return Config(enable=frozenset(r.id for r in REGISTRY if r.category in checks))


def _body(markdown: str) -> str:
    """Markdown without its YAML front matter (HTML readers don't want raw YAML)."""
    if markdown.startswith("---\n"):
        end = markdown.find("\n---\n", 4)
        if end != -1:
            return markdown[end + 5 :]
    return markdown


def _write(output: Path | None, text: str) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise cannot_run(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {output}")
