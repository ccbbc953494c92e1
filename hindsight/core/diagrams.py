"""Root-cause diagrams as data: 5 Whys chains, a fishbone and a fault tree.

They live in the post-mortem's Markdown as fenced blocks, one line per
element, so the CLI and every reader of the file get them back exactly
(`parse_diagrams(render_diagrams(x)) == x`):

    ```whys
    problem: Checkout returned 502s
    why: The API could not get a database connection
    why: The connection pool was exhausted
    factor [capacity]: The pool size does not follow the worker count
    ```

    ```fishbone
    effect: Checkout returned 502s
    category: technology
    cause [capacity]: The pool size is fixed at 20
    ```

    ```fault-tree
    top OR(pool, dns): Checkout unavailable
    pool AND(deploy, size): Connection pool exhausted
    deploy [deploy]: The deploy doubled the workers
    size [capacity]: The pool size is fixed at 20
    dns: DNS answers failed
    ```

Tags in brackets come from the shared vocabulary of contributing factors
(`hindsight.core.factors`), so incidents can be counted by factor.
`diagram_checks.check` finds what makes a diagram unusable (cycles, dangling
nodes, a chain without its factor, empty categories) with the line to fix.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from hindsight.core.blocks import scan
from hindsight.core.parser import split_front_matter

KINDS = ("whys", "fishbone", "fault-tree")
CATEGORIES = ("people", "process", "technology", "environment", "communication", "external")
GATES = ("AND", "OR")
MAX_LINES = 300  # per diagram block: a diagram is read at a glance
MAX_TEXT = 300  # characters of one box

_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*(whys|5-whys|fishbone|fault-tree)[ \t]*$", re.I)
_WHY_LINE = re.compile(r"^(problem|why|factor)(?:[ \t]*\[(?P<tag>[^\]]*)\])?[ \t]*:(?P<text>.*)$")
_BONE_LINE = re.compile(
    r"^(effect|category|cause)(?:[ \t]*\[(?P<tag>[^\]]*)\])?[ \t]*:(?P<text>.*)$"
)
_NODE_LINE = re.compile(
    r"^(?P<id>[A-Za-z0-9][\w-]{0,39})"
    r"(?:[ \t]+(?P<gate>and|or)[ \t]*\((?P<kids>[^)]*)\))?"
    r"(?:[ \t]*\[(?P<tag>[^\]]*)\])?[ \t]*:(?P<text>.*)$",
    re.I,
)


@dataclass(frozen=True)
class Factor:
    """A contributing factor: what it is, and its tag from the shared vocabulary ("" if none)."""

    text: str
    tag: str = ""


@dataclass(frozen=True)
class WhyChain:
    """A 5 Whys chain: the problem, each answer to "why?", and the factor it ends in."""

    problem: str
    whys: tuple[str, ...] = ()
    factor: Factor | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Category:
    name: str
    causes: tuple[Factor, ...] = ()
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Fishbone:
    """An Ishikawa diagram: the effect and its causes by category (categories are editable)."""

    effect: str = ""
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True)
class FaultNode:
    """An event of a fault tree; a gate (AND/OR) joins its children, a leaf is a basic event."""

    id: str
    label: str
    gate: str = ""
    children: tuple[str, ...] = ()
    tag: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class FaultTree:
    """The nodes in order; the first is the top event."""

    nodes: tuple[FaultNode, ...] = ()

    @property
    def by_id(self) -> dict[str, FaultNode]:
        return {node.id: node for node in self.nodes}


@dataclass(frozen=True)
class Diagrams:
    """Every root-cause diagram of one post-mortem."""

    whys: tuple[WhyChain, ...] = ()
    fishbone: Fishbone | None = None
    fault_tree: FaultTree | None = None

    def __bool__(self) -> bool:
        return bool(self.whys or self.fishbone or self.fault_tree)


@dataclass(frozen=True)
class Problem:
    """What is wrong with a diagram, at a line of the document (0 when not from a file)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class Block:
    """A diagram's fenced block in a text: its kind and its lines with their line numbers."""

    kind: str
    lines: tuple[tuple[int, str], ...]
    start: int  # 0-based index of the opening fence in the text's lines
    end: int  # 0-based index after the closing fence


_LABEL = re.compile(
    r"^\s*[\w-]+(?:[ \t]+(?:and|or)[ \t]*\([^)]*\))?(?:[ \t]*\[[^\]]*\])?[ \t]*:(.*)$", re.I
)


def diagram_fence(text: str) -> bool:
    """Whether a fenced code block (its whole text) is a root-cause diagram."""
    return bool(_OPEN.match(text.split("\n", 1)[0]))


