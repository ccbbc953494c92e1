"""What makes a root-cause diagram unusable, each problem with the line to fix.

Cycles and dangling events in a fault tree, a 5 Whys chain without its
factor, empty or repeated fishbone categories, tags outside the shared
vocabulary of contributing factors. The diagrams themselves, and how they are
read from and written to Markdown, are in ``diagrams``.
"""

from __future__ import annotations

from collections.abc import Collection

from hindsight.core.diagrams import Diagrams, FaultTree, Fishbone, Problem, WhyChain


def _check_tag(tag: str, line: int, known: Collection[str], problems: list[Problem]) -> None:
    if tag and tag not in known:
        problems.append(
            Problem(
                line,
                f'"{tag}" is not a factor tag; use one of {", ".join(sorted(known))} '
                "(or leave the tag out).",
            )
        )


def _check_whys(chains: Collection[WhyChain], known: Collection[str]) -> list[Problem]:
    problems = []
    for chain in chains:
        name = f'The 5 Whys chain "{chain.problem[:50]}"'
        if not chain.problem:
            problems.append(Problem(chain.line, "A 5 Whys chain needs the problem it explains."))
        if not chain.whys:
            problems.append(Problem(chain.line, f'{name} asks no "why:" yet; add at least one.'))
        if chain.factor is None:
            problems.append(
                Problem(
                    chain.line,
                    f"{name} has no end: finish it with the contributing factor it reaches "
                    '("factor [tag]: ...").',
                )
            )
        elif not chain.factor.text:
            problems.append(Problem(chain.line, f"{name} ends in an empty factor."))
        else:
            _check_tag(chain.factor.tag, chain.line, known, problems)
        if any(not why for why in chain.whys):
            problems.append(Problem(chain.line, f'{name} has an empty "why:"; write the answer.'))
    return problems


def _check_fishbone(fishbone: Fishbone, known: Collection[str]) -> list[Problem]:
    problems = []
    if not fishbone.categories:
        problems.append(Problem(0, "The fishbone has no categories; add one with its causes."))
    seen: set[str] = set()
    for category in fishbone.categories:
        if not category.name:
            problems.append(Problem(category.line, "A fishbone category needs a name."))
        elif category.name.lower() in seen:
            problems.append(
                Problem(category.line, f'The fishbone has the category "{category.name}" twice.')
            )
        seen.add(category.name.lower())
        if not category.causes:
            problems.append(
                Problem(
                    category.line,
                    f'The fishbone category "{category.name}" is empty: add a cause to it '
                    "or remove the category.",
                )
            )
        for cause in category.causes:
            if not cause.text:
                problems.append(Problem(category.line, f'An empty cause in "{category.name}".'))
            _check_tag(cause.tag, category.line, known, problems)
    return problems


def _cycle(tree: FaultTree) -> list[str]:
    """One cycle of the tree as the ids along it (first id repeated at the end), or []."""
    by_id = tree.by_id
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node_id: str) -> list[str]:
        state[node_id] = 1
        path.append(node_id)
        for child in by_id[node_id].children:
            if child not in by_id:
                continue
            if state.get(child) == 1:
                return [*path[path.index(child) :], child]
            if child not in state:
                found = visit(child)
                if found:
                    return found
        path.pop()
        state[node_id] = 2
        return []

    for node in tree.nodes:
        if node.id not in state:
            found = visit(node.id)
            if found:
                return found
    return []


def _check_fault_tree(tree: FaultTree, known: Collection[str]) -> list[Problem]:
    problems: list[Problem] = []
    if not tree.nodes:
        return [Problem(0, "The fault tree has no events; start with the top event.")]
    seen: set[str] = set()
    for node in tree.nodes:
        if node.id in seen:
            problems.append(Problem(node.line, f'The fault tree names "{node.id}" twice.'))
        seen.add(node.id)
        if not node.label:
            problems.append(Problem(node.line, f'The event "{node.id}" needs a description.'))
        for child in node.children:
            if child not in tree.by_id:
                problems.append(
                    Problem(
                        node.line,
                        f'"{node.id}" points at "{child}", which is not in the tree (a dangling '
                        "reference): add that event or take it out of the gate.",
                    )
                )
        _check_tag(node.tag, node.line, known, problems)
    cycle = _cycle(tree)
    if cycle:
        first = tree.by_id[cycle[0]]
        problems.append(
            Problem(
                first.line,
                f"The fault tree has a cycle ({' -> '.join(cycle)}): an event can't cause "
                "itself; take one of these links out.",
            )
        )
        return problems
    top = tree.nodes[0]
    reached = {top.id}
    todo = [top.id]
    while todo:
        for child in tree.by_id[todo.pop()].children:
            if child in tree.by_id and child not in reached:
                reached.add(child)
                todo.append(child)
    for node in tree.nodes:
        if node.id not in reached:
            problems.append(
                Problem(
                    node.line,
                    f'The event "{node.id}" is dangling: no gate below the top event '
                    f'"{top.id}" leads to it. Add it to a gate or remove it.',
                )
            )
    return problems


def check(diagrams: Diagrams, known_tags: Collection[str]) -> list[Problem]:
    """What makes the diagrams unusable, each with its line and what to do."""
    problems = _check_whys(diagrams.whys, known_tags)
    if diagrams.fishbone is not None:
        problems += _check_fishbone(diagrams.fishbone, known_tags)
    if diagrams.fault_tree is not None:
        problems += _check_fault_tree(diagrams.fault_tree, known_tags)
    return problems
