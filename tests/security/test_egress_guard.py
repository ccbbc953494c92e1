"""The egress guard: link-local and metadata never, private and loopback only when allowed,
judged after DNS on the address actually connected to, and on every redirect.

Every name here is answered by a stub resolver; no test sends traffic anywhere but loopback.
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

import pytest

from hindsight.config import ConfigError, egress_policy
from hindsight.probe import wire
from hindsight.probe.egress import EgressPolicy, EgressRefused, Guard
from hindsight.probe.model import CheckSpec, ErrorClass
from hindsight.probe.runner import run_check
from hindsight.probe.wire import Session

DEFAULT = EgressPolicy.from_text("loopback")


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",
        "fe80::1",
        "fd00:ec2::254",
        "100.100.100.200",
        "::ffff:169.254.169.254",
        "0.0.0.0",
    ],
)
def test_link_local_and_metadata_addresses_are_refused_even_when_everything_is_allowed(
    address: str,
) -> None:
    everything = EgressPolicy(
        allow=(ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))
    )
    assert "never allowed" in (everything.refusal(address) or "")


@pytest.mark.parametrize(
    "address", ["10.0.0.5", "172.16.3.4", "192.168.1.1", "fd12::1", "100.64.0.1"]
)
def test_private_addresses_are_refused_by_default(address: str) -> None:
    assert "HINDSIGHT_EGRESS_ALLOW=private" in (DEFAULT.refusal(address) or "")


def test_private_addresses_are_allowed_when_the_admin_says_so() -> None:
    assert EgressPolicy.from_text("private").refusal("10.0.0.5") is None


def test_loopback_is_allowed_by_the_embedded_default() -> None:
    assert (DEFAULT.refusal("127.0.0.1"), DEFAULT.refusal("::1")) == (None, None)


def test_loopback_is_refused_when_the_admin_allows_nothing() -> None:
    assert "loopback" in (EgressPolicy.from_text("none").refusal("127.0.0.1") or "")


def test_a_public_address_is_allowed() -> None:
    assert DEFAULT.refusal("93.184.216.34") is None


def test_a_metadata_name_is_refused_before_it_is_resolved() -> None:
    def never(host: str, port: int) -> list[tuple[int, str]]:
        raise AssertionError("resolved a metadata name")

    refusal = Guard(resolver=never).url_refusal("http://metadata.google.internal/computeMetadata/")
    assert refusal == "metadata.google.internal is a cloud metadata service, never allowed"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("169.254.0.0/16", "never allowed"),
        ("intranet", "neither 'loopback', 'private' nor an address range"),
    ],
)
def test_a_bad_egress_setting_stops_startup_with_its_name(raw: str, message: str) -> None:
    with pytest.raises(ConfigError, match=f"HINDSIGHT_EGRESS_ALLOW: .*{message}"):
        egress_policy({"HINDSIGHT_EGRESS_ALLOW": raw})


def test_a_name_resolving_to_several_addresses_is_refused_when_all_are_refused() -> None:
    guard = Guard(resolver=lambda h, p: [(2, "10.0.0.1"), (2, "169.254.169.254")])
    with pytest.raises(EgressRefused, match="internal.test resolves to 10.0.0.1"):
        guard.addresses("internal.test", 80)


def test_only_the_admitted_addresses_of_a_mixed_answer_are_used() -> None:
    guard = Guard(resolver=lambda h, p: [(2, "169.254.169.254"), (2, "127.0.0.1")])
    assert guard.addresses("mixed.test", 80) == [(2, "127.0.0.1")]


class _NoConnect:
    """Fails the test if the check tries to connect to anything but loopback."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.attempts: list[str] = []
        real = wire._connect

        async def guarded(loop: Any, reader: Any, addresses: Any, port: int, *rest: Any) -> Any:
            for _, address in addresses:
                assert address.startswith("127."), f"tried to connect to {address}"
                self.attempts.append(address)
            return await real(loop, reader, addresses, port, *rest)

        monkeypatch.setattr(wire, "_connect", guarded)


def _check(url: str, resolve: dict[str, list[str]], policy: EgressPolicy = DEFAULT) -> Any:
    def resolver(host: str, port: int) -> list[tuple[int, str]]:
        return [(2, a) for a in resolve[host]]

    async def run() -> Any:
        session = Session(guard=Guard(policy=policy, resolver=resolver))
        return await run_check(CheckSpec(kind="http", url=url, timeout=5), session=session)

    return asyncio.run(run())


def test_a_check_of_a_name_that_resolves_to_the_metadata_address_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spy = _NoConnect(monkeypatch)
    result = _check(
        "http://innocent.test/latest/meta-data/", {"innocent.test": ["169.254.169.254"]}
    )
    assert (result.error_class, result.reason, spy.attempts) == (
        ErrorClass.EGRESS_REFUSED,
        "Refused to connect: innocent.test resolves to 169.254.169.254 is a link-local, "
        "metadata or broadcast address, never allowed",
        [],
    )


def test_a_check_of_a_private_address_is_refused_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spy = _NoConnect(monkeypatch)
    result = _check("http://10.1.2.3:8080/admin", {})
    assert (result.error_class, spy.attempts) == (ErrorClass.EGRESS_REFUSED, [])


def test_a_check_connects_to_the_address_the_guard_judged_not_to_the_name(
    monkeypatch: pytest.MonkeyPatch, free_port: int
) -> None:
    spy = _NoConnect(monkeypatch)
    _check(f"http://shop.test:{free_port}/", {"shop.test": ["127.0.0.7"]})
    assert spy.attempts == ["127.0.0.7"]


def test_the_answer_given_at_check_time_is_judged_not_the_one_given_when_saved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Saved while "rebind.test" pointed at a public address; now it points at loopback,
    # which this install does not allow.
    spy = _NoConnect(monkeypatch)
    result = _check(
        "http://rebind.test/", {"rebind.test": ["127.0.0.1"]}, EgressPolicy.from_text("none")
    )
    assert (result.error_class, spy.attempts) == (ErrorClass.EGRESS_REFUSED, [])
