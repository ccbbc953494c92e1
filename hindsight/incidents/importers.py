"""Timeline importers (chat exports, …) register here; the incident page offers each.

Importers live in higher apps (integrations); incidents only knows this registry,
so the dependency points downwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms


@dataclass(frozen=True)
class RecentImport:
    """An import run shown under the importer's form: what, how it went, where to look."""

    label: str
    state: str
    url: str


@dataclass(frozen=True)
class TimelineImporter:
    """One way to bring outside messages into an incident's timeline."""

    key: str
    label: str
    url_name: str  # reversed with the incident's pk; the view behind it does the import
    form: type[forms.Form]
    help: str
    # The incident's latest runs (imports that run in the background have a progress page).
    recent: Callable[[Any], list[RecentImport]] | None = None


_IMPORTERS: dict[str, TimelineImporter] = {}


def register(importer: TimelineImporter) -> TimelineImporter:
    """Add an importer; registering the same key twice is a programming error."""
    if importer.key in _IMPORTERS:
        raise ValueError(f"timeline importer {importer.key!r} is already registered")
    _IMPORTERS[importer.key] = importer
    return importer


def importers() -> list[TimelineImporter]:
    """Every registered importer, in registration order."""
    return list(_IMPORTERS.values())
