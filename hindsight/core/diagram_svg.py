"""Root-cause diagrams drawn as SVG: the same picture in the page, the HTML export and the PDF.

Built with ElementTree, so every label is escaped and the result is XML any
parser accepts. No fonts or files are fetched: text uses the reader's sans-serif.
"""

from __future__ import annotations

import html
import secrets
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from hindsight.core.diagrams import (
    Diagrams,
    FaultNode,
    FaultTree,
    Fishbone,
    WhyChain,
    find_blocks,
    parse_diagrams,
)

SVG_NS = "http://www.w3.org/2000/svg"
_BOX_W, _LINE_H, _PAD = 200, 15, 8
_FILL = {"problem": "#fde2e1", "why": "#f4f6f8", "factor": "#fff3c4", "gate": "#e3ecfa"}
_STROKE = "#4a5562"


def _wrap(text: str, width: int = 28, lines: int = 5) -> list[str]:
    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1] + "…"
    return wrapped


class _Canvas:
    def __init__(self, title: str) -> None:
        self.root = ET.Element("svg", {"xmlns": SVG_NS, "role": "img", "class": "rca-diagram"})
        ET.SubElement(self.root, "title").text = title
        self.group = ET.SubElement(
            self.root, "g", {"font-family": "DejaVu Sans, Helvetica, Arial, sans-serif"}
        )

    def box(
        self, x: float, y: float, text: str, fill: str, *, caption: str = "", rounded: bool = False
    ) -> float:
        """A box with wrapped text whose top-left is (x, y); returns its height."""
        lines = _wrap(text)
        height = _PAD * 2 + _LINE_H * (len(lines) + (1 if caption else 0))
        rect = {"x": _n(x), "y": _n(y), "width": _n(_BOX_W), "height": _n(height)}
        rect |= {"fill": fill, "stroke": _STROKE, "stroke-width": "1"}
        if rounded:
            rect |= {"rx": "10", "ry": "10"}
        ET.SubElement(self.group, "rect", rect)
        baseline = y + _PAD + 11
        if caption:
            self.text(x + _PAD, baseline, caption, size=10, weight="bold", fill="#5a4500")
            baseline += _LINE_H
        for line in lines:
            self.text(x + _PAD, baseline, line)
            baseline += _LINE_H
        return height

    def text(
        self,
        x: float,
        y: float,
        value: str,
        *,
        size: int = 12,
        weight: str = "normal",
        fill: str = "#1b1b1b",
        anchor: str = "start",
    ) -> None:
        attrs = {"x": _n(x), "y": _n(y), "font-size": str(size), "fill": fill}
        if weight != "normal":
            attrs["font-weight"] = weight
        if anchor != "start":
            attrs["text-anchor"] = anchor
        ET.SubElement(self.group, "text", attrs).text = value

    def line(self, x1: float, y1: float, x2: float, y2: float, *, width: float = 1.2) -> None:
        ET.SubElement(
            self.group,
            "line",
            {
                "x1": _n(x1),
                "y1": _n(y1),
                "x2": _n(x2),
                "y2": _n(y2),
                "stroke": _STROKE,
                "stroke-width": _n(width),
            },
        )

    def arrow(self, x: float, y1: float, y2: float) -> None:
        """A downward arrow from (x, y1) to (x, y2)."""
        self.line(x, y1, x, y2 - 6)
        points = f"{_n(x - 5)},{_n(y2 - 7)} {_n(x + 5)},{_n(y2 - 7)} {_n(x)},{_n(y2)}"
        ET.SubElement(self.group, "polygon", {"points": points, "fill": _STROKE})

    def path(self, d: str, fill: str) -> None:
        ET.SubElement(self.group, "path", {"d": d, "fill": fill, "stroke": _STROKE})

    def finish(self, width: float, height: float) -> str:
        self.root.set("viewBox", f"0 0 {_n(width)} {_n(height)}")
        self.root.set("width", _n(width))
        self.root.set("height", _n(height))
        return ET.tostring(self.root, encoding="unicode")


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def whys_svg(chains: Sequence[WhyChain]) -> str:
    """Each chain as a column: the problem, every "why?", the contributing factor."""
    canvas = _Canvas("5 Whys")
    gap, column = 34, _BOX_W + 30
    bottom = 40.0
    if not chains:
        canvas.text(10, 24, "No 5 Whys chain yet.")
    for index, chain in enumerate(chains):
        x, y = 10 + index * column, 10.0
        y += canvas.box(x, y, chain.problem, _FILL["problem"], caption="Problem")
        for number, why in enumerate(chain.whys, 1):
            canvas.arrow(x + _BOX_W / 2, y, y + gap)
            canvas.text(x + _BOX_W / 2 + 8, y + gap / 2 + 4, f"why? ({number})", size=10)
            y += gap
            y += canvas.box(x, y, why, _FILL["why"])
        if chain.factor is not None:
            canvas.arrow(x + _BOX_W / 2, y, y + gap)
            y += gap
            caption = f"Factor: {chain.factor.tag}" if chain.factor.tag else "Factor"
            y += canvas.box(x, y, chain.factor.text, _FILL["factor"], caption=caption, rounded=True)
        bottom = max(bottom, y + 10)
    return canvas.finish(20 + max(len(chains), 1) * column - 30, bottom)


