"""A monitor's credentials are stored apart from its target, encrypted, and never shown."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from hindsight.accounts.models import User
from hindsight.monitors import services
from hindsight.monitors.config_yaml import export_monitors
from hindsight.monitors.engine import check_spec
from hindsight.monitors.models import Monitor

from .support import monitor_form

PASSWORD = "s3cret-Pa55word"
API_KEY = "key-7f3a9c1e"


def _monitor(**fields: Any) -> Monitor:
    fields.setdefault("name", "checkout")
    fields.setdefault("target", f"http://ops:{PASSWORD}@127.0.0.1:9/health")
    return services.save_monitor(monitor=Monitor(**fields))


def _raw_row(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT target, config, credentials FROM monitors_monitor WHERE id = %s", [pk]
        )
        return " ".join(str(value) for value in cursor.fetchone())


@pytest.fixture
def secret_monitor(db: None) -> Monitor:
    return _monitor(config={"headers": {"X-Api-Key": API_KEY}})


def test_it_moves_user_and_password_out_of_the_target(secret_monitor: Monitor) -> None:
    assert secret_monitor.target == "http://127.0.0.1:9/health"


def test_it_stores_no_credential_in_the_clear(secret_monitor: Monitor) -> None:
    row = _raw_row(secret_monitor.pk)
    assert (PASSWORD in row, API_KEY in row, "fernet:" in row) == (False, False, True)


def test_it_still_sends_the_credentials_with_the_check(secret_monitor: Monitor) -> None:
    stored = Monitor.objects.get(pk=secret_monitor.pk)
    headers = dict(check_spec(stored).headers)
    assert (headers["X-Api-Key"], headers["Authorization"]) == (
        API_KEY,
        "Basic b3BzOnMzY3JldC1QYTU1d29yZA==",
    )


def test_a_viewer_sees_neither_password_nor_header_on_the_pages(
    secret_monitor: Monitor, the_viewer: User, client: Client
) -> None:
    client.force_login(the_viewer)
    pages = [
        client.get("/monitors/").content,
        client.get(f"/monitors/{secret_monitor.pk}/").content,
    ]
    assert [(PASSWORD.encode() in p, API_KEY.encode() in p) for p in pages] == [(False, False)] * 2


def test_the_detail_page_says_which_credentials_are_set(
    secret_monitor: Monitor, the_viewer: User, client: Client
) -> None:
    client.force_login(the_viewer)
    page = client.get(f"/monitors/{secret_monitor.pk}/").content.decode()
    assert "user name and password set; headers set: X-Api-Key" in page


def test_the_api_says_what_is_set_and_never_the_values(
    secret_monitor: Monitor, the_viewer: User, client: Client
) -> None:
    client.force_login(the_viewer)
    body = client.get(f"/api/monitors/{secret_monitor.pk}").json()
    assert (body["target"], body["credentials"], PASSWORD in json.dumps(body)) == (
        "http://127.0.0.1:9/health",
        {"basic_auth": True, "headers": ["X-Api-Key"]},
        False,
    )


def test_the_edit_form_never_echoes_a_stored_credential(
    secret_monitor: Monitor, an_editor: User, client: Client
) -> None:
    client.force_login(an_editor)
    page = client.get(f"/monitors/{secret_monitor.pk}/edit/").content.decode()
    assert (PASSWORD in page, API_KEY in page, "Set: X-Api-Key" in page) == (False, False, True)


def test_saving_the_form_with_empty_credential_fields_keeps_them(
    secret_monitor: Monitor, an_editor: User, client: Client
) -> None:
    client.force_login(an_editor)
    response = client.post(
        f"/monitors/{secret_monitor.pk}/edit/",
        monitor_form(name="checkout renamed", target="http://127.0.0.1:9/health"),
    )
    assert response.status_code == 302
    stored = Monitor.objects.get(pk=secret_monitor.pk)
    assert (stored.name, stored.credentials["password"], stored.credentials["headers"]) == (
        "checkout renamed",
        PASSWORD,
        {"X-Api-Key": API_KEY},
    )


def test_the_api_replaces_a_password_without_showing_it(
    secret_monitor: Monitor, an_editor: User, client: Client
) -> None:
    client.force_login(an_editor)
    response = client.patch(
        f"/api/monitors/{secret_monitor.pk}",
        {"credentials": {"password": "new-one"}},
        content_type="application/json",
    )
    stored = Monitor.objects.get(pk=secret_monitor.pk)
    assert (response.status_code, "new-one" in response.content.decode()) == (200, False)
    assert (stored.credentials["username"], stored.credentials["password"]) == ("ops", "new-one")


def test_the_api_clears_credentials_on_request(
    secret_monitor: Monitor, an_editor: User, client: Client
) -> None:
    client.force_login(an_editor)
    client.patch(
        f"/api/monitors/{secret_monitor.pk}",
        {"credentials": {"clear": True}},
        content_type="application/json",
    )
    assert Monitor.objects.get(pk=secret_monitor.pk).credentials == {}


def test_the_yaml_export_leaves_credentials_out(secret_monitor: Monitor) -> None:
    exported = export_monitors()
    assert (PASSWORD in exported, API_KEY in exported, "127.0.0.1:9/health" in exported) == (
        False,
        False,
        True,
    )
