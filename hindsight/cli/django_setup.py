"""Start Django for CLI commands that need the database."""

from __future__ import annotations

import os

import typer

from hindsight.config import ConfigError


def setup() -> None:
    """Configure Django from the environment; a bad setting exits with its name."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hindsight.settings")
    try:
        import django

        django.setup()
        from hindsight.accounts.audit import run_as

        run_as("cli")  # changes made by commands are audited as the command line's
    except ConfigError as exc:
        typer.secho(f"Configuration error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