def fishbone_svg(fishbone: Fishbone, effect: str = "") -> str:
    """The spine leads to the effect; categories alternate above and below it as ribs."""
    canvas = _Canvas("Fishbone")
    categories = fishbone.categories
    slots = max((len(categories) + 1) // 2, 1)
    slot_w = 300
    most = max((len(c.causes) for c in categories), default=1)
    rib_h = 40 + 22 * max(most, 1)
    spine_y = 30 + rib_h
    width = 20 + slots * slot_w + _BOX_W + 20
    spine_end = 20 + slots * slot_w
    canvas.line(20, spine_y, spine_end, spine_y, width=2.5)
    lines = _wrap(fishbone.effect or effect or "Effect")
    box_h = _PAD * 2 + _LINE_H * len(lines)
    canvas.box(spine_end, spine_y - box_h / 2, fishbone.effect or effect or "Effect", "#fde2e1")
    for index, category in enumerate(categories):
        slot, above = index // 2, index % 2 == 0
        end_x = 20 + (slot + 1) * slot_w - 20
        start_x = end_x - 70
        start_y = spine_y - rib_h if above else spine_y + rib_h
        canvas.line(start_x, start_y, end_x, spine_y, width=1.8)
        label_y = start_y - 6 if above else start_y + 16
        canvas.text(start_x, label_y, category.name, size=12, weight="bold", anchor="middle")
        for number, cause in enumerate(category.causes):
            fraction = (number + 1) / (len(category.causes) + 1)
            y = start_y + (spine_y - start_y) * fraction
            x = start_x + (end_x - start_x) * fraction
            canvas.line(x - 200, y, x, y, width=0.8)
            label = _wrap(cause.text, 32, 1)[0] + (f" [{cause.tag}]" if cause.tag else "")
            canvas.text(x - 6, y - 3, label, size=10, anchor="end")
    return canvas.finish(width, spine_y * 2 + 10)


MAX_DRAWN = 400  # boxes: an event shared by many gates is drawn under each of them


@dataclass
class _Drawn:
    node: FaultNode
    kids: list[_Drawn]
    leaves: int = 1


def _expand(tree: FaultTree) -> _Drawn:
    """The tree from its top event, shared events repeated, cycles cut, at most MAX_DRAWN boxes."""
    by_id, budget = tree.by_id, [MAX_DRAWN]

    def grow(node_id: str, path: frozenset[str]) -> _Drawn:
        budget[0] -= 1
        drawn = _Drawn(by_id[node_id], [])
        for kid in by_id[node_id].children:
            if kid in by_id and kid not in path and budget[0] > 0:
                drawn.kids.append(grow(kid, path | {kid}))
        drawn.leaves = sum(k.leaves for k in drawn.kids) or 1
        return drawn

    top = tree.nodes[0].id
    return grow(top, frozenset({top}))


def _gate(canvas: _Canvas, cx: float, top: float, gate: str) -> None:
    """The gate symbol: AND flat-bottomed and round on top, OR a pointed shield."""
    w, h = 36, 28
    if gate == "AND":
        d = (
            f"M{_n(cx - w / 2)},{_n(top + h)} L{_n(cx - w / 2)},{_n(top + h / 2)} "
            f"A{_n(w / 2)},{_n(h / 2)} 0 0 1 {_n(cx + w / 2)},{_n(top + h / 2)} "
            f"L{_n(cx + w / 2)},{_n(top + h)} Z"
        )
    else:
        d = (
            f"M{_n(cx - w / 2)},{_n(top + h)} Q{_n(cx - w / 2)},{_n(top + 6)} {_n(cx)},{_n(top)} "
            f"Q{_n(cx + w / 2)},{_n(top + 6)} {_n(cx + w / 2)},{_n(top + h)} "
            f"Q{_n(cx)},{_n(top + h - 8)} {_n(cx - w / 2)},{_n(top + h)} Z"
        )
    canvas.path(d, _FILL["gate"])
    canvas.text(cx, top + h - 6, gate, size=9, weight="bold", anchor="middle")


def fault_tree_svg(tree: FaultTree) -> str:
    """The top event first; under each gate its symbol, then its inputs side by side."""
    canvas = _Canvas("Fault tree")
    column, level_h = _BOX_W + 20, 150
    if not tree.nodes:
        canvas.text(10, 24, "No fault tree yet.")
        return canvas.finish(260, 40)
    deepest = [0.0]

    def draw(drawn: _Drawn, left: float, depth: int) -> float:
        """Draw a node in the columns from `left`; return the x of its centre."""
        node = drawn.node
        cx = left + drawn.leaves * column / 2
        y = 10 + depth * level_h
        leaf = not node.gate
        caption = f"Factor: {node.tag}" if node.tag else ("Basic event" if leaf else "")
        fill = _FILL["factor"] if leaf else _FILL["why"] if depth else _FILL["problem"]
        height = canvas.box(cx - _BOX_W / 2, y, node.label, fill, caption=caption, rounded=leaf)
        deepest[0] = max(deepest[0], y + height)
        if node.gate and drawn.kids:
            gate_top = y + height + 8
            canvas.line(cx, y + height, cx, gate_top)
            _gate(canvas, cx, gate_top, node.gate)
            bus_y = gate_top + 28 + 14
            canvas.line(cx, gate_top + 28, cx, bus_y)
            offset = left
            centres = []
            for kid in drawn.kids:
                centres.append(draw(kid, offset, depth + 1))
                offset += kid.leaves * column
            canvas.line(min(centres), bus_y, max(centres), bus_y)
            for centre in centres:
                canvas.arrow(centre, bus_y, 10 + (depth + 1) * level_h)
        return cx

    top = _expand(tree)
    draw(top, 10, 0)
    return canvas.finish(20 + top.leaves * column, deepest[0] + 10)


def diagram_svg(diagrams: Diagrams, kind: str, title: str = "") -> str:
    """One kind of diagram ("whys", "fishbone", "fault-tree") of a post-mortem as SVG."""
    if kind == "whys":
        return whys_svg(diagrams.whys)
    if kind == "fishbone":
        return fishbone_svg(diagrams.fishbone or Fishbone(), title)
    if kind == "fault-tree":
        return fault_tree_svg(diagrams.fault_tree or FaultTree())
    raise ValueError(f"unknown diagram {kind!r}; use whys, fishbone or fault-tree")


CAPTIONS = {"whys": "5 Whys", "fishbone": "Fishbone", "fault-tree": "Fault tree"}


def with_figures(markdown: str, title: str = "") -> tuple[str, dict[str, str]]:
    """Markdown whose diagram blocks are placeholder paragraphs, and each one's SVG figure.

    The page is sanitised with the placeholders in it and the figures (escaped by
    ElementTree, never user HTML) go in afterwards. Every chain of the 5 Whys is
    drawn at the first whys block.
    """
    blocks = find_blocks(markdown)
    if not blocks:
        return markdown, {}
    found = parse_diagrams(markdown)
    lines = markdown.split("\n")
    nonce = secrets.token_hex(8)
    figures: dict[str, str] = {}
    drawn: set[str] = set()
    for index, block in reversed(list(enumerate(blocks))):
        token = f"hindsightdiagram{nonce}n{index}"
        first = next(i for i, b in enumerate(blocks) if b.kind == block.kind)
        lines[block.start : block.end] = [token] if first == index else []
        if first == index and block.kind not in drawn:
            drawn.add(block.kind)
            svg = diagram_svg(found, block.kind, title)
            caption = html.escape(CAPTIONS[block.kind])
            figures[f"<p>{token}</p>"] = (
                f'<figure class="diagram diagram-{block.kind}">{svg}'
                f"<figcaption>{caption}</figcaption></figure>"
            )
    return "\n".join(lines), figures
