from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.accounts.services import create_token
from hindsight.actions.models import ActionItem
from hindsight.catalog.models import Service
from hindsight.incidents.models import Incident
from hindsight.incidents.services import declare_incident

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 20)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Api:
    """The API as a client with a token sees it."""

    def __init__(self, user: User) -> None:
        _, secret = create_token(username=user.username, name="test")
        self.client = Client(headers={"Authorization": f"Bearer {secret}"})

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(f"/api/action-items{path}", query)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(f"/api/action-items{path}", body, content_type="application/json")

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(f"/api/action-items{path}", body, content_type="application/json")


@pytest.fixture
def checkout(db: None) -> Service:
    return Service.objects.create(name="Checkout", slug="checkout", owner_team="payments")


@pytest.fixture
def incident(checkout: Service) -> Incident:
    return declare_incident(
        title="Checkout 502s", severity="SEV2", services=[checkout], started_at=START
    )


def item(incident: Incident, title: str, **fields: Any) -> ActionItem:
    """An action item of the incident (P3, open, unowned unless told)."""
    return ActionItem.objects.create(incident=incident, title=title, **fields)
