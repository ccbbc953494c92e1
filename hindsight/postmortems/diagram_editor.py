"""Drawing the root-cause diagrams from the editor's rows: each button is an edit of the
Markdown of the Root cause analysis section, saved like any other change.

Ops: `whys-add`, `whys-remove:N`, `bone-add`, `bone-remove:C:N`, `bone-rename:C`, `tree-add`,
`tree-remove:ID`.
The saved text is checked (core.diagram_checks.check) before anything is stored.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from django.http import QueryDict

from hindsight.core import diagram_svg, diagrams
from hindsight.core.diagrams import Category, Diagrams, Factor, FaultNode, FaultTree, Fishbone
from hindsight.core.factors import VOCABULARY
from hindsight.core.model import SectionKind
from hindsight.core.outline import Outline
from hindsight.postmortems.editor import EditError, part_index, with_part

OPS = ("whys-", "bone-", "tree-")
NOTES = {
    "whys-add": "Added a 5 Whys chain",
    "whys-remove": "Removed a 5 Whys chain",
    "bone-add": "Added a fishbone cause",
    "bone-remove": "Removed a fishbone cause",
    "bone-rename": "Renamed a fishbone category",
    "tree-add": "Added a fault tree event",
    "tree-remove": "Removed a fault tree event",
}


def _text(data: QueryDict, name: str, what: str) -> str:
    value = diagrams.clean(data.get(name, ""))
    if not value:
        raise EditError(f"Write {what} first. Nothing was saved.")
    if len(value) > diagrams.MAX_TEXT:
        raise EditError(f"Keep {what} under {diagrams.MAX_TEXT} characters. Nothing was saved.")
    return value


def _tag(data: QueryDict, name: str) -> str:
    tag = data.get(name, "")
    if tag and tag not in {t.tag for t in VOCABULARY}:
        raise EditError("Choose the factor's tag from the list. Nothing was saved.")
    return tag


def _add_chain(found: Diagrams, data: QueryDict) -> Diagrams:
    problem = _text(data, "why-problem", "the problem the chain explains")
    whys = tuple(diagrams.clean(line) for line in data.get("why-whys", "").split("\n"))
    whys = tuple(why for why in whys if why)
    if not whys:
        raise EditError('Answer "why?" at least once (one answer a line). Nothing was saved.')
    factor = Factor(
        _text(data, "why-factor", "the contributing factor the chain ends in"),
        _tag(data, "why-tag"),
    )
    chain = diagrams.WhyChain(problem, whys, factor)
    return replace(found, whys=(*found.whys, chain))


def _add_cause(found: Diagrams, data: QueryDict) -> Diagrams:
    name = _text(data, "bone-category", "the cause's category")
    cause = Factor(_text(data, "bone-cause", "the cause"), _tag(data, "bone-tag"))
    bone = found.fishbone or Fishbone()
    effect = diagrams.clean(data.get("bone-effect", "")) or bone.effect
    categories = list(bone.categories)
    for index, category in enumerate(categories):
        if category.name.lower() == name.lower():
            categories[index] = Category(category.name, (*category.causes, cause))
            break
    else:
        categories.append(Category(name, (cause,)))
    return replace(found, fishbone=Fishbone(effect, tuple(categories)))


def _remove_cause(found: Diagrams, value: str) -> Diagrams:
    bone = found.fishbone or Fishbone()
    try:
        at, number = (int(v) for v in value.split(":"))
        category = bone.categories[at]
        category.causes[number]
    except (ValueError, IndexError):
        raise EditError("That cause is no longer in the fishbone; reload.") from None
    causes = category.causes[:number] + category.causes[number + 1 :]
    # A category without causes is refused: removing its last cause removes it.
    categories = list(bone.categories)
    if causes:
        categories[at] = Category(category.name, causes)
    else:
        del categories[at]
    return replace(found, fishbone=Fishbone(bone.effect, tuple(categories)) if categories else None)


def _rename_category(found: Diagrams, value: str, data: QueryDict) -> Diagrams:
    bone = found.fishbone or Fishbone()
    try:
        at = int(value)
        category = bone.categories[at]
    except (ValueError, IndexError):
        raise EditError("That category is no longer in the fishbone; reload.") from None
    name = _text(data, f"bone-name-{at}", "the category's new name")
    if any(c.name.lower() == name.lower() for i, c in enumerate(bone.categories) if i != at):
        raise EditError(f'The fishbone already has a category "{name}". Nothing was saved.')
    categories = list(bone.categories)
    categories[at] = Category(name, category.causes)
    return replace(found, fishbone=Fishbone(bone.effect, tuple(categories)))


def _new_id(label: str, taken: set[str]) -> str:
    base = "-".join(re.findall(r"[a-z0-9]+", label.lower())[:3])[:30] or "event"
    if not base[0].isalnum():
        base = "e" + base
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _add_event(found: Diagrams, data: QueryDict) -> Diagrams:
    label = _text(data, "tree-label", "the event")
    gate = data.get("tree-gate", "")
    if gate not in ("", *diagrams.GATES):
        raise EditError("Choose the gate from the list. Nothing was saved.")
    tree = found.fault_tree or FaultTree()
    taken = {node.id for node in tree.nodes}
    node = FaultNode(_new_id(label, taken), label, gate, (), _tag(data, "tree-tag"))
    if not tree.nodes:
        return replace(found, fault_tree=FaultTree((node,)))
    parent = data.get("tree-parent", "")
    nodes = list(tree.nodes)
    for index, candidate in enumerate(nodes):
        if candidate.id == parent:
            if not candidate.gate:
                raise EditError(
                    f'"{candidate.label}" is a basic event; add the new event under a gate '
                    "(AND or OR). Nothing was saved."
                )
            nodes[index] = replace(candidate, children=(*candidate.children, node.id))
            break
    else:
        raise EditError("Choose the gate the new event leads into. Nothing was saved.")
    return replace(found, fault_tree=FaultTree((*nodes, node)))


def _remove_event(found: Diagrams, node_id: str) -> Diagrams:
    """Take the event out, with what only it led to."""
    tree = found.fault_tree or FaultTree()
    if node_id not in tree.by_id:
        raise EditError("That event is no longer in the fault tree; reload.")
    kept = [
        replace(n, children=tuple(c for c in n.children if c != node_id))
        for n in tree.nodes
        if n.id != node_id
    ]
    if not kept or tree.nodes[0].id == node_id:
        return replace(found, fault_tree=None)
    reached, todo = {kept[0].id}, [kept[0]]
    by_id = {n.id: n for n in kept}
    while todo:
        for child in todo.pop().children:
            if child in by_id and child not in reached:
                reached.add(child)
                todo.append(by_id[child])
    remaining = FaultTree(tuple(n for n in kept if n.id in reached))
    return replace(found, fault_tree=remaining)


def edit(draft: Outline, op: str, data: QueryDict) -> Outline:
    """The outline after one diagram button: its Root cause analysis section rewritten."""
    index = part_index(draft, SectionKind.ROOT_CAUSE)
    body = draft.parts[index].body
    found = diagrams.parse_diagrams(body)
    action, _, value = op.partition(":")
    if action == "whys-add":
        found = _add_chain(found, data)
    elif action == "whys-remove":
        try:
            number = int(value)
            found.whys[number]
        except (ValueError, IndexError):
            raise EditError("That chain is no longer in the text; reload.") from None
        found = replace(found, whys=found.whys[:number] + found.whys[number + 1 :])
    elif action == "bone-add":
        found = _add_cause(found, data)
    elif action == "bone-remove":
        found = _remove_cause(found, value)
    elif action == "bone-rename":
        found = _rename_category(found, value, data)
    elif action == "tree-add":
        found = _add_event(found, data)
    elif action == "tree-remove":
        found = _remove_event(found, value)
    else:
        raise EditError("Unknown diagram edit; reload the page.")
    return with_part(draft, index, diagrams.set_diagrams(body, found))


def context(draft: Outline, title: str) -> dict[str, Any]:
    """What the diagram panel shows: each diagram drawn, its rows, the choices for new rows."""
    parts = [p for p in draft.parts if p.kind is SectionKind.ROOT_CAUSE]
    found = diagrams.parse_diagrams(parts[0].body) if parts else Diagrams()
    tree = found.fault_tree or FaultTree()
    names = [c.name for c in (found.fishbone.categories if found.fishbone else ())]
    return {
        "found": found,
        "svg": {
            "whys": diagram_svg.whys_svg(found.whys) if found.whys else "",
            "fishbone": diagram_svg.fishbone_svg(found.fishbone, title) if found.fishbone else "",
            "fault_tree": diagram_svg.fault_tree_svg(tree) if tree.nodes else "",
        },
        "tags": VOCABULARY,
        "categories": list(dict.fromkeys([*names, *diagrams.CATEGORIES])),
        "gates": [n for n in tree.nodes if n.gate],
    }
