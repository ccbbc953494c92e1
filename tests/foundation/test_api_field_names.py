"""An API field is named after its model's field, or docs/api.md's mapping table lists it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import models
from ninja import Schema

from hindsight.incidents.api import EventOut, IncidentOut
from hindsight.incidents.models import Incident, TimelineEvent
from hindsight.monitors.api import FlipOut, MonitorOut
from hindsight.monitors.models import Flip, Monitor
from hindsight.postmortems.api import PostMortemOut, RevisionBodyOut
from hindsight.postmortems.models import PostMortem, PostMortemRevision

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"

OUTPUTS: list[tuple[str, type[Schema], type[models.Model]]] = [
    ("incident", IncidentOut, Incident),
    ("timeline event", EventOut, TimelineEvent),
    ("post-mortem", PostMortemOut, PostMortem),
    ("post-mortem revision", RevisionBodyOut, PostMortemRevision),
    ("monitor", MonitorOut, Monitor),
    ("flip", FlipOut, Flip),
]


def mapped(name: str) -> set[str]:
    """The API fields the mapping table lists for one API object."""
    table = DOC.read_text().split("## API fields and model fields")[1].split("\n## ")[0]
    fields: set[str] = set()
    for row in re.findall(rf"^\| {re.escape(name)} \| (.+?) \|", table, re.M):
        fields.update(re.findall(r"`(\w+)`", row))
    return fields


@pytest.mark.parametrize(("name", "schema", "model"), OUTPUTS, ids=[o[0] for o in OUTPUTS])
def test_every_api_field_is_a_model_field_or_in_the_mapping(
    name: str, schema: type[Schema], model: type[models.Model]
) -> None:
    columns = {field.name for field in model._meta.get_fields()}
    unexplained = set(schema.model_fields) - columns - mapped(name)
    assert unexplained == set()


@pytest.mark.parametrize(("name", "schema", "model"), OUTPUTS, ids=[o[0] for o in OUTPUTS])
def test_the_mapping_lists_only_fields_the_api_has(
    name: str, schema: type[Schema], model: type[models.Model]
) -> None:
    assert mapped(name) - set(schema.model_fields) == set()
