"""`hindsight review`: lint post-mortem files, as text, JSON, SARIF or GitHub annotations.

Each file is reviewed on its own: one that can't be read (missing, not a regular
file, too large, not UTF-8, under a bad config) is named on stderr and the
others are still reviewed. Exit 2 only when nothing could be reviewed.
"""

from __future__ import annotations

import logging
import os
from enum import StrEnum
from importlib import metadata
from pathlib import Path

import typer
from rich.console import Console
from rich.text import Text

from hindsight.cli import app
from hindsight.cli.files import CannotRead, cannot_run, read_document
from hindsight.core import formats, sarif
from hindsight.core.config import (
    DEFAULT_RULE_DOCS,
    Config,
    ConfigError,
    config_from_toml,
    parse_size,
    rule_docs_address,
)
from hindsight.core.parser import parse
from hindsight.core.review import Finding, review

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


def collect(paths: list[Path]) -> list[Path]:
    """Paths as given, and Markdown entries under folders, sorted.

    Entries that are not regular files (a FIFO named `x.md`) are kept, so the
    review names them instead of skipping them silently.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in SUFFIXES
                and not p.is_dir()
                and not SKIP_DIRS & set(p.relative_to(path).parts)
            )
        else:
            found.append(path)
    return found


def _config_text(path: Path) -> str:
    try:
        return read_document(path)
    except CannotRead as exc:
        raise ConfigError(f"{path}: {exc}") from None


def load_config_file(path: Path) -> Config:
    """A config file named on the command line; a pyproject.toml must have [tool.hindsight]."""
    config = config_from_toml(
        _config_text(path), str(path), pyproject=path.name == "pyproject.toml"
    )
    if config is None:
        raise ConfigError(f"{path} has no [tool.hindsight] table")
    return config


def find_config(start: Path, cache: dict[Path, Config | ConfigError]) -> Config:
    """The nearest hindsight.toml, or pyproject.toml with [tool.hindsight], above `start`."""
    directory = start.resolve().parent if not start.is_dir() else start.resolve()
    visited = []
    found: Config | ConfigError = Config()
    for folder in [directory, *directory.parents]:
        if folder in cache:
            found = cache[folder]
            break
        visited.append(folder)
        try:
            if (folder / "hindsight.toml").is_file():
                found = load_config_file(folder / "hindsight.toml")
                break
            pyproject = folder / "pyproject.toml"
            if pyproject.is_file():
                tool = config_from_toml(_config_text(pyproject), str(pyproject), pyproject=True)
                if tool is not None:
                    found = tool
                    break
        except ConfigError as exc:
            found = exc  # every file under this folder gets the same refusal
            break
    for folder in visited:
        cache[folder] = found
    if isinstance(found, ConfigError):
        raise found
    return found


def _print_finding(console: Console, path: str, finding: Finding) -> None:
    line = Text(f"{path}:{finding.line}: ")
    line.append(finding.severity, style=STYLES[finding.severity])
    line.append(f" {finding.rule}: ", style="bold")
    line.append(finding.message)
    console.print(line, soft_wrap=True, highlight=False)
    if finding.suggestion:
        console.print(Text(f"    suggestion: {finding.suggestion}", style="dim"), soft_wrap=True)


def _print_human(console: Console, result: formats.FileReport) -> None:
    """Findings under a heading per section or action item, then the file's score."""
    path, report = result.path, result.report
    if not report.postmortem:
        for finding in report.findings:
            _print_finding(console, path, finding)
        console.print(Text(f"{path}: not a post-mortem, not scored", style="bold"), soft_wrap=True)
        return
    for group in formats.group_findings(result.document, report.findings):
        console.print(Text(f"── {group.heading}", style="bold"), soft_wrap=True)
        for finding in group.findings:
            _print_finding(console, path, finding)
        console.print()
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


def _review_file(
    path: Path, config: Config, max_size: int | None, audience: str, *, explicit: bool
) -> formats.FileReport:
    text = read_document(path, max_size or config.max_size)
    document = parse(text, path.name)
    report = review(document, config=config, audience=audience, explicit=explicit)
    return formats.FileReport(str(path), report, document)


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
    max_size: str | None = typer.Option(
        None, "--max-size", help="Skip files larger than this (e.g. 512KB, 10MB; default 10MB)."
    ),
    rule_docs: str | None = typer.Option(
        None,
        "--rule-docs",
        help="Address of each rule's page in SARIF output, {rule} standing for the rule id.",
    ),
) -> None:
    """Review post-mortems. Exit 0: no errors; 1: errors, or a file not reviewed; 2: none reviewed."""
    try:
        limit = parse_size(max_size, "--max-size") if max_size is not None else None
        docs = rule_docs_address(rule_docs, "--rule-docs") if rule_docs is not None else None
        fixed = load_config_file(config_path) if config_path else None
    except ConfigError as exc:
        raise cannot_run(f"bad config: {exc}") from None
    cache: dict[Path, Config | ConfigError] = {}
    results: list[formats.FileReport] = []
    refusals: list[formats.Refusal] = []
    named = {path for path in paths if not path.is_dir()}  # always reviewed, never skipped
    for path in collect(paths):
        try:
            config = fixed or find_config(path, cache)
            explicit = path in named
            results.append(_review_file(path, config, limit, audience.value, explicit=explicit))
            docs = docs or config.rule_docs
        except (CannotRead, ConfigError) as exc:
            reason = f"bad config: {exc}" if isinstance(exc, ConfigError) else str(exc)
            refusals.append(formats.Refusal(str(path), reason))
        except Exception as exc:  # a bug on one file must not cost the review of the others
            log.exception("reviewing %s failed", path)
            reason = f"internal error ({type(exc).__name__}: {exc}); please report it"
            refusals.append(formats.Refusal(str(path), reason))
    for refusal in refusals:
        typer.echo(f"hindsight: cannot review {refusal.path}: {refusal.reason}", err=True)
    log.debug("reviewed %s files, %s not reviewed", len(results), len(refusals))
    _print(output_format, results, refusals, docs)
    if refusals and not results:
        raise typer.Exit(2)
    if refusals or any(result.report.errors for result in results):
        raise typer.Exit(1)


def _print(
    output_format: ReviewFormat,
    results: list[formats.FileReport],
    refusals: list[formats.Refusal],
    rule_docs: str | None,
) -> None:
    if output_format is ReviewFormat.json:
        typer.echo(formats.to_json(results, refusals))
    elif output_format is ReviewFormat.sarif:
        typer.echo(
            sarif.to_sarif(
                results,
                version=_version(),
                cwd=os.getcwd(),
                refusals=refusals,
                rule_docs=rule_docs or DEFAULT_RULE_DOCS,
            )
        )
    elif output_format is ReviewFormat.github:
        typer.echo(formats.to_github(results, refusals), nl=False)
    else:
        console = Console(highlight=False)
        for result in results:
            _print_human(console, result)
        if not results and not refusals:
            console.print("No Markdown files found.")
