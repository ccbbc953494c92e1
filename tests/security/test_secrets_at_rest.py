"""Secrets written before encryption are moved and encrypted; tokens never reach the log."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from hindsight.accounts import secretbox
from hindsight.integrations.models import NotificationChannel
from hindsight.integrations.services import create_integration
from hindsight.logconfig import RedactSecrets, redact


def _migrate(*targets: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(list(targets))


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_credentials_out_of_existing_monitors() -> None:
    before = ("monitors", "0004_drop_monitor_level_leases")
    _migrate(before)
    old_state = MigrationExecutor(connection).loader.project_state(before)
    OldMonitor = old_state.apps.get_model("monitors", "Monitor")
    OldMonitor.objects.create(
        name="old",
        target="https://ops:hunter2@shop.test/",
        config={"headers": {"Authorization": "Bearer abc123"}},
    )
    _migrate(("monitors", "0005_monitor_credentials"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT target, config, credentials FROM monitors_monitor")
        target, config, stored = cursor.fetchone()
    plain = secretbox.decrypt(stored)
    assert (target, "Bearer" in str(config), "hunter2" in stored, "hunter2" in plain) == (
        "https://shop.test/",
        False,
        False,
        True,
    )


def test_a_channel_secret_is_encrypted_in_the_database(db: None) -> None:
    channel = NotificationChannel.objects.create(
        name="hook", kind="webhook", target="http://127.0.0.1:9/", secret="hmac-key-1"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM integrations_notificationchannel")
        (stored,) = cursor.fetchone()
    assert ("hmac-key-1" in stored, NotificationChannel.objects.get(pk=channel.pk).secret) == (
        False,
        "hmac-key-1",
    )


def test_a_secret_encrypted_under_an_old_key_still_reads_after_rotation(settings) -> None:
    stored = secretbox.encrypt("rotate-me")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-that-is-long-enough-1234"
    assert secretbox.decrypt(stored) == "rotate-me"


def test_a_secret_under_an_unknown_key_says_how_to_recover(settings) -> None:
    stored = secretbox.encrypt("lost")
    settings.SECRET_KEY = "another-secret-key-nobody-kept-around-0000000"
    with pytest.raises(secretbox.SecretUnreadable, match="HINDSIGHT_SECRET_KEY back"):
        secretbox.decrypt(stored)


def test_a_rejected_webhook_delivery_logs_no_token(
    db: None, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    _, token = create_integration(name="am", kind="alertmanager")
    client.post(f"/integrations/hooks/alertmanager/{token}/", "not json", "application/json")
    err = capsys.readouterr().err
    assert ("Bad Request: /integrations/hooks/alertmanager/[redacted]/" in err, token in err) == (
        True,
        False,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/status/subscriptions/confirm/Zx9_abc-123/", "/status/subscriptions/confirm/[redacted]/"),
        ("Authorization: Bearer hs_abcdefghijkl", "Authorization: Bearer hs_[redacted]"),
        ("GET /incidents/12/", "GET /incidents/12/"),
    ],
)
def test_it_redacts_tokens_in_any_log_line(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_the_filter_rewrites_a_record_with_arguments() -> None:
    record = logging.LogRecord(
        "x", logging.WARNING, "f", 1, "Not Found: %s", ("/hooks/a/tok/",), None
    )
    RedactSecrets().filter(record)
    assert record.getMessage() == "Not Found: /hooks/a/[redacted]/"


def test_a_chat_webhook_url_is_encrypted_and_shown_only_by_host(
    an_admin: Any, client: Client
) -> None:
    NotificationChannel.objects.create(
        name="slack",
        kind="slack",
        target="https://hooks.slack.test/services/T0/B0/XyZsecret",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT target FROM integrations_notificationchannel")
        (stored,) = cursor.fetchone()
    client.force_login(an_admin)
    listing = client.get("/admin/integrations/notificationchannel/").content.decode()
    assert (
        "XyZsecret" in stored,
        "XyZsecret" in listing,
        "https://hooks.slack.test/…" in listing,
    ) == (
        False,
        False,
        True,
    )


def test_the_admin_never_fills_in_a_channel_secret_and_keeps_it_when_left_empty(
    an_admin: Any, client: Client
) -> None:
    channel = NotificationChannel.objects.create(
        name="hook", kind="webhook", target="http://127.0.0.1:9/", secret="hmac-key-1"
    )
    client.force_login(an_admin)
    url = f"/admin/integrations/notificationchannel/{channel.pk}/change/"
    page = client.get(url).content.decode()
    client.post(
        url,
        {
            "name": "hook 2",
            "kind": "webhook",
            "target": "http://127.0.0.1:9/",
            "secret": "",
            "enabled": "on",
        },
    )
    channel.refresh_from_db()
    assert ("hmac-key-1" in page, channel.name, channel.secret) == (False, "hook 2", "hmac-key-1")
