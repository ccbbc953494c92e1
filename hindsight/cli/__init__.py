"""The `hindsight` command line: one Typer app, commands registered per module."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="hindsight",
    help="Hindsight: incidents, status pages and post-mortems that get written.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module registers its commands on `app` when imported. Modules that need
# Django call hindsight.cli.django_setup() inside their commands, so `review`
# and friends run on plain files without a database.
COMMAND_MODULES = (
    "hindsight.cli.serve",
    "hindsight.cli.accounts",
    "hindsight.cli.documents",
    "hindsight.cli.reviewer",
    "hindsight.cli.incidents",
    "hindsight.cli.imports",
    "hindsight.cli.statuspage",
    "hindsight.cli.worker",
    "hindsight.cli.jobs",
    "hindsight.cli.monitors",
    "hindsight.cli.insights",
    "hindsight.cli.actions",
    "hindsight.cli.backup",
)


def _register() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name)


def main() -> None:
    """Run the CLI."""
    _register()
    app()
