"""A post-mortem's text cut into its parts, for editing one section at a time.

`split` cuts the Markdown into the front matter, the head (title and anything
before the first section) and one part per top-level section, each kept
exactly as written; `join` puts them back. The editor shows one text box per
part and `join` writes the document the CLI reads. Headings inside fenced code
are not sections (the block scanner knows fences).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from hindsight.core.blocks import scan
from hindsight.core.model import SectionKind
from hindsight.core.sections import CANONICAL_TITLES, classify

# The practice's six sections, in the order a post-mortem presents them.
PRACTICE = (
    SectionKind.SUMMARY,
    SectionKind.TIMELINE,
    SectionKind.ROOT_CAUSE,
    SectionKind.WENT_WELL,
    SectionKind.IMPROVEMENTS,
    SectionKind.ACTION_ITEMS,
)


@dataclass(frozen=True)
class Part:
    """One top-level section: its heading and the Markdown under it (subsections included)."""

    title: str
    body: str
    level: int = 2
    placeholder: bool = False  # added for the editor; left out again while it stays empty

    @property
    def kind(self) -> SectionKind:
        return classify(self.title)


@dataclass(frozen=True)
class Outline:
    """Front matter (YAML without the `---` lines, None when absent), head and parts."""

    front: str | None
    head: str
    parts: tuple[Part, ...] = field(default_factory=tuple)


def _trim(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n")


def split(text: str) -> Outline:
    """Cut Markdown into front matter, head and top-level sections."""
    lines = text.replace("\r\n", "\n").lstrip("\ufeff").split("\n")
    front: str | None = None
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in {"---", "..."}), 0)
        if end:
            front, lines = "\n".join(lines[1:end]), lines[end + 1 :]
    headings = [
        (block.line - 1, block.level, block.text)
        for block in scan(lines)
        if block.kind == "heading" and lines[block.line - 1].lstrip().startswith("#")
    ]
    if headings and headings[0][1] == 1:
        headings = headings[1:]  # the title stays in the head
    if not headings:
        return Outline(front, _trim(lines))
    level = min(found[1] for found in headings)
    starts = [(index, title) for index, found_level, title in headings if found_level == level]
    parts = []
    for position, (index, title) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        parts.append(Part(title, _trim(lines[index + 1 : end]), level))
    return Outline(front, _trim(lines[: starts[0][0]]), tuple(parts))


def join(outline: Outline) -> str:
    """The Markdown for an outline; placeholders still empty are left out."""
    out: list[str] = []
    if outline.front is not None:
        out += ["---", outline.front.strip("\n"), "---", ""] if outline.front.strip() else []
    if outline.head.strip():
        out += [outline.head.strip("\n"), ""]
    for part in outline.parts:
        if part.placeholder and not part.body.strip():
            continue
        out += ["#" * part.level + " " + part.title.strip(), ""]
        if part.body.strip():
            out += [part.body.strip("\n"), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def with_practice_sections(outline: Outline) -> Outline:
    """The outline with an empty placeholder for each of the six sections it lacks.

    A missing section goes after the practice section that precedes it, so the
    editor always offers all six in the practice's order.
    """
    parts = list(outline.parts)
    level = parts[0].level if parts else 2
    for position, kind in enumerate(PRACTICE):
        if any(part.kind is kind for part in parts):
            continue
        earlier = set(PRACTICE[:position])
        after = max((i for i, part in enumerate(parts) if part.kind in earlier), default=-1)
        parts.insert(after + 1, Part(CANONICAL_TITLES[kind], "", level, placeholder=True))
    return replace(outline, parts=tuple(parts))


def part_lines(outline: Outline) -> list[int]:
    """The 1-based line in `join(outline)` of each part's heading (0 for a dropped placeholder)."""
    line = 1
    if outline.front is not None and outline.front.strip():
        line += len(outline.front.strip("\n").split("\n")) + 3
    if outline.head.strip():
        line += len(outline.head.strip("\n").split("\n")) + 1
    found = []
    for part in outline.parts:
        if part.placeholder and not part.body.strip():
            found.append(0)
            continue
        found.append(line)
        line += 2
        if part.body.strip():
            line += len(part.body.strip("\n").split("\n")) + 1
    return found


def set_front_value(text: str, key: str, value: str) -> str:
    """The text with one front-matter key set to a plain scalar, other lines untouched.

    A trailing `# comment` on the key's line is kept; a missing key is added at
    the end of the front matter; a text without front matter gets one.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return f"---\n{key}: {value}\n---\n\n{text}"
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in {"---", "..."}), 0)
    if not end:
        return f"---\n{key}: {value}\n---\n\n{text}"
    for index in range(1, end):
        if lines[index].startswith(f"{key}:"):
            comment = lines[index].find("  #")
            tail = lines[index][comment:] if comment != -1 else ""
            lines[index] = f"{key}: {value}{tail}"
            return "\n".join(lines)
    lines.insert(end, f"{key}: {value}")
    return "\n".join(lines)
