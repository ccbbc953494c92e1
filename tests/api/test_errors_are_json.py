"""Every error under /api/ is JSON with a code, whatever produced it."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _get(path: str, token: str) -> tuple[int, dict[str, str]]:
    answer = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer["Content-Type"].startswith("application/json")
    return answer.status_code, answer.json()


def test_a_missing_object_is_a_json_404_with_a_code(viewer_token: str) -> None:
    status, body = _get("/api/incidents/999999", viewer_token)

    assert (status, body["code"]) == (404, "not_found")
    assert body["detail"] == "No such object, or you may not see it."


def test_an_unknown_api_path_is_a_json_404_with_a_code(viewer_token: str) -> None:
    status, body = _get("/api/no/such/thing", viewer_token)

    assert (status, body["code"]) == (404, "not_found")
    assert "/api/no/such/thing" in body["detail"]


def test_a_method_an_endpoint_does_not_offer_is_a_json_405(viewer_token: str) -> None:
    answer = Client().delete("/api/incidents/", HTTP_AUTHORIZATION=f"Bearer {viewer_token}")

    assert answer.status_code == 405
    assert answer.json()["code"] == "method_not_allowed"
    assert answer["Allow"] == "GET, POST"


def test_the_api_root_points_to_the_schema_instead_of_an_html_404(viewer_token: str) -> None:
    status, body = _get("/api/", viewer_token)

    assert (status, body) == (200, {"openapi": "/api/openapi.json", "docs": "/api/docs"})
