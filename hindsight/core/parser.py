"""Tolerant Markdown -> Document parsing.

Steps, in order:
1. split off YAML front matter and read inline `hindsight: disable` comments;
2. scan the body into blocks (hindsight.core.blocks);
3. take the first H1 as the title and build the section tree from heading levels,
   absorbing time-stamped headings into the open timeline;
4. turn timeline and action-item blocks into entries and items;
5. when a document has no recognised headings, read "- **Impact**: ..." style
   labelled lists as sections.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from typing import Any

import yaml

from hindsight.core import extract, items, promises
from hindsight.core.blocks import RawBlock, list_items, scan
from hindsight.core.model import Block, Document, Section, SectionKind, TimelineEntry, flatten
from hindsight.core.sections import classify
from hindsight.core.timeparse import find_date, parse_date_line, parse_leading

_SUPPRESS = re.compile(r"<!--\s*hindsight:\s*disable(-file)?\s*=\s*([\w\-, ]+?)\s*-->")
_LABEL = re.compile(r"^\*\*([^*]+?):?\*\*:?\s*(.*)$")
# A paragraph that opens with a bold label: "**Root causes:** ...", "**What went well**\n..."
_BOLD_LABEL = re.compile(r"^(?:\*\*|__)(?P<label>[^*_\n]{3,40}?):?(?:\*\*|__):?[ \t]*\n?")
_INHERITING = {
    SectionKind.ROOT_CAUSE,
    SectionKind.IMPACT,
    SectionKind.ACTION_ITEMS,
    SectionKind.WENT_WELL,
    SectionKind.IMPROVEMENTS,
    SectionKind.SUMMARY,
    SectionKind.LUCKY,
}


# libyaml's loader is about 10x faster than the pure-Python one and builds the same values.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _date_or_text(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


# The same loader keeping impossible dates ("2026-02-30") as text, so the rest is kept.
_ImpossibleDatesAsText: Any = type("_ImpossibleDatesAsText", (_LOADER,), {})
_ImpossibleDatesAsText.add_constructor("tag:yaml.org,2002:timestamp", _date_or_text)
Problem = tuple[int, str]


class FrontMatterError(ValueError):
    """The YAML front matter could not be read."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def load_yaml(raw: str) -> tuple[Any, list[Problem]]:
    """YAML values and the problems met; aliases and what can't be read raise FrontMatterError.

    Aliases are refused because one can stand for a billion values: a 1.4 KB
    "billion laughs" block took over 2 GB once rules turned its lists into text.
    An impossible date ("2026-02-30") is kept as text and reported. Lines are
    0-based within `raw`.
    """
    if "*" in raw:  # no alias without its `*`: most front matter skips the event scan
        for event in yaml.parse(raw, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent):
                raise FrontMatterError(
                    f"it uses the YAML alias *{event.anchor}, which Hindsight does not expand "
                    "(one alias can stand for millions of values): write the value out",
                    event.start_mark.line if event.start_mark else 0,
                )
    try:
        return yaml.load(raw, Loader=_LOADER), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line if mark is not None else 0
        raise FrontMatterError(f"it is not valid YAML: {exc}", line) from None
    except RecursionError:
        raise FrontMatterError("it is nested too deeply to read", 0) from None
    except (ValueError, OverflowError) as exc:
        # Only the timestamp constructor raises these: "2026-02-30", "0000-01-01".
        value, line = _impossible_date(raw)
        problem = f"{value!r} is not a real date ({exc}), so it is read as text"
        return yaml.load(raw, Loader=_ImpossibleDatesAsText), [(line, problem)]


def _impossible_date(raw: str) -> tuple[str, int]:
    """The first timestamp in `raw` that is not a real date, and its line (0-based)."""
    loader = _LOADER("")
    nodes = [yaml.compose(raw, Loader=_LOADER)]
    while nodes:
        node = nodes.pop()
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
            try:
                loader.construct_yaml_timestamp(node)
            except (ValueError, OverflowError):
                return str(node.value), node.start_mark.line
        elif isinstance(node, yaml.SequenceNode):
            nodes.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            nodes.extend(item for pair in reversed(node.value) for item in reversed(pair))
    return "", 0


