"""The egress guard: which addresses Hindsight may connect to on a user's behalf.

A monitor target, a notification webhook or a subscriber's URL is chosen by a
person, so without a guard Hindsight would fetch whatever they point it at:
the cloud's metadata service (credentials), the admin port of a database on
the private network, the app itself on loopback. The guard resolves the name,
judges every address it got, and the caller connects to an address the guard
passed — never to the name again, so a DNS answer that changes between check
and connect (rebinding) cannot slip through.

- Always refused: link-local (169.254.0.0/16, fe80::/10, where the metadata
  services live), the AWS IPv6 metadata address fd00:ec2::254, Alibaba's
  100.100.100.200, unspecified/multicast/broadcast addresses, and names such
  as ``metadata.google.internal``.
- Refused unless allowed (``EgressPolicy.allow``): loopback, private ranges
  (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10 shared address space) and
  any other reserved range.

Pure: no Django. ``hindsight.egress`` reads the policy from the settings.
"""

from __future__ import annotations

import asyncio
import http.client
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# (family, address) pairs, as getaddrinfo gives them.
Resolved = list[tuple[int, str]]
Resolver = Callable[[str, int], Resolved]
AsyncResolver = Callable[[str, int], Awaitable[Resolved]]

ALWAYS_REFUSED: tuple[Network, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "169.254.0.0/16",  # IPv4 link-local: AWS, GCP, Azure, OpenStack metadata
        "fe80::/10",  # IPv6 link-local
        "fd00:ec2::254/128",  # AWS metadata over IPv6
        "100.100.100.200/32",  # Alibaba Cloud metadata
        "0.0.0.0/8",  # "this host": connects to loopback on Linux
        "::/128",
        "224.0.0.0/4",  # multicast
        "ff00::/8",
        "255.255.255.255/32",
    )
)
METADATA_NAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.internal",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
LOOPBACK: tuple[Network, ...] = (
    ipaddress.ip_network("127.0.0.0/8"),
    ipaddress.ip_network("::1/128"),
)
PRIVATE: tuple[Network, ...] = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "100.64.0.0/10")
)
# Words HINDSIGHT_EGRESS_ALLOW accepts besides CIDR ranges.
NAMED_RANGES: dict[str, tuple[Network, ...]] = {"loopback": LOOPBACK, "private": PRIVATE}


class EgressRefused(OSError):
    """The target resolves to an address Hindsight must not connect to; says which and why."""


def parse_allow(text: str) -> tuple[Network, ...]:
    """Parse 'loopback,private,10.1.0.0/16' into networks; raise ValueError naming a bad item."""
    networks: list[Network] = []
    for item in (part.strip().lower() for part in text.split(",")):
        if not item or item == "none":
            continue
        if item in NAMED_RANGES:
            networks.extend(NAMED_RANGES[item])
            continue
        try:
            network = ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(
                f"{item!r} is neither 'loopback', 'private' nor an address range like 10.0.0.0/8"
            ) from None
        if any(network.overlaps(bad) for bad in ALWAYS_REFUSED):
            raise ValueError(f"{item} overlaps link-local or metadata addresses, never allowed")
        networks.append(network)
    return tuple(networks)


@dataclass(frozen=True)
class EgressPolicy:
    """Which non-public ranges an admin allows; link-local and metadata never are."""

    allow: tuple[Network, ...] = LOOPBACK

    @classmethod
    def from_text(cls, text: str) -> EgressPolicy:
        return cls(allow=parse_allow(text))

    def refusal(self, address: str) -> str | None:
        """Why connecting to this IP address is refused, or None when it is allowed."""
        try:
            ip: Address = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return f"{address!r} is not an IP address"
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # ::ffff:169.254.169.254 is 169.254.169.254
        if any(ip in net for net in ALWAYS_REFUSED):
            return f"{ip} is a link-local, metadata or broadcast address, never allowed"
        if any(ip in net for net in self.allow):
            return None
        if ip.is_loopback:
            return f"{ip} is a loopback address (allow it with HINDSIGHT_EGRESS_ALLOW=loopback)"
        if not ip.is_global:
            return (
                f"{ip} is a private or reserved address "
                "(allow it with HINDSIGHT_EGRESS_ALLOW=private or its range)"
            )
        return None


def name_refusal(host: str) -> str | None:
    """Why this host name is refused before it is even resolved, or None."""
    name = host.strip().rstrip(".").lower()
    if name in METADATA_NAMES:
        return f"{host} is a cloud metadata service, never allowed"
    return None


