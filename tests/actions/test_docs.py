"""The API examples in docs/actions.md marked `checked` have the fields the API answers with."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from hindsight.accounts.models import User
from hindsight.incidents.models import Incident

from .conftest import Api, item

DOC = Path(__file__).resolve().parents[2] / "docs" / "actions.md"
pytestmark = pytest.mark.django_db


def documented() -> dict[str, Any]:
    found = re.findall(r"<!-- checked: (\w+) -->\n```json\n(.*?)\n```", DOC.read_text(), re.S)
    return {name: json.loads(text) for name, text in found}


def test_every_checked_example_is_valid_json() -> None:
    assert sorted(documented()) == ["evidence_required", "item"]


def test_the_documented_item_has_the_answers_fields(incident: Incident, a_responder: User) -> None:
    alert = item(incident, "Alert", priority="P1")
    answer = (
        Api(a_responder)
        .post(f"/{alert.pk}/close", {"evidence": {"kind": "note", "text": "ok"}})
        .json()
    )
    assert sorted(documented()["item"]) == sorted(answer)
    assert sorted(documented()["item"]["evidence"]) == sorted(answer["evidence"])


def test_the_documented_refusal_is_the_answer(incident: Incident, a_responder: User) -> None:
    alert = item(incident, "Alert", priority="P1")
    assert (
        Api(a_responder).post(f"/{alert.pk}/close", {}).json() == documented()["evidence_required"]
    )