def split_front_matter(text: str) -> tuple[dict[str, Any], list[str], int, list[Problem]]:
    """(meta, body lines, file line number of the first body line, front matter problems).

    Front matter that can't be read is left out (a problem says why) and the body is
    still returned, so the document is reviewed anyway.

    YAML between `---` lines, or TOML between `+++` lines (Hugo's front matter).
    """
    lines = text.split("\n")
    if lines and lines[0].strip() == "+++":
        return _toml_front_matter(lines)
    if not lines or lines[0].strip() != "---":
        return {}, lines, 1, []
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in {"---", "..."}), 0)
    if not end:
        return {}, lines, 1, []
    raw = "\n".join(lines[1:end])
    body, first_line = lines[end + 1 :], end + 2
    try:
        meta, problems = load_yaml(raw) if raw.strip() else ({}, [])
    except FrontMatterError as exc:
        return {}, body, first_line, [(2 + exc.line, str(exc))]
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return {}, body, first_line, [(2, "it must be a mapping of keys to values")]
    found = [(2 + line, problem) for line, problem in problems]
    return {str(k): v for k, v in meta.items()}, body, first_line, found


def _toml_front_matter(lines: list[str]) -> tuple[dict[str, Any], list[str], int, list[Problem]]:
    for index in range(1, len(lines)):
        if lines[index].strip() == "+++":
            body, first_line = lines[index + 1 :], index + 2
            try:
                meta = tomllib.loads("\n".join(lines[1:index]))
            except tomllib.TOMLDecodeError as exc:
                return {}, body, first_line, [(2, f"it is not valid TOML: {exc}")]
            return meta, body, first_line, []
    return {}, lines, 1, []


def _suppressions(lines: list[str]) -> tuple[dict[int, frozenset[str]], frozenset[str]]:
    """Rules disabled by a comment: for its own line and the next non-blank line, or the file."""
    per_line: dict[int, set[str]] = {}
    whole: set[str] = set()
    for index, line in enumerate(lines):
        for match in _SUPPRESS.finditer(line):
            rules = {rule.strip() for rule in match.group(2).split(",") if rule.strip()}
            if match.group(1):
                whole |= rules
                continue
            per_line.setdefault(index + 1, set()).update(rules)
            following = index + 1
            while following < len(lines) and not lines[following].strip():
                following += 1
            per_line.setdefault(following + 1, set()).update(rules)
    return {k: frozenset(v) for k, v in per_line.items()}, frozenset(whole)


def _year_hint(meta: dict[str, Any], title: str, blocks: list[RawBlock]) -> dt.date | None:
    """The incident's date, for dates written without a year."""
    for key in ("started", "detected", "resolved", "written"):
        value = meta.get(key)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
    found = find_date(title)
    if found:
        return found
    for block in blocks[:40]:
        found = find_date(block.text)
        if found:
            return found
    return None


