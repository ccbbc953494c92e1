"""Editors create integrations and see the URL and token once."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.incidents.models import Incident
from hindsight.integrations.models import Integration


def _login(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password="pw-" + user.username)
    return client


@pytest.mark.django_db
def test_an_editor_creates_an_integration_and_the_shown_url_works(an_editor: User) -> None:
    client = _login(an_editor)
    created = client.post("/integrations/", {"name": "Prod AM", "kind": "generic"})
    assert (created.status_code, created["Location"]) == (302, "/integrations/")
    page = client.get("/integrations/")
    html = page.content.decode()
    url = re.search(r'id="webhook-url">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    token = re.search(r'id="webhook-token">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    integration = Integration.objects.get()
    assert url == f"http://testserver/integrations/hooks/generic/{token}/"
    assert token.startswith(integration.token_prefix)
    assert token not in client.get("/integrations/").content.decode()
    response = Client().post(
        url.removeprefix("http://testserver"),
        {"status": "firing", "fingerprint": "x", "title": "Hello"},
        content_type="application/json",
    )
    assert response.status_code == 202
    assert Incident.objects.get().title == "Hello"


@pytest.mark.django_db
def test_a_responder_sees_but_cannot_create(a_responder: User) -> None:
    client = _login(a_responder)
    assert client.get("/integrations/").status_code == 200
    assert client.post("/integrations/", {"name": "x", "kind": "generic"}).status_code == 403
    assert Integration.objects.count() == 0
