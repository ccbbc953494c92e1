"""`hindsight new | review | render`: post-mortems as plain Markdown files, no database."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from enum import StrEnum
from importlib import metadata
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

from hindsight.cli import app
from hindsight.core import export, formats
from hindsight.core.config import Config, ConfigError, config_from_toml
from hindsight.core.html import html_page
from hindsight.core.parser import parse
from hindsight.core.render import render
from hindsight.core.review import Report, review
from hindsight.core.template import IncidentError, new_postmortem
from hindsight.postmortems import printing

log = logging.getLogger(__name__)
SUFFIXES = (".md", ".markdown")
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".tox"}
STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class ReviewFormat(StrEnum):
    human = "human"
    json = "json"
    sarif = "sarif"
    github = "github"


class ReviewAudience(StrEnum):
    internal = "internal"
    public = "public"


class RenderAudience(StrEnum):
    internal = "internal"
    summary = "summary"
    public = "public"


class RenderFormat(StrEnum):
    md = "md"
    html = "html"
    pdf = "pdf"


def _fail(message: str) -> typer.Exit:
    """Print why the command could not run and return the exit to raise (code 2)."""
    typer.echo(f"hindsight: {message}", err=True)
    return typer.Exit(2)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _fail(f"cannot read {path}: not UTF-8 text") from None
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror or exc}") from None


def collect(paths: list[Path]) -> list[Path]:
    """Files as given, and Markdown files under folders, sorted; a missing path can't run."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in SUFFIXES
                and p.is_file()
                and not SKIP_DIRS & set(p.relative_to(path).parts)
            )
        elif path.exists():
            found.append(path)
        else:
            raise _fail(f"cannot read {path}: no such file or folder")
    return found


def load_config_file(path: Path) -> Config:
    """A config file named on the command line; a pyproject.toml must have [tool.hindsight]."""
    pyproject = path.name == "pyproject.toml"
    try:
        config = config_from_toml(_read(path), str(path), pyproject=pyproject)
    except ConfigError as exc:
        raise _fail(f"bad config: {exc}") from None
    if config is None:
        raise _fail(f"bad config: {path} has no [tool.hindsight] table")
    return config


def find_config(start: Path, cache: dict[Path, Config]) -> Config:
    """The nearest hindsight.toml, or pyproject.toml with [tool.hindsight], above `start`."""
    directory = start.resolve().parent if start.is_file() else start.resolve()
    visited = []
    config = Config()
    for folder in [directory, *directory.parents]:
        if folder in cache:
            config = cache[folder]
            break
        visited.append(folder)
        own = folder / "hindsight.toml"
        if own.is_file():
            config = load_config_file(own)
            break
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                found = config_from_toml(_read(pyproject), str(pyproject), pyproject=True)
            except ConfigError as exc:
                raise _fail(f"bad config: {exc}") from None
            if found is not None:
                config = found
                break
    for folder in visited:
        cache[folder] = config
    return config


def _print_human(console: Console, path: str, report: Report) -> None:
    for finding in report.findings:
        line = Text(f"{path}:{finding.line}: ")
        line.append(finding.severity, style=STYLES[finding.severity])
        line.append(f" {finding.rule}: ", style="bold")
        line.append(finding.message)
        console.print(line, soft_wrap=True, highlight=False)
        if finding.suggestion:
            console.print(
                Text(f"    suggestion: {finding.suggestion}", style="dim"), soft_wrap=True
            )
    if not report.postmortem:
        console.print(Text(f"{path}: not a post-mortem, not scored", style="bold"), soft_wrap=True)
        return
    counts = {s: sum(f.severity == s for f in report.findings) for s in STYLES}
    summary = ", ".join(
        f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items()
    )
    console.print(
        Text(f"{path}: score {report.score}/100 ({summary})", style="bold"), soft_wrap=True
    )


def _version() -> str:
    try:
        return metadata.version("hindsight")
    except metadata.PackageNotFoundError:
        return "0"


@app.command("review")
def review_command(
    paths: list[Path] = typer.Argument(..., help="Post-mortem files or folders of them."),
    output_format: ReviewFormat = typer.Option(ReviewFormat.human, "--format", "-f"),
    audience: ReviewAudience = typer.Option(
        ReviewAudience.internal, help="public: review as customer-facing text (disclosure rules)."
    ),
    config_path: Path | None = typer.Option(
        None, "--config", help="hindsight.toml or pyproject.toml to use instead of searching."
    ),
) -> None:
    """Review post-mortems. Exit 0: no errors; 1: error findings; 2: could not run."""
    files = collect(paths)
    fixed = load_config_file(config_path) if config_path else None
    cache: dict[Path, Config] = {}
    results = []
    for path in files:
        config = fixed or find_config(path, cache)
        report = review(parse(_read(path)), config=config, audience=audience.value)
        results.append(formats.FileReport(str(path), report))
    log.info("reviewed %s files", len(results))
    if output_format is ReviewFormat.json:
        typer.echo(formats.to_json(results))
    elif output_format is ReviewFormat.sarif:
        typer.echo(formats.to_sarif(results, _version()))
    elif output_format is ReviewFormat.github:
        typer.echo(formats.to_github(results), nl=False)
    else:
        console = Console(highlight=False)
        for result in results:
            _print_human(console, result.path, result.report)
        if not results:
            console.print("No Markdown files found.")
    if any(result.report.errors for result in results):
        raise typer.Exit(1)


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
        raise _fail(f"{path} already exists (use --force to overwrite)")
    incident: Any = None
    if from_incident is not None:
        try:
            incident = json.loads(_read(from_incident))
        except json.JSONDecodeError as exc:
            raise _fail(f"{from_incident} is not valid JSON: {exc}") from None
        if not isinstance(incident, dict):
            raise _fail(f"{from_incident} must hold a JSON object")
    try:
        text = new_postmortem(incident, dt.date.today())
    except IncidentError as exc:
        raise _fail(f"{from_incident}: {exc}") from None
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {path}: {exc.strerror or exc}") from None
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
    document = parse(text)
    title = export.title_of(document, path.stem)
    try:
        if audience is RenderAudience.internal:
            markdown = render(document)
        else:
            markdown = export.audience_markdown(text, audience.value)
    except export.DisclosureError as exc:
        for finding in exc.leaks:
            typer.echo(f"{path}: {finding.rule}: {finding.message}", err=True)
        typer.echo("hindsight: the public version would disclose internal details", err=True)
        raise typer.Exit(1) from None
    if output_format is RenderFormat.md:
        _write(output, markdown)
        return
    page = html_page(export.title_of(parse(markdown), title), export.strip_front_matter(markdown))
    if output_format is RenderFormat.html:
        _write(output, page)
        return
    if output is None:
        raise _fail("PDF output needs a file: add -o OUT.pdf")
    try:
        output.write_bytes(printing.pdf_from_html(page))
    except printing.PdfUnavailable as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {output}")


def _write(output: Path | None, text: str) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"Wrote {output}")
