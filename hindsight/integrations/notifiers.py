"""Outbound notification formats, one notifier per channel kind.

Built-in notifiers register through ``register`` exactly as an extension
would. A notifier turns an incident message into a request (or an email) and
sends it; it raises ``DeliveryError`` with a reason a person can act on.
"""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hindsight import egress
from hindsight.integrations import signing
from hindsight.outbox.mail import build_email
from hindsight.outbox.senders import DeliveryError

__all__ = [
    "CHANNEL_KINDS",
    "ChannelKind",
    "DeliveryError",
    "Message",
    "channel_kind",
    "channel_kind_choices",
    "post_json",
    "register",
]

TIMEOUT_SECONDS = 10
SEVERITY_COLOURS = {"SEV1": "#cf222e", "SEV2": "#bc4c00", "SEV3": "#9a6700", "SEV4": "#57606a"}
RESOLVED_COLOUR = "#1a7f37"


TEST_EVENT = "notification.test"
EVENT_VERBS = {
    "incident.opened": "opened",
    "incident.resolved": "resolved",
    "incident.acknowledged": "acknowledged",
    "incident.severity_changed": "severity changed",
    "incident.commander_changed": "commander changed",
    "incident.public_update": "public update",
}


@dataclass(frozen=True)
class Message:
    """What every notifier is given: one incident event, already rendered to facts."""

    event: str  # a key of EVENT_VERBS, or "notification.test"
    incident_id: int
    title: str
    severity: str
    status: str
    services: list[str]
    url: str
    started_at: str
    resolved_at: str | None
    summary: str
    # Why this was sent: the check's error or the alert's summary when opened,
    # "old → new by whom" for a change, the public text for an update.
    reason: str = ""
    # Opens the incident's acknowledge confirmation; empty once acknowledged or ended.
    acknowledge_url: str = ""
    # The outbox delivery's id: the same on every retry, so receivers can drop repeats.
    delivery_id: str = ""

    @property
    def headline(self) -> str:
        """One line, whatever the title holds: it becomes an email subject."""
        if self.event == TEST_EVENT:
            return one_line(f"[test] {self.title}")
        verb = EVENT_VERBS.get(self.event, "opened")
        return one_line(f"[{self.severity}] Incident #{self.incident_id} {verb}: {self.title}")

    def as_fields(self) -> dict[str, Any]:
        """The facts as stored in an outbox delivery (without the delivery's own id)."""
        fields = dict(self.__dict__)
        fields.pop("delivery_id")
        return fields

    def as_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "reason": self.reason,
            "incident": {
                "id": self.incident_id,
                "title": self.title,
                "severity": self.severity,
                "status": self.status,
                "services": self.services,
                "url": self.url,
                "started_at": self.started_at,
                "resolved_at": self.resolved_at,
                "summary": self.summary,
                "acknowledge_url": self.acknowledge_url,
            },
        }


def one_line(text: str) -> str:
    """The text on one line: line breaks in a header are a refusal (or an injection)."""
    return " ".join(text.split())