def diagram_label(line: str) -> str:
    """The words of one diagram line without its keyword, id, gate or tag ("" for none)."""
    found = _LABEL.match(line)
    return found.group(1).strip() if found else ""


def clean(text: str) -> str:
    """One line of text, whitespace collapsed (a box shows one paragraph)."""
    return " ".join(text.split())


def find_blocks(text: str) -> list[Block]:
    """The diagram blocks of a Markdown text, in order."""
    _, body, first_line, _ = split_front_matter(text.replace("\r\n", "\n"))
    found = []
    for raw in scan(body, first_line):
        if raw.kind != "code":
            continue
        lines = raw.text.split("\n")
        opening = _OPEN.match(lines[0])
        if not opening:
            continue
        kind = opening.group(2).lower().replace("5-whys", "whys")
        fence = opening.group(1)
        inner = lines[1:]
        closed = bool(inner) and inner[-1].strip().startswith(fence[0] * len(fence))
        if closed:
            inner = inner[:-1]
        start = raw.line - 1
        numbered = tuple((raw.line + 1 + i, line) for i, line in enumerate(inner))
        found.append(Block(kind, numbered, start, start + len(lines)))
    return found


def _tag(raw: str | None) -> str:
    return clean(raw or "").lower()


def _whys(block: Block, problems: list[Problem]) -> list[WhyChain]:
    chains: list[WhyChain] = []
    for number, raw in block.lines:
        line = raw.strip()
        if not line:
            continue
        match = _WHY_LINE.match(line)
        if not match:
            problems.append(
                Problem(
                    number,
                    f'"{line[:60]}" is not a 5 Whys line: start it with "problem:", "why:" '
                    'or "factor [tag]:".',
                )
            )
            continue
        word, text, tag = match.group(1), clean(match.group("text")), _tag(match.group("tag"))
        if word == "problem":
            chains.append(WhyChain(text, line=number))
        elif not chains:
            problems.append(
                Problem(number, f'The 5 Whys chain needs a "problem:" line before "{word}:".')
            )
        elif chains[-1].factor is not None:
            problems.append(
                Problem(
                    number,
                    f'The chain "{chains[-1].problem[:50]}" already ended in its factor; '
                    'start a new chain with "problem:".',
                )
            )
        elif word == "why":
            last = chains[-1]
            chains[-1] = WhyChain(last.problem, (*last.whys, text), None, last.line)
        else:
            last = chains[-1]
            chains[-1] = WhyChain(last.problem, last.whys, Factor(text, tag), last.line)
    return chains


def _fishbone(block: Block, problems: list[Problem], found: Fishbone | None) -> Fishbone:
    effect = found.effect if found else ""
    categories = list(found.categories) if found else []
    for number, raw in block.lines:
        line = raw.strip()
        if not line:
            continue
        match = _BONE_LINE.match(line)
        if not match:
            problems.append(
                Problem(
                    number,
                    f'"{line[:60]}" is not a fishbone line: start it with "effect:", '
                    '"category:" or "cause [tag]:".',
                )
            )
            continue
        word, text, tag = match.group(1), clean(match.group("text")), _tag(match.group("tag"))
        if word == "effect":
            effect = text
        elif word == "category":
            categories.append(Category(text, line=number))
        elif not categories:
            problems.append(
                Problem(number, f'The cause "{text[:50]}" needs a "category:" line above it.')
            )
        else:
            last = categories[-1]
            categories[-1] = Category(last.name, (*last.causes, Factor(text, tag)), last.line)
    return Fishbone(effect, tuple(categories))


def _fault_tree(block: Block, problems: list[Problem], found: FaultTree | None) -> FaultTree:
    nodes = list(found.nodes) if found else []
    for number, raw in block.lines:
        line = raw.strip()
        if not line:
            continue
        match = _NODE_LINE.match(line)
        if not match:
            problems.append(
                Problem(
                    number,
                    f'"{line[:60]}" is not a fault tree line: write "id: event", '
                    '"id AND(a, b): event" or "id OR(a, b): event".',
                )
            )
            continue
        kids = tuple(k.strip() for k in (match.group("kids") or "").split(",") if k.strip())
        gate = (match.group("gate") or "").upper()
        nodes.append(
            FaultNode(
                match.group("id"),
                clean(match.group("text")),
                gate,
                kids,
                _tag(match.group("tag")),
                number,
            )
        )
    return FaultTree(tuple(nodes))


