"""Input that slips past validation and that storage refuses is a 400, never a 500."""

from __future__ import annotations

import json

import pytest
from django.db import DataError
from django.test import RequestFactory

from hindsight.web.middleware import MESSAGE, RefusedInputMiddleware


@pytest.mark.parametrize(
    "refused",
    [DataError("value too long"), OverflowError("date value out of range"), RecursionError()],
)
def test_a_page_answers_400_with_a_plain_message(refused: Exception) -> None:
    request = RequestFactory().post("/monitors/new/")
    response = RefusedInputMiddleware(lambda r: None).process_exception(request, refused)
    assert (response.status_code, response.content.decode()) == (400, MESSAGE)


def test_the_api_answers_400_with_the_json_error() -> None:
    request = RequestFactory().post("/api/monitors/")
    response = RefusedInputMiddleware(lambda r: None).process_exception(
        request, DataError("value too long for type character varying(200)")
    )
    assert response.status_code == 400
    assert json.loads(response.content) == {"detail": MESSAGE, "code": "out_of_range"}


def test_other_errors_are_left_alone() -> None:
    request = RequestFactory().get("/incidents/")
    assert RefusedInputMiddleware(lambda r: None).process_exception(request, KeyError("x")) is None
