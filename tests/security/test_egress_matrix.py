"""Every door Hindsight sends through × every kind of address it must not reach.

Doors: a monitor's check (directly, and after a redirect), an incident
notification to a webhook, Slack or Teams channel, and a status-page webhook
subscriber (directly, and when the receiver answers with a redirect), sent by
the outbox as the worker sends them, and issue-tracker sync. Addresses: link-local and cloud metadata
(never allowed), private ranges and loopback beyond what the admin allowed.
Here the admin allows exactly ``127.0.0.1`` — where the test's own redirecting
server listens — so ``127.0.0.2`` stands for loopback that is not allowed.

Names are answered by a stub resolver, and every socket the sending code opens
is watched: a connection anywhere but 127.0.0.1 fails the test before it is
made, so no traffic ever goes to the addresses tested.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from hindsight.incidents.services import declare_incident
from hindsight.integrations.models import NotificationChannel
from hindsight.outbox.models import Delivery
from hindsight.outbox.services import deliver_due
from hindsight.probe import egress as probe_egress
from hindsight.probe.egress import EgressPolicy, Guard
from hindsight.probe.model import CheckSpec, ErrorClass
from hindsight.probe.runner import run_check
from hindsight.probe.wire import Session
from hindsight.statuspage.models import StatusPage, Subscriber
from hindsight.statuspage.services import post_update

from .conftest import StubDNS
from .support import Redirector
from .test_egress_guard import _NoConnect

ALLOWED = "127.0.0.1"
POLICY = EgressPolicy.from_text(f"{ALLOWED}/32")
TARGETS = {
    "link-local": ("169.254.169.254", "never allowed"),
    "link-local-ipv6": ("fe80::1", "never allowed"),
    "metadata-ipv6": ("fd00:ec2::254", "never allowed"),
    "metadata-alibaba": ("100.100.100.200", "never allowed"),
    "private": ("10.0.0.5", "private or reserved"),
    "private-192": ("192.168.1.20", "private or reserved"),
    "private-ipv6": ("fd12:3456::1", "private or reserved"),
    "loopback": ("127.0.0.2", "loopback address"),
}
TARGET_CASES = [pytest.param(address, why, id=name) for name, (address, why) in TARGETS.items()]


class _WatchedSockets:
    """The ``socket`` module as the guarded sender sees it: every connection attempt is
    recorded, and stopped before it happens unless it goes to the allowed address."""

    def __init__(self) -> None:
        self.attempted: list[str] = []
        watched = self

        class Socket(socket.socket):
            def connect(self, address: Any) -> None:
                watched.attempted.append(address[0])
                if address[0] != ALLOWED:
                    raise ConnectionRefusedError(f"the test stopped a connection to {address[0]}")
                super().connect(address)

        self.socket = Socket

    def __getattr__(self, name: str) -> Any:
        return getattr(socket, name)


@pytest.fixture
def sockets(monkeypatch: pytest.MonkeyPatch) -> _WatchedSockets:
    watched = _WatchedSockets()
    monkeypatch.setattr(probe_egress, "socket", watched)
    return watched


@pytest.fixture
def policy(settings: Any) -> None:
    settings.EGRESS_POLICY = POLICY


# Monitors -------------------------------------------------------------------


def _check(url: str, resolve: dict[str, list[str]]) -> Any:
    def resolver(host: str, port: int) -> list[tuple[int, str]]:
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, a) for a in resolve[host]]

    async def run() -> Any:
        session = Session(guard=Guard(policy=POLICY, resolver=resolver))
        return await run_check(CheckSpec(kind="http", url=url, timeout=5), session=session)

    return asyncio.run(run())


@pytest.mark.parametrize(("address", "why"), TARGET_CASES)
def test_a_monitor_check_of_a_name_resolving_there_is_refused_unsent(
    monkeypatch: pytest.MonkeyPatch, address: str, why: str
) -> None:
    spy = _NoConnect(monkeypatch)
    result = _check("http://target.test/", {"target.test": [address]})
    assert (result.error_class, why in result.reason, spy.attempts) == (
        ErrorClass.EGRESS_REFUSED,
        True,
        [],
    )


@pytest.mark.parametrize(("address", "why"), TARGET_CASES)
def test_a_monitor_check_redirected_there_is_refused_after_the_first_hop(
    monkeypatch: pytest.MonkeyPatch, redirector: Redirector, address: str, why: str
) -> None:
    spy = _NoConnect(monkeypatch)
    redirector.location = "http://target.test/latest/meta-data/"
    result = _check(redirector.url, {"target.test": [address]})
    assert (result.error_class, why in result.reason, spy.attempts) == (
        ErrorClass.EGRESS_REFUSED,
        True,
        [ALLOWED],
    )


# Notifications and subscriber webhooks, through the outbox ---------------------


def _notify(kind: str, url: str) -> None:
    """A channel saved when its name was fine (DNS changes later), then an incident."""
    NotificationChannel.objects.create(name=kind, kind=kind, target=url)
    declare_incident(title="Checkout down", severity="SEV2")


def _subscriber_update(url: str) -> None:
    page = StatusPage.objects.create(slug="main", title="Main", is_default=True)
    Subscriber.objects.create(
        page=page, kind="webhook", webhook_url=url, confirmed_at="2026-01-01T00:00:00Z"
    )
    incident = declare_incident(title="Checkout down", severity="SEV2")
    post_update(incident=incident, status="investigating", message="Looking into it")


def _failures() -> list[str]:
    deliver_due()
    return list(Delivery.objects.exclude(state="sent").values_list("last_error", flat=True))


CHANNELS = ["webhook", "slack", "teams"]


@pytest.mark.parametrize("kind", CHANNELS)
@pytest.mark.parametrize(("address", "why"), TARGET_CASES)
def test_a_notification_to_a_name_resolving_there_is_refused_unsent(
    db: None,
    policy: None,
    stub_dns: StubDNS,
    sockets: _WatchedSockets,
    kind: str,
    address: str,
    why: str,
) -> None:
    stub_dns({"hooks.test": [address]})
    _notify(kind, "http://hooks.test/notify")
    errors = _failures()
    assert (len(errors), all(why in e for e in errors), sockets.attempted) == (1, True, [])


@pytest.mark.parametrize("kind", CHANNELS)
@pytest.mark.parametrize(("address", "why"), TARGET_CASES)
def test_a_notification_answered_with_a_redirect_there_is_not_followed(
    db: None,
    policy: None,
    stub_dns: StubDNS,
    sockets: _WatchedSockets,
    redirector: Redirector,
    kind: str,
    address: str,
    why: str,
) -> None:
    stub_dns({"target.test": [address]})
    redirector.location = "http://target.test/"
    _notify(kind, redirector.url)
    errors = _failures()
    assert (errors, sockets.attempted, redirector.posts) == (
        [f"HTTP 302 from {redirector.url}: redirects are not followed"],
        [ALLOWED],
        1,
    )


@pytest.mark.parametrize(("address", "why"), TARGET_CASES)
def test_a_subscriber_webhook_to_a_name_resolving_there_is_refused_unsent(
    db: None, policy: None, stub_dns: StubDNS, sockets: _WatchedSockets, address: str, why: str
) -> None:
    stub_dns({"hooks.test": [address]})
    _subscriber_update("http://hooks.test/status")
    errors = _failures()
    assert (len(errors), all(why in e for e in errors), sockets.attempted) == (1, True, [])


@pytest.mark.parametrize(("address", "why"), TARGET_CASES)
def test_a_subscriber_webhook_answered_with_a_redirect_there_is_not_followed(
    db: None,
    policy: None,
    stub_dns: StubDNS,
    sockets: _WatchedSockets,
    redirector: Redirector,
    address: str,
    why: str,
) -> None:
    stub_dns({"target.test": [address]})
    redirector.location = "http://target.test/"
    _subscriber_update(redirector.url)
    assert (_failures(), sockets.attempted, redirector.posts) == (
        [f"HTTP 302 from {redirector.url}: redirects are not followed"],
        [ALLOWED],
        1,
    )


def test_the_socket_watch_stops_a_connection_to_anywhere_else(
    db: None, policy: None, stub_dns: StubDNS, sockets: _WatchedSockets, settings: Any
) -> None:
    settings.EGRESS_POLICY = EgressPolicy.from_text("loopback")
    stub_dns({"hooks.test": ["127.0.0.9"]})  # allowed now: only the watch stands in the way
    _notify("webhook", "http://hooks.test:9/")
    errors = _failures()
    assert (sockets.attempted, "the test stopped a connection to 127.0.0.9" in errors[0]) == (
        ["127.0.0.9"],
        True,
    )


@pytest.mark.parametrize("kind", ["github", "jira_cloud", "jira_server"])
@pytest.mark.parametrize(("address", "why"), TARGET_CASES)
def test_a_tracker_on_a_name_resolving_there_is_refused_unsent(
    db: None,
    policy: None,
    stub_dns: StubDNS,
    sockets: _WatchedSockets,
    kind: str,
    address: str,
    why: str,
) -> None:
    from hindsight.actions.models import Tracker
    from hindsight.actions.trackers.clients import TrackerError, client_for

    stub_dns({"tracker.test": [address]})
    tracker = Tracker.objects.create(
        name="t", kind=kind, base_url="http://tracker.test", project="OPS", user="u", token="t"
    )
    with pytest.raises(TrackerError, match=why):
        client_for(tracker).call("GET", "/issues")
    assert sockets.attempted == []