def no_markup(text: str) -> str:
    """The text with &, < and > escaped: no tags, and for Slack no <!channel> or <url|label>."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(text: str) -> str:
    """Text Slack shows as written: no @channel pings, no links disguised as other text."""
    # Slack's mrkdwn control characters: everything inside <…> is a mention or a link.
    return no_markup(text)


# Markdown that changes meaning: emphasis, code, links and headings.
_TEAMS_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]()#"})


def teams_text(text: str) -> str:
    """Text Teams shows as written: Markdown and HTML in titles are escaped, not rendered."""
    return no_markup(text).translate(_TEAMS_SPECIAL)


Notifier = Callable[[str, str, Message], None]  # (target, secret, message)


@dataclass(frozen=True)
class ChannelKind:
    """A kind of notification channel, registered once: the model's choices, the
    admin's form and docs/notifications.md's table all read this registry."""

    kind: str  # stored on NotificationChannel.kind
    label: str  # shown in the admin
    send: Notifier
    url: bool = True  # the target is a URL (checked by the egress guard), not addresses


CHANNEL_KINDS: dict[str, ChannelKind] = {}


def register(kind: str, label: str = "", *, url: bool = True) -> Callable[[Notifier], Notifier]:
    """Register a notifier for a channel kind; a second notifier for one kind is an error."""

    def decorator(func: Notifier) -> Notifier:
        known = CHANNEL_KINDS.get(kind)
        if known is not None and known.send is not func:
            raise ValueError(f"channel kind {kind!r} is already registered")
        CHANNEL_KINDS[kind] = ChannelKind(kind=kind, label=label or kind, send=func, url=url)
        return func

    return decorator


def channel_kind(kind: str) -> ChannelKind | None:
    """The registered channel kind of that name, if any."""
    return CHANNEL_KINDS.get(kind)


def channel_kind_choices() -> list[tuple[str, str]]:
    """(kind, label) of every registered channel kind, in registration order."""
    return [(entry.kind, entry.label) for entry in CHANNEL_KINDS.values()]


def post_json(
    url: str,
    body: bytes,
    headers: dict[str, str] | None = None,
    *,
    timeout: float = TIMEOUT_SECONDS,
) -> None:
    """POST a JSON body through the egress guard; anything but a 2xx is a DeliveryError.

    Redirects are not followed (a 3xx is a failure), so a receiver cannot bounce
    Hindsight into the private network.
    """
    try:
        reply = egress.send(
            url,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Hindsight",
                **(headers or {}),
            },
            timeout=timeout,
        )
    except egress.EgressRefused as exc:
        # The address itself is refused: no use waiting for the destination to come back.
        raise DeliveryError(f"refused to send to {url}: {exc}", destination_down=False) from None
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"could not reach {url}: {exc}") from None
    if 300 <= reply.status < 400:
        raise DeliveryError(
            f"HTTP {reply.status} from {url}: redirects are not followed", destination_down=False
        )
    if not 200 <= reply.status < 300:
        # A 4xx refuses this one message; a 5xx, 408 or 429 says the receiver is in trouble.
        down = reply.status >= 500 or reply.status in (408, 429)
        raise DeliveryError(f"HTTP {reply.status} from {url}", destination_down=down)


@register("webhook", "Webhook (HMAC-signed JSON)")
def send_webhook(target: str, secret: str, message: Message) -> None:
    body = json.dumps(message.as_dict(), sort_keys=True).encode()
    headers = {
        "X-Hindsight-Event": message.event,
        **signing.headers(secret=secret, delivery_id=message.delivery_id, body=body),
    }
    post_json(target, body, headers)


@register("slack", "Slack / Mattermost incoming webhook")
def send_slack(target: str, secret: str, message: Message) -> None:
    """Slack / Mattermost incoming-webhook format."""
    resolved = message.event == "incident.resolved"
    fields = [
        {"title": "Severity", "value": slack_text(message.severity), "short": True},
        {"title": "Status", "value": slack_text(message.status), "short": True},
    ]
    if message.services:
        services = slack_text(", ".join(message.services))
        fields.append({"title": "Services", "value": services, "short": False})
    text = f"{slack_text(message.headline)} <{message.url}|open in Hindsight>"
    if message.acknowledge_url:
        text += f" · <{message.acknowledge_url}|acknowledge>"
    payload = {
        "text": text,
        "attachments": [
            {
                "color": RESOLVED_COLOUR if resolved else SEVERITY_COLOURS.get(message.severity),
                "title": slack_text(one_line(message.title)),
                "title_link": message.url,
                "text": slack_text("\n\n".join(t for t in (message.reason, message.summary) if t)),
                "fields": fields,
            }
        ],
    }
    post_json(target, json.dumps(payload).encode())


@register("teams", "Microsoft Teams incoming webhook")
def send_teams(target: str, secret: str, message: Message) -> None:
    """Microsoft Teams incoming-webhook (MessageCard) format."""
    resolved = message.event == "incident.resolved"
    colour = RESOLVED_COLOUR if resolved else SEVERITY_COLOURS.get(message.severity, "#57606a")
    facts = [
        {"name": "Severity", "value": teams_text(message.severity)},
        {"name": "Status", "value": teams_text(message.status)},
        {"name": "Started", "value": message.started_at},
    ]
    if message.services:
        facts.append({"name": "Services", "value": teams_text(", ".join(message.services))})
    if message.resolved_at:
        facts.append({"name": "Resolved", "value": message.resolved_at})
    links = [("Open in Hindsight", message.url)]
    if message.acknowledge_url:
        links.append(("Acknowledge", message.acknowledge_url))
    payload = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": no_markup(message.headline),
        "themeColor": colour.lstrip("#"),
        "title": teams_text(message.headline),
        "sections": [
            {
                "text": teams_text("\n\n".join(t for t in (message.reason, message.summary) if t)),
                "facts": facts,
            }
        ],
        "potentialAction": [
            {"@type": "OpenUri", "name": name, "targets": [{"os": "default", "uri": uri}]}
            for name, uri in links
        ],
    }
    post_json(target, json.dumps(payload).encode())


@register("email", "Email", url=False)
def send_email(target: str, secret: str, message: Message) -> None:
    recipients = [address.strip() for address in target.split(",") if address.strip()]
    lines = [message.headline, ""]
    if message.reason:
        lines += [message.reason, ""]
    lines += [
        f"Severity: {message.severity}",
        f"Status: {message.status}",
        f"Services: {', '.join(message.services) or 'none'}",
        f"Started: {message.started_at}",
    ]
    if message.resolved_at:
        lines.append(f"Resolved: {message.resolved_at}")
    if message.summary:
        lines += ["", message.summary]
    lines += ["", f"Open the incident: {message.url}"]
    if message.acknowledge_url:
        lines.append(f"Acknowledge: {message.acknowledge_url}")
    email = build_email(
        subject=message.headline,
        text="\n".join(lines),
        to=recipients,
        delivery_id=message.delivery_id or uuid.uuid4().hex,
    )
    try:
        email.send(fail_silently=False)
    except (OSError, Exception) as exc:  # smtplib raises many types; all mean "not sent"
        raise DeliveryError(f"SMTP delivery to {', '.join(recipients)} failed: {exc}") from None