def read(text: str) -> tuple[Diagrams, list[Problem]]:
    """The diagrams written in a Markdown text, and the lines that could not be read."""
    problems: list[Problem] = []
    whys: list[WhyChain] = []
    fishbone: Fishbone | None = None
    tree: FaultTree | None = None
    for block in find_blocks(text):
        if len(block.lines) > MAX_LINES:
            problems.append(
                Problem(
                    block.lines[0][0],
                    f"The {block.kind} diagram has {len(block.lines)} lines; the limit is "
                    f"{MAX_LINES}. Split it or keep the main causes.",
                )
            )
            continue
        if block.kind == "whys":
            whys += _whys(block, problems)
        elif block.kind == "fishbone":
            fishbone = _fishbone(block, problems, fishbone)
        else:
            tree = _fault_tree(block, problems, tree)
    return Diagrams(tuple(whys), fishbone, tree), problems


def parse_diagrams(text: str) -> Diagrams:
    """The diagrams of a Markdown text (lines that can't be read are left out)."""
    return read(text)[0]


def render_whys(chains: Collection[WhyChain]) -> str:
    lines = ["```whys"]
    for index, chain in enumerate(chains):
        if index:
            lines.append("")
        lines.append(f"problem: {chain.problem}")
        lines += [f"why: {why}" for why in chain.whys]
        if chain.factor is not None:
            tag = f" [{chain.factor.tag}]" if chain.factor.tag else ""
            lines.append(f"factor{tag}: {chain.factor.text}")
    return "\n".join([*lines, "```"])


def render_fishbone(fishbone: Fishbone) -> str:
    lines = ["```fishbone"]
    if fishbone.effect:
        lines.append(f"effect: {fishbone.effect}")
    for category in fishbone.categories:
        lines.append(f"category: {category.name}")
        for cause in category.causes:
            lines.append(f"cause{f' [{cause.tag}]' if cause.tag else ''}: {cause.text}")
    return "\n".join([*lines, "```"])


def render_fault_tree(tree: FaultTree) -> str:
    lines = ["```fault-tree"]
    for node in tree.nodes:
        gate = f" {node.gate}({', '.join(node.children)})" if node.gate else ""
        tag = f" [{node.tag}]" if node.tag else ""
        lines.append(f"{node.id}{gate}{tag}: {node.label}")
    return "\n".join([*lines, "```"])


def render_diagrams(diagrams: Diagrams) -> str:
    """The diagrams as the fenced blocks `read` parses, separated by blank lines."""
    blocks = []
    if diagrams.whys:
        blocks.append(render_whys(diagrams.whys))
    if diagrams.fishbone is not None:
        blocks.append(render_fishbone(diagrams.fishbone))
    if diagrams.fault_tree is not None:
        blocks.append(render_fault_tree(diagrams.fault_tree))
    return "\n\n".join(blocks)


def set_diagrams(body: str, diagrams: Diagrams) -> str:
    """`body` (a section's Markdown) with its diagram blocks replaced by `diagrams`.

    The diagrams take the place of the first diagram block, or go at the end.
    """
    lines = body.split("\n")
    blocks = find_blocks(body)
    rendered = render_diagrams(diagrams)
    if not blocks:
        if not rendered:
            return body
        return (body.rstrip("\n") + "\n\n" if body.strip() else "") + rendered
    first = blocks[0].start
    for block in reversed(blocks):
        del lines[block.start : block.end]
    lines[first:first] = rendered.split("\n") if rendered else []
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n")


def factors(diagrams: Diagrams) -> list[Factor]:
    """The contributing factors the diagrams reach: chain ends, causes, basic events."""
    found: list[Factor] = [chain.factor for chain in diagrams.whys if chain.factor]
    if diagrams.fishbone is not None:
        found += [cause for c in diagrams.fishbone.categories for cause in c.causes]
    if diagrams.fault_tree is not None:
        found += [Factor(n.label, n.tag) for n in diagrams.fault_tree.nodes if not n.gate]
    unique: dict[tuple[str, str], Factor] = {}
    for factor in found:
        unique.setdefault((factor.tag, factor.text), factor)
    return list(unique.values())


def fault_tree_data(tree: FaultTree) -> dict[str, object]:
    """The tree from its top event as nested data (cycles cut, unknown ids left out)."""
    by_id = tree.by_id

    def node(node_id: str, path: frozenset[str]) -> dict[str, object]:
        found = by_id[node_id]
        kids = [c for c in found.children if c in by_id and c not in path]
        return {
            "id": found.id,
            "label": found.label,
            "gate": found.gate,
            "tag": found.tag,
            "children": [node(c, path | {c}) for c in kids],
        }

    return node(tree.nodes[0].id, frozenset({tree.nodes[0].id})) if tree.nodes else {}
