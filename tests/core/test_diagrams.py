"""Root-cause diagrams: read from Markdown, written back, checked and drawn as SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from hindsight.core import diagram_checks, diagram_svg, diagrams
from hindsight.core.diagrams import (
    Category,
    Diagrams,
    Factor,
    FaultNode,
    FaultTree,
    Fishbone,
    WhyChain,
)
from hindsight.core.factors import TAGS, factors_of
from hindsight.core.html import html_page
from hindsight.core.parser import parse
from hindsight.core.render import render
from hindsight.core.review import review

TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40
).map(diagrams.clean)
TAG = st.sampled_from(("", *TAGS))
FACTOR = st.builds(Factor, TEXT, TAG)
IDS = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True)


@st.composite
def fault_trees(draw: st.DrawFn) -> FaultTree:
    ids = draw(st.lists(IDS, min_size=1, max_size=8, unique=True))
    nodes = []
    for node_id in ids:
        gate = draw(st.sampled_from(["", "AND", "OR"]))
        kids = tuple(draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3))) if gate else ()
        nodes.append(FaultNode(node_id, draw(TEXT), gate, kids, draw(TAG)))
    return FaultTree(tuple(nodes))


CHAINS = st.lists(
    st.builds(WhyChain, TEXT, st.lists(TEXT, max_size=5).map(tuple), st.none() | FACTOR),
    max_size=4,
).map(tuple)
FISHBONES = st.builds(
    Fishbone,
    TEXT | st.just(""),
    st.lists(st.builds(Category, TEXT, st.lists(FACTOR, max_size=4).map(tuple)), max_size=6).map(
        tuple
    ),
)
DIAGRAMS = st.builds(Diagrams, CHAINS, st.none() | FISHBONES, st.none() | fault_trees())

DOCUMENT = """---
title: Checkout 502s
severity: SEV2
---

# Checkout 502s

## Summary

Checkout failed for 30% of customers for 50 minutes.

## Root cause analysis

The pool was too small for the new worker count.

## Action items

- Derive the pool size from the worker count (@maria, due 2026-03-20)
"""

EXAMPLE = """```whys
problem: Checkout returned 502s
why: The API could not get a database connection
why: The connection pool was exhausted
factor [capacity]: The pool size does not follow the worker count
```

```fishbone
effect: Checkout returned 502s
category: technology
cause [capacity]: The pool size is fixed at 20
category: process
cause [testing]: No load test before the deploy
```

