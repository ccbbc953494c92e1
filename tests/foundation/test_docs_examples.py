"""Every code example in docs/ that can run is run here (the rule is in docs/architecture.md).

A fenced block names its language. `python` blocks are executed; in `sh` and
`console` blocks every `hindsight …` command is parsed by the real CLI (the
command, its options and its arguments must be accepted) and every `curl …`
is sent to a live test server. A block that needs more than that (a signed
request, a generated client) says which test runs it on the line before it,
`<!-- run by: tests/….py -->`; one that cannot run says why: `<!-- not run: reason -->`.
"""

from __future__ import annotations

import shlex
import subprocess

import pytest
import typer

from hindsight.accounts.models import User
from hindsight.accounts.services import create_token
from hindsight.cli import _register, app
from hindsight.integrations.services import create_integration

from ..docs_examples import (
    DOCS,
    Block,
    blocks,
    commands,
    defined,
    isolate_registries,
    python_examples,
    runnable,
)
from ..system import require_command


def test_every_block_names_its_language() -> None:
    assert [block.where for block in blocks() if not block.language] == []


def test_every_shell_block_that_runs_holds_only_hindsight_and_curl_commands() -> None:
    others = [
        f"{block.where}: {command}"
        for block in runnable("sh") + runnable("console")
        for command in commands(block)
        if command.split()[0] not in ("hindsight", "curl")
    ]
    assert others == [], "mark the block <!-- not run: reason --> or split it"


@pytest.fixture
def isolated_registries(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_registries(monkeypatch)


@pytest.mark.parametrize("block", python_examples(), ids=lambda b: b.where)
def test_the_python_example_runs(block: Block, isolated_registries: None) -> None:
    exec(compile(block.text, block.where, "exec"), {"__name__": "docs_example"})


def parse(args: list[str]) -> typer.Context:
    """Parse a command line the way `hindsight` would, without running the command."""
    _register()
    command = typer.main.get_command(app)
    context = command.make_context("hindsight", list(args))
    while hasattr(command, "resolve_command"):  # a group of commands
        rest = [*context._protected_args, *context.args]
        _, found, rest = command.resolve_command(context, rest)
        assert found is not None, f"no such command: {args}"
        command = found
        context = command.make_context(command.name, rest, parent=context)
    return context


def hindsight_commands() -> list[tuple[str, str]]:
    return [
        (block.where, command)
        for block in runnable("sh") + runnable("console")
        for command in commands(block)
        if command.startswith("hindsight ")
    ]


@pytest.mark.parametrize(("where", "command"), hindsight_commands())
def test_the_hindsight_command_is_accepted_by_the_cli(where: str, command: str) -> None:
    try:
        parse(shlex.split(command)[1:])
    except typer.TyperException as error:  # a usage error of Typer's Click
        pytest.fail(f"{where}: {command}: {error}")


def curl_commands() -> list[tuple[str, str]]:
    return [
        (block.where, command)
        for block in runnable("sh") + runnable("console")
        for command in commands(block)
        if command.startswith("curl ")
    ]


@pytest.mark.parametrize(("where", "command"), curl_commands())
def test_the_curl_example_succeeds_against_a_live_server(
    where: str, command: str, live_server, an_editor: User
) -> None:
    curl = require_command("curl", "curl")
    _, token = create_token(username=an_editor.username, name="docs")
    _, hook = create_integration(name="docs", kind="generic")
    for address in ("https://hindsight.example.com", "http://127.0.0.1:8000"):
        command = command.replace(address, live_server.url)
    command = command.replace("hs_…", token).replace("hsi_…", hook)
    args = shlex.split(command)
    done = subprocess.run(
        [curl, "--silent", "--show-error", "--fail-with-body", *args[1:]],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, f"{where}: {done.stdout}{done.stderr}"


def test_a_block_run_elsewhere_names_a_test_that_reads_its_page() -> None:
    elsewhere = [block for block in blocks() if block.run_by]
    missing = [
        f"{block.where}: {block.run_by}"
        for block in elsewhere
        if not (DOCS.parent / block.run_by).is_file()
        or block.path.name not in (DOCS.parent / block.run_by).read_text()
    ]
    assert elsewhere and missing == []


def test_the_documented_review_rule_finds_a_friday_deploy(isolated_registries: None) -> None:
    from hindsight.core.parser import parse
    from hindsight.core.review import review

    defined("reviewer.md", "no_friday_deploys")
    report = review(parse("# Checkout outage\n\nA Friday deploy broke checkout.\n"), explicit=True)
    assert "no-friday-deploys" in [finding.rule for finding in report.findings]
