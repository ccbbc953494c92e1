"""Failed logins are refused for a while, per user name and per client address."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hindsight.accounts.clientip import client_address
from hindsight.accounts.models import User
from hindsight.integrations import views as hook_views
from hindsight.integrations.services import create_integration


def _fail(client: Client, url: str, username: str, **extra: Any) -> int:
    response = client.post(url, {"username": username, "password": "wrong"}, **extra)
    return response.status_code


def test_a_user_name_is_locked_after_five_failures_with_a_clear_message(
    the_viewer: User, client: Client
) -> None:
    codes = [_fail(client, "/accounts/login/", the_viewer.username) for _ in range(5)]
    refused = client.post(
        "/accounts/login/", {"username": the_viewer.username, "password": "pw-vera-viewer"}
    )
    assert (codes, refused.status_code, refused["Retry-After"]) == ([200] * 4 + [429], 429, "900")
    assert "Too many failed logins" in refused.content.decode()


def test_the_lockout_follows_the_user_name_across_addresses(
    the_viewer: User, client: Client
) -> None:
    for n in range(5):
        _fail(client, "/accounts/login/", the_viewer.username, REMOTE_ADDR=f"203.0.113.{n}")
    assert _fail(client, "/accounts/login/", the_viewer.username, REMOTE_ADDR="198.51.100.9") == 429


def test_the_lockout_follows_the_address_across_user_names(db: None, client: Client) -> None:
    for n in range(5):
        _fail(client, "/accounts/login/", f"guess{n}", REMOTE_ADDR="203.0.113.7")
    assert _fail(client, "/accounts/login/", "someone-else", REMOTE_ADDR="203.0.113.7") == 429


def test_another_address_and_user_can_still_log_in(
    the_viewer: User, an_editor: User, client: Client
) -> None:
    for _ in range(5):
        _fail(client, "/accounts/login/", the_viewer.username, REMOTE_ADDR="203.0.113.7")
    response = client.post(
        "/accounts/login/",
        {"username": an_editor.username, "password": "pw-ed-editor"},
        REMOTE_ADDR="198.51.100.1",
    )
    assert response.status_code == 302


def test_the_admin_login_is_throttled_too(an_admin: User, client: Client) -> None:
    for _ in range(5):
        _fail(client, "/admin/login/", an_admin.username)
    response = client.post(
        "/admin/login/", {"username": an_admin.username, "password": "pw-ada-admin"}
    )
    assert response.status_code == 429


def test_a_client_header_is_ignored_without_a_trusted_proxy(rf: Any) -> None:
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_address(request) == "10.0.0.1"


def test_behind_a_trusted_proxy_the_address_it_appended_is_the_client(
    rf: Any, settings: Any
) -> None:
    settings.TRUSTED_PROXY = True
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert client_address(request) == "203.0.113.5"


def test_a_custom_client_address_header_can_be_trusted(rf: Any, settings: Any) -> None:
    settings.TRUSTED_PROXY, settings.CLIENT_IP_HEADER = True, "X-Real-IP"
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    assert client_address(request) == "203.0.113.9"


def test_guessing_webhook_tokens_is_rate_limited(
    db: None, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hook_views, "BAD_TOKEN_LIMIT", 3)
    codes = [
        client.post(
            f"/integrations/hooks/generic/hsi_guess{n}/", "{}", "application/json"
        ).status_code
        for n in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_a_flood_of_deliveries_to_one_integration_is_rate_limited(
    db: None, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hook_views, "ALERT_POST_LIMIT", 2)
    _, token = create_integration(name="g", kind="generic")
    responses = [
        client.post(f"/integrations/hooks/generic/{token}/", "[]", "application/json")
        for _ in range(3)
    ]
    assert [r.status_code for r in responses][-1] == 429
    assert (responses[-1].json()["code"], "Retry-After" in responses[-1]) == ("rate_limited", True)


def test_after_two_failures_the_next_try_must_wait_and_says_so(
    the_viewer: User, client: Client
) -> None:
    for _ in range(2):
        _fail(client, "/accounts/login/", the_viewer.username)
    response = client.post(
        "/accounts/login/", {"username": the_viewer.username, "password": "pw-vera-viewer"}
    )
    assert (response.status_code, "_auth_user_id" in client.session) == (200, False)
    assert "wait 1 second before trying again" in response.content.decode()


def test_once_the_pause_is_over_the_right_password_works(the_viewer: User, client: Client) -> None:
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    for _ in range(3):
        _fail(client, "/accounts/login/", the_viewer.username)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(seconds=61))
    response = client.post(
        "/accounts/login/", {"username": the_viewer.username, "password": "pw-vera-viewer"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(("failures", "wait"), [(1, 0), (2, 1), (3, 2), (4, 4), (12, 60)])
def test_the_pause_doubles_with_each_failure_up_to_a_minute(failures: int, wait: int) -> None:
    from hindsight.accounts.backends import wait_before_next_try

    assert wait_before_next_try(failures) == wait
