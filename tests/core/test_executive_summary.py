"""The executive summary says what caused the incident in the team's own plain words."""

from __future__ import annotations

from hindsight.core.audience import executive_summary
from hindsight.core.parser import parse

DOCUMENT = """# Checkout 502s

## Summary

Checkout failed for 30% of customers for 50 minutes.

## Root cause analysis

A deploy doubled the workers but not the database pool, so requests queued for connections.

```fault-tree
top OR(pool): Checkout unavailable
pool: Pool exhausted
```

## Action items

- Derive the pool size from the worker count (@maria, due 2026-03-20, P1)
"""


def test_it_gives_the_root_cause_in_plain_words() -> None:
    text = executive_summary(parse(DOCUMENT))
    cause = text.split("## Root cause\n\n")[1].split("\n## ")[0]
    assert cause.strip() == (
        "A deploy doubled the workers but not the database pool, so requests queued for "
        "connections."
    )


def test_it_leaves_the_diagrams_to_the_full_version() -> None:
    assert "fault-tree" not in executive_summary(parse(DOCUMENT))
