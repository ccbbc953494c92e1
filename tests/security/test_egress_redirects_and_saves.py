"""Redirects into refused addresses, saving refused targets, and outbound webhooks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from hindsight.accounts.models import User
from hindsight.integrations.models import NotificationChannel
from hindsight.integrations.notifiers import DeliveryError, post_json
from hindsight.monitors import services
from hindsight.monitors.models import Monitor
from hindsight.probe.egress import EgressPolicy
from hindsight.probe.model import ErrorClass
from hindsight.statuspage.models import StatusPage
from hindsight.statuspage.subscribers import SubscribeError, add_webhook_subscriber

from .conftest import StubDNS
from .support import monitor_form
from .test_egress_guard import _check, _NoConnect


class Redirector:
    """A loopback server answering every request with a redirect to `location`."""

    def __init__(self) -> None:
        self.location = "/"
        self.posts = 0
        state = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.send_response(302)
                self.send_header("Location", state.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                state.posts += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def redirector() -> Iterator[Redirector]:
    server = Redirector()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.mark.parametrize(
    ("location", "resolve"),
    [
        ("http://169.254.169.254/latest/meta-data/", {}),
        ("http://metadata.google.internal/computeMetadata/v1/", {}),
        ("http://intranet.test/", {"intranet.test": ["10.0.0.5"]}),
        ("http://[fd00:ec2::254]/", {}),
    ],
)
def test_a_redirect_into_a_refused_address_is_not_followed(
    redirector: Redirector,
    monkeypatch: pytest.MonkeyPatch,
    location: str,
    resolve: dict[str, list[str]],
) -> None:
    spy = _NoConnect(monkeypatch)
    redirector.location = location
    result = _check(redirector.url, resolve)
    assert (result.error_class, result.evidence["redirects"], spy.attempts) == (
        ErrorClass.EGRESS_REFUSED,
        [location],
        ["127.0.0.1"],
    )


def test_saving_a_monitor_for_a_metadata_address_fails_with_a_clear_message(
    an_editor: User, client: Client, stub_dns: StubDNS
) -> None:
    stub_dns({"cloud.test": ["169.254.169.254"]})
    client.force_login(an_editor)
    page = client.post("/monitors/new/", monitor_form(target="http://cloud.test/")).content.decode()
    assert (
        "Refused to connect: cloud.test resolves to 169.254.169.254 is a link-local" in page,
        Monitor.objects.count(),
    ) == (True, 0)


def test_the_api_refuses_a_monitor_on_a_private_address(
    an_editor: User, client: Client, stub_dns: StubDNS
) -> None:
    client.force_login(an_editor)
    response = client.post(
        "/api/monitors/",
        {"name": "db", "kind": "tcp", "target": "10.0.0.8:5432"},
        content_type="application/json",
    )
    assert (
        response.status_code,
        "10.0.0.8 is a private or reserved address" in response.json()["detail"],
        Monitor.objects.count(),
    ) == (422, True, 0)


def test_a_private_target_saves_once_the_admin_allows_private_ranges(
    db: None, settings: Any, stub_dns: StubDNS
) -> None:
    settings.EGRESS_POLICY = EgressPolicy.from_text("loopback,private")
    monitor = services.save_monitor(monitor=Monitor(name="db", kind="tcp", target="10.0.0.8:5432"))
    assert monitor.pk is not None


def test_a_notification_channel_to_a_refused_target_does_not_validate(
    db: None, stub_dns: StubDNS
) -> None:
    stub_dns({"hooks.test": ["192.168.0.10"]})
    channel = NotificationChannel(name="x", kind="slack", target="http://hooks.test/")
    with pytest.raises(ValidationError, match="192.168.0.10 is a private or reserved address"):
        channel.full_clean()


def test_a_webhook_subscriber_on_the_metadata_address_is_refused(db: None) -> None:
    page = StatusPage.objects.create(slug="main", title="Main")
    with pytest.raises(SubscribeError, match="never allowed"):
        add_webhook_subscriber(page=page, url="http://169.254.169.254/hook")


def test_an_outbound_webhook_does_not_follow_a_redirect(redirector: Redirector) -> None:
    redirector.location = "http://127.0.0.1:1/elsewhere"
    with pytest.raises(DeliveryError, match="HTTP 302 .*redirects are not followed"):
        post_json(redirector.url, b"{}")
    assert redirector.posts == 1


def test_an_outbound_webhook_to_a_name_on_a_private_address_is_refused(
    stub_dns: StubDNS,
) -> None:
    stub_dns({"relay.test": ["10.20.30.40"]})
    with pytest.raises(DeliveryError, match="refused to send to http://relay.test/: Refused"):
        post_json("http://relay.test/", b"{}")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:25/", "ftp://x/"])
def test_an_outbound_webhook_accepts_only_http_and_https(url: str) -> None:
    with pytest.raises(DeliveryError, match="Only http:// and https://"):
        post_json(url, b"{}")