def system_resolver(host: str, port: int) -> Resolved:
    """The operating system's answer for host:port, as (family, address) pairs."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys((int(family), str(addr[0])) for family, *_, addr in infos))


def numeric(host: str) -> Resolved | None:
    """A literal IP host as a resolved list, or None for a name."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    return [(socket.AF_INET6 if ip.version == 6 else socket.AF_INET, str(ip))]


def admitted(host: str, resolved: Iterable[tuple[int, str]], policy: EgressPolicy) -> Resolved:
    """The addresses of ``host`` that may be connected to; EgressRefused when none may."""
    problem = name_refusal(host)
    if problem:
        raise EgressRefused(problem)
    resolved = list(resolved)
    allowed = [(family, addr) for family, addr in resolved if policy.refusal(addr) is None]
    if allowed:
        return allowed
    if not resolved:
        raise EgressRefused(f"{host} has no address")
    reason = policy.refusal(resolved[0][1])
    shown = "" if numeric(host) else f"{host} resolves to "
    raise EgressRefused(f"Refused to connect: {shown}{reason}")


@dataclass(frozen=True)
class Guard:
    """A policy plus the resolver to use; the probe session and outbound requests hold one."""

    policy: EgressPolicy = field(default_factory=EgressPolicy)
    resolver: Resolver = system_resolver
    # Set by tests to answer without the OS; when None, the sync resolver runs in a thread.
    async_resolver: AsyncResolver | None = None

    def addresses(self, host: str, port: int) -> Resolved:
        """Resolve and judge host:port; the admitted addresses, or EgressRefused."""
        host = host.strip("[]")
        problem = name_refusal(host)
        if problem:
            raise EgressRefused(problem)
        return admitted(host, numeric(host) or self.resolver(host, port), self.policy)

    async def addresses_async(self, host: str, port: int) -> Resolved:
        """``addresses`` without blocking the event loop."""
        host = host.strip("[]")
        problem = name_refusal(host)
        if problem:
            raise EgressRefused(problem)
        found = numeric(host)
        if found is None:
            if self.async_resolver is not None:
                found = await self.async_resolver(host, port)
            elif self.resolver is system_resolver:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
                )
                found = list(dict.fromkeys((int(f), str(a[0])) for f, *_, a in infos))
            else:
                found = self.resolver(host, port)
        return admitted(host, found, self.policy)

    def url_refusal(self, url: str) -> str | None:
        """Why a request to this URL would be refused, or None (an unresolvable name is not
        refused here: it may resolve later, and the check at connect time still applies)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return "Only http:// and https:// URLs are allowed"
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return "The URL's port is not a number between 0 and 65535"
        return self.host_refusal(parts.hostname or "", port)

    def host_refusal(self, host: str, port: int) -> str | None:
        """Why connecting to host:port would be refused, or None."""
        if not host:
            return "The URL has no host"
        try:
            self.addresses(host, port)
        except EgressRefused as exc:
            return str(exc)
        except OSError:
            return None  # unresolvable now; judged again at connect time
        return None


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes  # the first bytes only
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case


class _GuardedHTTP(http.client.HTTPConnection):
    guard: Guard

    def connect(self) -> None:
        self.sock = _connect(self.guard, self.host, self.port, self.timeout)


class _GuardedHTTPS(http.client.HTTPSConnection):
    guard: Guard

    def connect(self) -> None:
        sock = _connect(self.guard, self.host, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _connect(guard: Guard, host: str, port: int, timeout: float | None) -> socket.socket:
    error: OSError | None = None
    for family, address in guard.addresses(host, port):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect((address, port))
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    raise error or OSError(f"No address to connect to for {host}")


def request(
    method: str,
    url: str,
    *,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    guard: Guard,
    timeout: float = 10.0,
    ssl_context: ssl.SSLContext | None = None,
    read_limit: int = 1024,
) -> Reply:
    """Send one HTTP request through the guard: http/https only, no redirects followed.

    The connection goes to an address the guard admitted; a 3xx answer is
    returned as it is (a redirect into the private network is never taken).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EgressRefused(f"Only http:// and https:// URLs with a host are allowed, not {url!r}")
    connection: _GuardedHTTP | _GuardedHTTPS
    if parts.scheme == "https":
        connection = _GuardedHTTPS(
            parts.hostname,
            parts.port,
            timeout=timeout,
            context=ssl_context or ssl.create_default_context(),
        )
    else:
        connection = _GuardedHTTP(parts.hostname, parts.port, timeout=timeout)
    connection.guard = guard
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        answer = {name.lower(): value for name, value in response.getheaders()}
        return Reply(status=response.status, body=response.read(read_limit), headers=answer)
    finally:
        connection.close()
