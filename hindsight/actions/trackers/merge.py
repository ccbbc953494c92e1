"""Three-way merge of an item's synced fields: what changed here, there, or on both sides.

Pure: given the values both sides agreed on at the last sync (``base``), the
values here and the values upstream, say which upstream values to take and
which fields conflict (changed on both sides to different values). A field
changed on both sides to the same value is simply agreed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FIELDS = ("status", "assignee", "due")


@dataclass
class Merge:
    take: dict[str, Any] = field(default_factory=dict)  # upstream values to apply here
    push: dict[str, Any] = field(default_factory=dict)  # local changes upstream hasn't got
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)
    agreed: dict[str, Any] = field(default_factory=dict)  # the new base

    @property
    def clean(self) -> bool:
        return not self.conflicts


def merge(base: Mapping[str, Any], here: Mapping[str, Any], there: Mapping[str, Any]) -> Merge:
    """Decide each field: take upstream's change, keep ours for pushing, or a conflict."""
    out = Merge()
    for name in FIELDS:
        if name not in there:
            continue  # the tracker has no such field (GitHub has no due date)
        old, ours, theirs = base.get(name), here.get(name), there.get(name)
        if ours == theirs:
            out.agreed[name] = ours
        elif ours == old:
            out.take[name] = theirs
            out.agreed[name] = theirs
        elif theirs == old:
            out.push[name] = ours
            out.agreed[name] = old
        else:
            out.conflicts[name] = {"here": ours, "there": theirs}
            out.agreed[name] = old
    return out
