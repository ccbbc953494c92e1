"""Disclosure: customer-facing text must not leak internal details (public audience only)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from hindsight.core import textutil
from hindsight.core.context import Context
from hindsight.core.registry import Hit, rule

PUBLIC = ("public",)
IPV4 = re.compile(
    r"(?<![\w.])(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}"
    r"(?:/\d{1,2})?(?!\w|\.\d)"
)
IPV6 = re.compile(r"(?<![\w:])(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}(?![\w:])", re.I)
_INTERNAL_SUFFIX = (
    r"(?:internal|local|localdomain|lan|corp|intra|intranet|home|svc|cluster\.local|private)"
)
HOSTNAME = re.compile(
    rf"\b(?:[a-z0-9-]+\.)+{_INTERNAL_SUFFIX}\b\.?|\bip-\d+-\d+-\d+-\d+\b"
    r"|\b[a-z][a-z0-9]*(?:-[a-z0-9]+)*-(?:prod|prd|stg|staging|dev|qa)-?\d+[a-z0-9-]*\b",
    re.I,
)
URL = re.compile(r"\b(?:https?|ftp)://([^/\s)>\]]+)[^\s)>\]]*", re.I)
INTERNAL_TOOLS = re.compile(
    r"(^|\.)(slack\.com|atlassian\.net|docs\.google\.com|drive\.google\.com|pagerduty\.com|"
    r"opsgenie\.com|zoom\.us|teams\.microsoft\.com|gitter\.im)$|^(localhost|jira|confluence|"
    r"grafana|kibana|wiki|intranet)\b",
    re.I,
)
CHANNEL = re.compile(r"(?<![\w&/#\](])#([a-z][a-z0-9_-]{1,79})\b")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def _public_lines(context: Context) -> Iterator[tuple[int, str]]:
    if context.document.title:
        yield context.document.title_line, context.document.title
    yield from context.lines(preamble=True)


def internal_host(host: str, extra: list[str]) -> bool:
    """Chat, tickets, internal docs, private names and addresses, or a configured domain."""
    host = host.split(":")[0].lower()
    return bool(
        INTERNAL_TOOLS.search(host)
        or HOSTNAME.fullmatch(host)
        or IPV4.fullmatch(host)
        or any(host == d or host.endswith("." + d) for d in extra if d)
    )


@rule(
    id="disclosure-ip-address",
    category="disclosure",
    severity="error",
    message="Customer-facing text contains an IP address, which maps your internal network "
    "for anyone reading.",
    suggestion='Describe the component instead ("a database server").',
    audiences=PUBLIC,
)
def ip_address(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    for line, text in _public_lines(context):
        if IPV4.search(text) or IPV6.search(text):
            yield Hit(line)


@rule(
    id="disclosure-hostname",
    category="disclosure",
    severity="error",
    message="Customer-facing text contains an internal hostname.",
    suggestion='Name the service the customer knows ("the API", "checkout") instead.',
    options={"internal_domains": []},
    audiences=PUBLIC,
)
def hostname(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    extra = [d.lower() for d in options["internal_domains"] if d]
    for line, text in _public_lines(context):
        without_urls = URL.sub(" ", text)
        words = re.findall(r"[\w.-]+", without_urls)
        if HOSTNAME.search(without_urls) or any(internal_host(w, extra) for w in words if "." in w):
            yield Hit(
                line,
                "Customer-facing text contains an internal hostname, which exposes "
                "how your systems are laid out.",
            )


@rule(
    id="disclosure-internal-url",
    category="disclosure",
    severity="error",
    message="Customer-facing text links to an internal system (chat, tickets, dashboards, "
    "internal docs) that customers can't open and shouldn't see.",
    suggestion="Remove the link, or link a public page (status page, changelog).",
    options={"internal_domains": []},
    audiences=PUBLIC,
)
def internal_url(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    extra = [d.lower() for d in options["internal_domains"] if d]
    for line, text in _public_lines(context):
        if any(internal_host(m.group(1), extra) for m in URL.finditer(text)):
            yield Hit(line)


@rule(
    id="disclosure-chat-channel",
    category="disclosure",
    severity="error",
    message="Customer-facing text names an internal chat channel.",
    suggestion='Say "our incident team" instead of the channel name.',
    audiences=PUBLIC,
)
def chat_channel(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    for line, text in _public_lines(context):
        channels = [c for c in CHANNEL.findall(URL.sub(" ", text))]
        if any(not re.fullmatch(r"[0-9a-f]{3,8}", c) for c in channels):
            yield Hit(line)


@rule(
    id="disclosure-personal-name",
    category="disclosure",
    severity="error",
    message="Customer-facing text names a person (a name, @handle or email address); public "
    "post-mortems speak for the team, and naming people exposes them.",
    suggestion='Use roles: "an engineer", "our on-call team".',
    audiences=PUBLIC,
)
def personal_name(context: Context, options: Mapping[str, Any]) -> Iterator[Hit]:
    names = {name.lower() for name in context.names}
    for line, text in _public_lines(context):
        prose = textutil.plain(text)
        words = {w.lower() for w in re.findall(r"[\w'-]+", prose)}
        if EMAIL.search(text) or textutil.handles(prose) or words & names:
            yield Hit(line)