class _Builder:
    def __init__(self, year: dt.date | None) -> None:
        self.year = year
        self.day: dt.date | None = None
        self.sections: list[Section] = []
        self.preamble: list[Block] = []
        self.stack: list[Section] = []
        self.timeline: Section | None = None
        # The entry a time-stamped heading opened, and the text of the blocks under it so far.
        self.entry_target: TimelineEntry | None = None
        self.entry_text: list[str] = []

    def _area(self) -> SectionKind:
        for section in reversed(self.stack):
            if section.kind is not SectionKind.OTHER:
                return section.kind
        return SectionKind.OTHER

    def close_entry(self) -> None:
        """Give the open heading entry the text of its blocks, joined once.

        Joining after every block made a long timeline quadratic (1 MB took minutes).
        """
        if self.entry_target is not None and self.entry_text:
            entry = self.entry_target
            entry.text = " ".join(" ".join([entry.text, *self.entry_text]).split())
        self.entry_target, self.entry_text = None, []

    def heading(self, block: RawBlock) -> None:
        self.close_entry()
        stamp = parse_leading(block.text, self.year) if self.timeline else None
        kind = classify(block.text)
        # Inside a timeline a heading that starts with a time is an entry, whatever it says
        # ("16:09 Post-incident follow-up"); a date alone opens a day, unless it names a section.
        if self.timeline is not None and stamp is not None and stamp.day and stamp.clock is None:
            self.day = stamp.day  # "## February 24, 2025": a day marker, not an entry
            if kind is SectionKind.OTHER and len(stamp.rest.split()) <= 6:
                self.entry_target = None
                return
        if (
            self.timeline is not None
            and stamp is not None
            and (kind is SectionKind.OTHER or stamp.clock is not None)
        ):
            entry = extract.entry_from_stamp(stamp, stamp.rest, block.line)
            if entry.day is not None:
                self.day = entry.day
            elif entry.clock is not None:
                entry.day = self.day
            self.timeline.entries.append(entry)
            self.entry_target = entry
            return
        while self.stack and self.stack[-1].level >= block.level:
            self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        if parent is not None and kind is SectionKind.OTHER and self._area() in _INHERITING:
            kind = self._area()
        if parent is not None and self._area() is SectionKind.ACTION_ITEMS:
            kind = SectionKind.ACTION_ITEMS
        section = Section(kind=kind, title=block.text, level=block.level, line=block.line)
        (parent.children if parent else self.sections).append(section)
        self.stack.append(section)
        if kind is SectionKind.TIMELINE:
            self.timeline = section
            self.day = find_date(block.text, self.year) or self.day  # "Timeline - May 29, 2021"
        elif kind is not SectionKind.OTHER or (
            self.timeline is not None and block.level <= self.timeline.level
        ):
            self.timeline = None

    def content(self, block: RawBlock) -> None:
        if self.entry_target is not None:
            if block.kind not in {"html", "hr"}:
                self.entry_text.append(block.text)
            return
        if block.kind == "paragraph" and self._area() is not SectionKind.TIMELINE:
            label = _BOLD_LABEL.match(block.text)
            if label and classify(label.group("label")) is not SectionKind.OTHER:
                self._labelled(block, label)
                return
        if not self.stack:
            self.preamble.append(Block(block.kind, block.text, block.line))
            return
        section = self.stack[-1]
        area = self._area()
        if area is SectionKind.TIMELINE and self._timeline_block(section, block):
            return
        if area is SectionKind.ACTION_ITEMS and block.kind in {"list", "table"}:
            defaults = items.defaults_from([s.title for s in self.stack])
            if block.kind == "list":
                found = items.items_from_list(block.text, block.line, defaults)
            else:
                found = items.items_from_table(block.text, block.line, defaults)
            if found:
                section.items.extend(found)
                return
        section.blocks.append(Block(block.kind, block.text, block.line))

    def _labelled(self, block: RawBlock, label: re.Match[str]) -> None:
        """ "**Root causes:** ..." opens a section one level below the current one, as a
        heading would, holding the rest of the paragraph."""
        level = min(6, self.stack[-1].level + 1) if self.stack else 2
        self.heading(RawBlock("heading", label.group("label").strip(), block.line, level))
        rest = block.text[label.end() :].strip("\n")
        if rest.strip():
            lead = block.text[: label.end()].count("\n")
            self.content(RawBlock("paragraph", rest.strip(), block.line + lead))

    def _timeline_block(self, section: Section, block: RawBlock) -> bool:
        if block.kind == "paragraph":
            day = parse_date_line(block.text, self.year)
            if day is not None:
                self.day = day
                return True
            if "<br" in block.text:  # "10:02 alert fired<br>10:05 paged": one entry a line
                found = extract.entries_from_lines(block.text, block.line, self.day, self.year)
                if found is None:
                    return False
                section.entries.extend(found)
                self._carry(found)
                return True
            stamp = parse_leading(block.text, self.year)
            if stamp is None or stamp.clock is None:
                return False
            section.entries.append(extract.entry_from_text(block.text, block.line, self.day, None))
            if section.entries[-1].day:
                self.day = section.entries[-1].day
            return True
        found = None
        if block.kind == "list":
            found = extract.entries_from_list(block.text, block.line, self.day, self.year)
        elif block.kind == "table":
            found = extract.entries_from_table(block.text, block.line, self.day, self.year)
        if found is None:
            return False
        section.entries.extend(found)
        self._carry(found)
        return True

    def _carry(self, found: list[TimelineEntry]) -> None:
        """The day of the last dated entry goes on to the entries after it."""
        days = [entry.day for entry in found if entry.day]
        if days:
            self.day = days[-1]


