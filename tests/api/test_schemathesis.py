"""Schemathesis against the served OpenAPI schema: no 5xx, every error is {"detail", "code"}.

Bounded and deterministic: a few examples per operation, derandomized, so a
failure reproduces. Run on SQLite and on PostgreSQL (HINDSIGHT_TEST_DATABASE_URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings

from hindsight.accounts.models import User
from hindsight.accounts.services import create_token
from hindsight.incidents.services import append_event, declare_incident

EXAMPLES_PER_OPERATION = 8


@pytest.fixture
def served_schema(db: None, an_editor: User) -> Iterator[Any]:
    browser = Client()
    browser.force_login(an_editor)
    served = browser.get("/api/openapi.json")
    assert served.status_code == 200
    schema = schemathesis.openapi.from_dict(served.json())
    schema.app = get_wsgi_application()
    # As Django's test client does: the test's transaction keeps its connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schema
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def editor_token(an_editor: User) -> str:
    incident = declare_incident(title="Checkout down")
    append_event(incident=incident, text="Rolled back", kind="note", source="manual")
    return create_token(username=an_editor.username, name="schemathesis")[1]


BOUNDS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def test_the_api_never_answers_5xx_and_errors_have_one_shape(
    served_schema: Any, editor_token: str
) -> None:
    operations = [result.ok() for result in served_schema.get_all_operations()]
    served = {
        f"{method.upper()} {path}"
        for path, item in served_schema.raw_schema["paths"].items()
        for method in item
        if method in {"get", "put", "post", "delete", "patch", "head", "options"}
    }
    assert {f"{op.method.upper()} {op.path}" for op in operations} == served
    called: set[str] = set()
    for operation in operations:

        @BOUNDS
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {editor_token}"})
            called.add(f"{case.method.upper()} {case.operation.path}")
            where = f"{case.method} {case.formatted_path}"
            assert response.status_code < 500, f"{where}: {response.text[:500]}"
            if response.status_code >= 400:
                body = response.json()
                assert {"detail", "code"} <= set(body), f"{where}: {body}"

        call()
    assert called == served, "every operation of the served schema was called"


def test_an_unknown_api_path_is_a_json_404(client: Client) -> None:
    response = client.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "No API endpoint at /api/no/such/thing.",
        "code": "not_found",
    }


def test_a_missing_object_is_a_json_404_with_a_code(an_editor: User) -> None:
    token = create_token(username=an_editor.username, name="t")[1]
    response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/incidents/999999")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "No such object, or you may not see it.",
        "code": "not_found",
    }
