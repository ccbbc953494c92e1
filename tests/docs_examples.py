"""The fenced code blocks of docs/, for the tests that run them (rule: docs/architecture.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
RUN = ("python", "sh", "console")
NOT_RUN = re.compile(r"<!-- not run: \S.* -->")
RUN_BY = re.compile(r"<!-- run by: (tests/\S+\.py) -->")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    language: str
    text: str
    not_run: bool
    run_by: str = ""  # the test that runs it with what it needs (a signed request, a client)

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(DOCS.parent)}:{self.line}"


def blocks() -> list[Block]:
    """Every fenced block of every page in docs/ (rules included)."""
    found = []
    for path in sorted(DOCS.rglob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        number = 0
        while number < len(lines):
            opening = re.match(r"^\s*```(\S*)", lines[number])
            if opening:
                end = next(i for i in range(number + 1, len(lines)) if lines[i].strip() == "```")
                before = lines[number - 1] if number else ""
                text = "\n".join(lines[number + 1 : end]) + "\n"
                run_by = RUN_BY.match(before)
                found.append(
                    Block(
                        path,
                        number + 1,
                        opening.group(1),
                        text,
                        bool(NOT_RUN.match(before)),
                        run_by.group(1) if run_by else "",
                    )
                )
                number = end
            number += 1
    return found


def runnable(language: str) -> list[Block]:
    return [
        block
        for block in blocks()
        if block.language == language and not block.not_run and not block.run_by
    ]


def commands(block: Block) -> list[str]:
    """The shell commands of a block: continuation lines joined, comments and output dropped."""
    text = block.text.replace("\\\n", " ")
    if block.language == "console":
        lines = [line[2:] for line in text.splitlines() if line.startswith("$ ")]
    else:
        lines = text.splitlines()
    # A comment, a redirection or a pipe ends the part that is checked.
    return [re.split(r"\s(?:#|>|\|)\s", line)[0].strip() for line in lines if line.strip()]


def python_examples() -> list[Block]:
    return runnable("python")


def defined(page: str, name: str) -> object:
    """What the python example on a page that defines ``name`` binds it to."""
    (block,) = [b for b in python_examples() if b.path.name == page and f"def {name}(" in b.text]
    namespace: dict[str, object] = {"__name__": "docs_example"}
    exec(compile(block.text, block.where, "exec"), namespace)
    return namespace[name]


def isolate_registries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registrations an example makes (rules, channel kinds) last for the test only."""
    from hindsight.core.registry import REGISTRY
    from hindsight.integrations import notifiers

    monkeypatch.setattr(REGISTRY, "_rules", dict(REGISTRY._rules))
    monkeypatch.setattr(notifiers, "CHANNEL_KINDS", dict(notifiers.CHANNEL_KINDS))