```fault-tree
top OR(pool, dns): Checkout unavailable
pool AND(deploy, size): Connection pool exhausted
deploy [deploy]: The deploy doubled the workers
size [capacity]: The pool size is fixed at 20
dns: DNS answers failed
```"""


def with_diagrams(found: Diagrams) -> str:
    head, rest = DOCUMENT.split("## Action items")
    section = diagrams.set_diagrams(head.rstrip("\n"), found)
    return section + "\n\n## Action items" + rest


def problems_of(text: str) -> list[str]:
    found, unreadable = diagrams.read(text)
    return [p.message for p in unreadable + diagram_checks.check(found, TAGS)]


@settings(max_examples=150, deadline=None)
@given(DIAGRAMS)
def test_it_reads_back_the_diagrams_it_writes(found: Diagrams) -> None:
    assert diagrams.parse_diagrams(with_diagrams(found)) == found


@settings(max_examples=100, deadline=None)
@given(DIAGRAMS)
def test_parse_render_parse_keeps_the_diagrams(found: Diagrams) -> None:
    text = with_diagrams(found)
    assert diagrams.parse_diagrams(render(parse(text))) == diagrams.parse_diagrams(text)


@settings(max_examples=60, deadline=None)
@given(DIAGRAMS)
def test_every_diagram_is_svg_an_xml_parser_accepts(found: Diagrams) -> None:
    for kind in diagrams.KINDS:
        svg = ET.fromstring(diagram_svg.diagram_svg(found, kind, "Checkout <502s> & co"))
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"


def test_it_reads_the_documented_example() -> None:
    found = diagrams.parse_diagrams(EXAMPLE)
    assert found.whys[0].factor == Factor(
        "The pool size does not follow the worker count", "capacity"
    )
    assert [c.name for c in found.fishbone.categories] == ["technology", "process"]  # type: ignore[union-attr]
    assert diagrams.fault_tree_data(found.fault_tree)["children"][0]["gate"] == "AND"  # type: ignore[arg-type,index]


def test_the_example_has_no_problems() -> None:
    assert problems_of(EXAMPLE) == []


def test_it_lists_the_factors_with_their_tags() -> None:
    found = diagrams.factors(diagrams.parse_diagrams(EXAMPLE))
    assert Factor("The deploy doubled the workers", "deploy") in found
    assert Factor("DNS answers failed", "") in found
    assert len(found) == len(set(found))


def test_drawn_tags_count_as_the_post_mortems_factors() -> None:
    text = with_diagrams(diagrams.parse_diagrams(EXAMPLE))
    assert {"capacity", "deploy", "testing"} <= set(factors_of(text))


def test_it_refuses_a_cycle_in_the_fault_tree() -> None:
    text = "```fault-tree\ntop OR(a): Down\na AND(b): Pool\nb OR(a): Deploy\n```"
    assert problems_of(text) == [
        "The fault tree has a cycle (a -> b -> a): an event can't cause itself; "
        "take one of these links out."
    ]


def test_it_names_a_gate_input_that_is_not_in_the_tree() -> None:
    text = "```fault-tree\ntop OR(a, ghost): Down\na: Pool\n```"
    assert problems_of(text) == [
        '"top" points at "ghost", which is not in the tree (a dangling reference): '
        "add that event or take it out of the gate."
    ]


def test_it_names_an_event_no_gate_leads_to() -> None:
    text = "```fault-tree\ntop OR(a): Down\na: Pool\nlost: DNS\n```"
    assert problems_of(text) == [
        'The event "lost" is dangling: no gate below the top event "top" leads to it. '
        "Add it to a gate or remove it."
    ]


def test_it_refuses_a_chain_without_its_factor() -> None:
    text = "```whys\nproblem: Checkout failed\nwhy: The pool was exhausted\n```"
    assert problems_of(text) == [
        'The 5 Whys chain "Checkout failed" has no end: finish it with the contributing '
        'factor it reaches ("factor [tag]: ...").'
    ]


def test_it_refuses_an_empty_fishbone_category() -> None:
    text = "```fishbone\ncategory: people\ncategory: technology\ncause: Pool too small\n```"
    assert problems_of(text) == [
        'The fishbone category "people" is empty: add a cause to it or remove the category.'
    ]


def test_it_refuses_a_tag_outside_the_vocabulary() -> None:
    text = "```whys\nproblem: Down\nwhy: Pool\nfactor [bad-luck]: Nobody knew\n```"
    (message,) = problems_of(text)
    assert message.startswith('"bad-luck" is not a factor tag; use one of capacity,')


def test_a_problem_names_its_line_in_the_document() -> None:
    text = with_diagrams(Diagrams(whys=(WhyChain("Checkout failed", ("Pool",)),)))
    found, _ = diagrams.read(text)
    (problem,) = diagram_checks.check(found, TAGS)
    assert text.split("\n")[problem.line - 1] == "problem: Checkout failed"


def test_it_explains_a_line_it_cannot_read() -> None:
    assert problems_of("```fault-tree\ntop XOR(a): Down\n```")[0] == (
        '"top XOR(a): Down" is not a fault tree line: write "id: event", '
        '"id AND(a, b): event" or "id OR(a, b): event".'
    )


def test_setting_diagrams_keeps_the_prose_around_them() -> None:
    body = "The pool was too small.\n\n```whys\nproblem: Old\nwhy: x\nfactor: y\n```\n\nMore prose."
    new = Diagrams(whys=(WhyChain("New", ("Why",), Factor("Fix", "capacity")),))
    assert diagrams.set_diagrams(body, new) == (
        "The pool was too small.\n\n```whys\nproblem: New\nwhy: Why\n"
        "factor [capacity]: Fix\n```\n\nMore prose."
    )


def test_the_html_page_draws_the_diagrams_as_svg() -> None:
    page = html_page("Checkout", with_diagrams(diagrams.parse_diagrams(EXAMPLE)))
    figures = [ET.fromstring(f) for f in re.findall(r"<figure.*?</figure>", page, re.S)]
    assert [f.findtext("figcaption") for f in figures] == ["5 Whys", "Fishbone", "Fault tree"]
    assert "cause [capacity]" not in page


def test_a_label_with_markup_stays_text_in_the_page() -> None:
    found = Diagrams(whys=(WhyChain("<script>alert(1)</script>", ("x",), Factor("y")),))
    page = html_page("T", with_diagrams(found))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_blame_in_a_diagram_is_found_at_its_line() -> None:
    text = with_diagrams(
        Diagrams(
            whys=(WhyChain("Checkout failed", ("Sam forgot to raise the pool",), Factor("x")),)
        )
    )
    found = [f for f in review(parse(text)).findings if f.category == "blame"]
    assert [text.split("\n")[f.line - 1] for f in found] == ["why: Sam forgot to raise the pool"]


def test_a_diagrams_keywords_are_not_read_as_prose() -> None:
    assert diagrams.diagram_label("pool AND(deploy, size) [capacity]: Pool exhausted") == (
        "Pool exhausted"
    )