def _labelled_sections(builder: _Builder, blocks: list[RawBlock]) -> bool:
    """Read a preamble list of "**Label**: text" items as sections when enough labels match."""
    lists = [b for b in blocks if b.kind == "list"]
    for block in lists:
        labels = [_LABEL.match(text) for text, _ in list_items(block.text, block.line)]
        kinds = [classify(m.group(1)) for m in labels if m]
        if sum(kind is not SectionKind.OTHER for kind in kinds) < 2:
            continue
        lines = block.text.split("\n")
        starts = [i for i, line in enumerate(lines) if re.match(r"^[-*+] ", line)]
        for position, start in enumerate(starts):
            end = starts[position + 1] if position + 1 < len(starts) else len(lines)
            first = re.sub(r"^[-*+] ", "", lines[start]).strip()
            label = _LABEL.match(first)
            if not label:
                continue
            builder.stack = []
            builder.timeline = None
            builder.heading(RawBlock("heading", label.group(1).strip(), block.line + start, 2))
            body = [label.group(2)] + [
                line[2:] if line[:2] == "  " else line.lstrip() for line in lines[start + 1 : end]
            ]
            for inner in scan(body, block.line + start):
                builder.content(inner)
        builder.preamble = [b for b in builder.preamble if b.line != block.line]
        return True
    return False


def _loose_timeline(sections: list[Section], year: dt.date | None) -> None:
    """With no Timeline heading, the first list or table of timed entries is the timeline."""
    for section in sections:
        if section.kind is SectionKind.ACTION_ITEMS:
            continue
        for index, block in enumerate(section.blocks):
            found = None
            if block.kind == "list":
                found = extract.entries_from_list(block.text, block.line, None, year)
            elif block.kind == "table":
                found = extract.entries_from_table(block.text, block.line, None, year)
            if (
                found
                and sum(entry.clock is not None for entry in found) >= 3
                and sum(len(entry.text.split()) >= 3 for entry in found) * 2 >= len(found)
            ):
                section.entries.extend(found)
                del section.blocks[index]
                return


def _heading_as_title(blocks: list[RawBlock], headings: list[RawBlock]) -> bool:
    """A document that opens with "## Checkout outage" and has no level-1 heading: that
    first heading is its title, unless it names one of the practice's sections."""
    first = headings[0]
    return (
        blocks[0] is first
        and not any(h.level == 1 for h in headings)
        and classify(first.text) is SectionKind.OTHER
    )


def parse(text: str, filename: str = "") -> Document:
    """Parse a post-mortem; never raises on content, problems are kept on the document.

    `filename` (the file's name, without folders) can tell when it was written.
    """
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    meta, lines, first_line, problems = split_front_matter(text)
    per_line: dict[int, frozenset[str]] = {}
    whole: frozenset[str] = frozenset()
    if "hindsight:" in text:  # no suppression comment in most documents
        per_line, whole = _suppressions(text.split("\n"))
    blocks = scan(lines, first_line)
    title, title_line = "", 0
    headings = [b for b in blocks if b.kind == "heading"]
    if headings and (headings[0].level == 1 or _heading_as_title(blocks, headings)):
        title, title_line = headings[0].text, headings[0].line
        blocks = [b for b in blocks if b is not headings[0]]
    builder = _Builder(_year_hint(meta, title, blocks))
    for block in blocks:
        if block.kind == "heading":
            builder.heading(block)
        else:
            builder.content(block)
    builder.close_entry()
    if not any(s.kind is not SectionKind.OTHER for s in builder.sections):
        _labelled_sections(builder, blocks)
        builder.close_entry()
    sections = flatten(builder.sections)
    if not any(s.kind is SectionKind.TIMELINE or s.entries for s in sections):
        _loose_timeline(sections, builder.year)
    # Promises in prose count as items only where no open item is listed.
    unlisted = not any(item.status != "done" for s in sections for item in s.items)
    for section in sections:
        section.inline_items = promises.inline_items(section, unlisted)
    opening = Section(SectionKind.OTHER, "", 0, builder.preamble)
    return Document(
        meta=meta,
        title=title,
        preamble=builder.preamble,
        sections=builder.sections,
        title_line=title_line,
        source=text,
        suppressions=per_line,
        file_suppressions=whole,
        problems=problems,
        inline_items=promises.inline_items(opening, unlisted),
        filename=filename,
    )
