"""The OpenAPI document as client generators read it: with a token, valid, short ids, errors declared."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(viewer_token: str) -> dict[str, Any]:
    served = Client().get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {viewer_token}")
    assert served.status_code == 200
    return served.json()  # type: ignore[no-any-return]


def _operations(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


def test_it_serves_the_schema_to_a_bearer_token(schema: dict[str, Any]) -> None:
    assert schema["info"]["title"] == "Hindsight API"
    assert "/api/incidents/" in schema["paths"]


def test_it_refuses_the_schema_without_a_token_with_the_json_error() -> None:
    refused = Client().get("/api/openapi.json")

    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthorized"


def test_the_schema_is_valid_openapi(schema: dict[str, Any]) -> None:
    validate(schema)


def test_operation_ids_are_short_unique_names(schema: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, operation in _operations(schema)]

    assert len(ids) == len(set(ids))
    assert "list_incidents" in ids
    assert all("hindsight" not in id_ and "_api_" not in id_ for id_ in ids), ids


def test_every_operation_declares_its_errors_with_the_error_schema(
    schema: dict[str, Any],
) -> None:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for where, operation in _operations(schema):
        declared = {s: r for s, r in operation["responses"].items() if s.startswith(("4", "5"))}
        assert {"400", "401", "403", "422", "500"} <= set(declared), where
        assert all(r["content"] == error for r in declared.values()), where
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail", "code"]


def test_an_object_path_declares_404_and_a_write_declares_409(schema: dict[str, Any]) -> None:
    saving = schema["paths"]["/api/postmortems/{postmortem_id}"]["put"]["responses"]

    assert {"404", "409", "413"} <= set(saving)
    assert "not the current one" in saving["409"]["description"]
