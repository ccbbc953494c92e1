"""The post-mortems API, checked from outside exactly as issue 12 writes it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.accounts.services import create_token
from hindsight.core import formats
from hindsight.core.model import SectionKind
from hindsight.core.parser import parse
from hindsight.core.review import review
from hindsight.incidents.lifecycle import change_status
from hindsight.incidents.services import declare_incident
from hindsight.postmortems import services
from hindsight.postmortems.models import PostMortem

from .conftest import with_section

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user: User) -> None:
        _, secret = create_token(username=user.username, name="test")
        self.client = Client(headers={"Authorization": f"Bearer {secret}"})

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/postmortems{path}")

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(f"/api/postmortems{path}", body, content_type="application/json")

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"/api/postmortems{path}", body, content_type="application/json")


def _edited(draft: PostMortem) -> str:
    return with_section(draft.body, SectionKind.WENT_WELL, "The alert fired within a minute.")


def test_the_list_has_the_contracts_fields(draft: PostMortem, the_viewer: User) -> None:
    (item,) = Api(the_viewer).get("/").json()["items"]
    assert {k: item[k] for k in ("id", "incident", "title", "status", "version", "score")} == {
        "id": draft.pk,
        "incident": draft.incident_id,
        "title": "Post-mortem: Checkout 502s",
        "status": "draft",
        "version": 1,
        "score": draft.quality_score,
    }


def test_the_body_is_the_clis_markdown_with_front_matter(
    draft: PostMortem, the_viewer: User
) -> None:
    body = Api(the_viewer).get(f"/{draft.pk}").json()["body"]
    assert (body, parse(body).meta["status"]) == (draft.body, "draft")


def test_the_list_filters_by_status_and_title(
    draft: PostMortem, an_editor: User, the_viewer: User
) -> None:
    other = declare_incident(title="Search slow")
    change_status(incident=other, status="resolved", actor=an_editor)
    services.transition(postmortem=draft, to="in_review", actor=an_editor)
    api = Api(the_viewer)
    by_status = [i["title"] for i in api.get("/?status=in_review").json()["items"]]
    by_title = [i["title"] for i in api.get("/?q=search").json()["items"]]
    assert (by_status, by_title) == (["Post-mortem: Checkout 502s"], ["Post-mortem: Search slow"])


def test_the_list_filters_what_is_overdue(draft: PostMortem, the_viewer: User) -> None:
    # Resolved on 2026-03-01 and due 48 hours later: long overdue.
    assert [i["id"] for i in Api(the_viewer).get("/?due=overdue").json()["items"]] == [draft.pk]


def test_a_put_with_the_current_version_answers_200_and_the_new_version(
    draft: PostMortem, an_editor: User
) -> None:
    answer = Api(an_editor).put(f"/{draft.pk}", {"body": _edited(draft), "version": 1})
    assert (answer.status_code, answer.json()["version"]) == (200, 2)


def test_a_put_with_a_stale_version_answers_409_with_the_current_version(
    draft: PostMortem, an_editor: User
) -> None:
    api = Api(an_editor)
    api.put(f"/{draft.pk}", {"body": _edited(draft), "version": 1})
    answer = api.put(f"/{draft.pk}", {"body": draft.body + "\nMine.\n", "version": 1})
    body = answer.json()
    assert (answer.status_code, body["code"], body["current_version"], sorted(body)) == (
        409,
        "conflict",
        2,
        ["code", "current_version", "detail"],
    )


def test_a_refused_put_stores_nothing(draft: PostMortem, an_editor: User) -> None:
    api = Api(an_editor)
    api.put(f"/{draft.pk}", {"body": _edited(draft), "version": 1})
    api.put(f"/{draft.pk}", {"body": "# Mine\n", "version": 1})
    assert (PostMortem.objects.get().version, "# Mine" in PostMortem.objects.get().body) == (
        2,
        False,
    )


def test_a_viewer_may_not_put(draft: PostMortem, the_viewer: User) -> None:
    answer = Api(the_viewer).put(f"/{draft.pk}", {"body": _edited(draft), "version": 1})
    assert (answer.status_code, answer.json()) == (
        403,
        {"detail": "This needs the editor role.", "code": "forbidden"},
    )


def test_a_huge_body_answers_413(draft: PostMortem, an_editor: User) -> None:
    huge = draft.body + "x" * services.MAX_BODY_CHARS
    answer = Api(an_editor).put(f"/{draft.pk}", {"body": huge, "version": 1})
    assert (answer.status_code, answer.json()["code"]) == (413, "too_large")


def test_an_unknown_field_answers_422(draft: PostMortem, an_editor: User) -> None:
    answer = Api(an_editor).put(f"/{draft.pk}", {"body": "x", "version": 1, "force": True})
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid")


def test_without_a_token_the_answer_is_401(draft: PostMortem) -> None:
    assert Client().get(f"/api/postmortems/{draft.pk}").json()["code"] == "unauthorized"


def test_a_restricted_incidents_post_mortem_is_not_found_for_a_viewer(
    draft: PostMortem, the_viewer: User
) -> None:
    type(draft.incident).objects.filter(pk=draft.incident_id).update(restricted=True)
    answer = Api(the_viewer).get(f"/{draft.pk}")
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


def test_the_review_is_the_clis_json_for_one_file(draft: PostMortem, the_viewer: User) -> None:
    report = review(parse(draft.body))
    cli = json.loads(formats.to_json([formats.FileReport("pm.md", report)]))["files"][0]
    answer = Api(the_viewer).get(f"/{draft.pk}/review").json()
    assert answer == {"score": cli["score"], "findings": cli["findings"]}


def test_the_revisions_have_one_entry_per_saved_version(draft: PostMortem, an_editor: User) -> None:
    api = Api(an_editor)
    api.put(f"/{draft.pk}", {"body": _edited(draft), "version": 1})
    entries = api.get(f"/{draft.pk}/revisions").json()
    assert [(e["version"], e["author"]) for e in entries] == [(1, "ed-editor"), (2, "ed-editor")]


def test_one_revision_has_its_text(draft: PostMortem, an_editor: User) -> None:
    assert Api(an_editor).get(f"/{draft.pk}/revisions/1").json()["body"] == draft.body


def test_the_transitions_take_it_to_published(
    draft: PostMortem, an_editor: User, another_editor: User
) -> None:
    statuses = [
        Api(user).post(f"/{draft.pk}/transition", {"to": to}).json()["status"]
        for user, to in [
            (an_editor, "in_review"),
            (another_editor, "approved"),
            (an_editor, "published"),
        ]
    ]
    assert statuses == ["in_review", "approved", "published"]


def test_a_transition_that_is_not_allowed_answers_409(draft: PostMortem, an_editor: User) -> None:
    answer = Api(an_editor).post(f"/{draft.pk}/transition", {"to": "published"})
    assert (answer.status_code, answer.json()["code"]) == (409, "conflict")


def test_the_only_author_approving_answers_403(draft: PostMortem, an_editor: User) -> None:
    api = Api(an_editor)
    api.post(f"/{draft.pk}/transition", {"to": "in_review"})
    answer = api.post(f"/{draft.pk}/transition", {"to": "approved"})
    assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")


def test_submitting_names_the_reviewers(
    draft: PostMortem, an_editor: User, a_responder: User
) -> None:
    answer = Api(an_editor).post(
        f"/{draft.pk}/transition", {"to": "in_review", "reviewers": [a_responder.username]}
    )
    assert answer.json()["reviewers"] == ["rita-responder"]


def test_an_unknown_reviewer_is_refused(draft: PostMortem, an_editor: User) -> None:
    answer = Api(an_editor).post(
        f"/{draft.pk}/transition", {"to": "in_review", "reviewers": ["nobody"]}
    )
    assert (answer.status_code, answer.json()["detail"]) == (400, "No active user named nobody.")


def test_a_body_over_the_request_size_limit_answers_413_json(
    draft: PostMortem, an_editor: User
) -> None:
    huge = "x" * 3_000_000  # more than Django reads into memory at all
    answer = Api(an_editor).put(f"/{draft.pk}", {"body": huge, "version": 1})
    assert (answer.status_code, answer.json()["code"], PostMortem.objects.get().version) == (
        413,
        "too_large",
        1,
    )
