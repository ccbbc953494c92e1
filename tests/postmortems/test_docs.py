"""The API examples in docs/postmortems.md marked `checked` are what the API answers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.accounts.services import create_token
from hindsight.core.model import SectionKind
from hindsight.postmortems import services
from hindsight.postmortems.models import PostMortem

from .conftest import with_section

DOC = Path(__file__).resolve().parents[2] / "docs" / "postmortems.md"
pytestmark = pytest.mark.django_db


def documented() -> dict[str, Any]:
    found = re.findall(r"<!-- checked: (\w+) -->\n```json\n(.*?)\n```", DOC.read_text(), re.S)
    return {name: json.loads(text) for name, text in found}


def shape(value: Any) -> Any:
    """The keys of a JSON value, all the way down (a list of objects by its first one)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value and isinstance(value[0], dict) else []
    return None


@pytest.fixture
def api(an_editor: User) -> Client:
    _, secret = create_token(username=an_editor.username, name="docs")
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def at_version_4(draft: PostMortem, an_editor: User) -> PostMortem:
    for version, words in ((1, "Fast alert."), (2, "Quick rollback."), (3, "Clear runbook.")):
        current = PostMortem.objects.get()
        text = with_section(current.body, SectionKind.WENT_WELL, words)
        services.save_body(
            postmortem=current, body=text, author=an_editor, expected_version=version
        )
    return PostMortem.objects.get()


def test_every_checked_example_is_valid_json() -> None:
    assert sorted(documented()) == ["conflict", "postmortem", "review", "revision"]


def test_the_documented_post_mortem_has_the_answers_fields(
    at_version_4: PostMortem, api: Client
) -> None:
    answer = api.get(f"/api/postmortems/{at_version_4.pk}").json()
    assert shape(answer) == shape(documented()["postmortem"])


def test_the_documented_conflict_is_the_answer_word_for_word(
    at_version_4: PostMortem, api: Client
) -> None:
    answer = api.put(
        f"/api/postmortems/{at_version_4.pk}",
        {"body": at_version_4.body + "\nMine.\n", "version": 3},
        content_type="application/json",
    )
    assert (answer.status_code, answer.json()) == (409, documented()["conflict"])


def test_the_documented_review_has_the_answers_fields(
    at_version_4: PostMortem, api: Client
) -> None:
    answer = api.get(f"/api/postmortems/{at_version_4.pk}/review").json()
    assert shape(answer) == shape(documented()["review"])


def test_the_documented_revision_has_the_answers_fields(
    at_version_4: PostMortem, api: Client
) -> None:
    answer = api.get(f"/api/postmortems/{at_version_4.pk}/revisions").json()
    assert shape(answer[-1]) == shape(documented()["revision"])
