"""Outbound notification formats, one notifier per channel kind.

Built-in notifiers register through ``register`` exactly as an extension
would. A notifier turns an incident message into a request (or an email) and
sends it; it raises ``DeliveryError`` with a reason a person can act on.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage

from hindsight.integrations import signing
from hindsight.outbox.senders import DeliveryError

__all__ = ["NOTIFIERS", "DeliveryError", "Message", "post_json", "register"]

TIMEOUT_SECONDS = 10
SEVERITY_COLOURS = {"SEV1": "#cf222e", "SEV2": "#bc4c00", "SEV3": "#9a6700", "SEV4": "#57606a"}
RESOLVED_COLOUR = "#1a7f37"


@dataclass(frozen=True)
class Message:
    """What every notifier is given: one incident event, already rendered to facts."""

    event: str  # "incident.opened" | "incident.resolved"
    incident_id: int
    title: str
    severity: str
    status: str
    services: list[str]
    url: str
    started_at: str
    resolved_at: str | None
    summary: str
    # The outbox delivery's id: the same on every retry, so receivers can drop repeats.
    delivery_id: str = ""

    @property
    def headline(self) -> str:
        verb = "resolved" if self.event == "incident.resolved" else "opened"
        return f"[{self.severity}] Incident #{self.incident_id} {verb}: {self.title}"

    def as_fields(self) -> dict[str, Any]:
        """The facts as stored in an outbox delivery (without the delivery's own id)."""
        fields = dict(self.__dict__)
        fields.pop("delivery_id")
        return fields

    def as_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
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
            },
        }


Notifier = Callable[[str, str, Message], None]  # (target, secret, message)
NOTIFIERS: dict[str, Notifier] = {}


def register(kind: str) -> Callable[[Notifier], Notifier]:
    """Register a notifier for a channel kind."""

    def decorator(func: Notifier) -> Notifier:
        NOTIFIERS[kind] = func
        return func

    return decorator


def post_json(
    url: str,
    body: bytes,
    headers: dict[str, str] | None = None,
    *,
    timeout: float = TIMEOUT_SECONDS,
) -> None:
    """POST a JSON body; any non-2xx answer or network failure is a DeliveryError."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "Hindsight", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(1024)
            status = response.status
    except urllib.error.HTTPError as exc:
        # A 4xx refuses this one message; a 5xx, 408 or 429 says the receiver is in trouble.
        down = exc.code >= 500 or exc.code in (408, 429)
        raise DeliveryError(f"HTTP {exc.code} from {url}", destination_down=down) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"could not reach {url}: {reason}") from None
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status} from {url}")


@register("webhook")
def send_webhook(target: str, secret: str, message: Message) -> None:
    body = json.dumps(message.as_dict(), sort_keys=True).encode()
    headers = {"X-Hindsight-Event": message.event}
    if message.delivery_id:
        headers["webhook-id"] = message.delivery_id
    if secret:
        headers[signing.HEADER] = signing.sign(secret, int(time.time()), body)
    post_json(target, body, headers)


@register("slack")
def send_slack(target: str, secret: str, message: Message) -> None:
    """Slack / Mattermost incoming-webhook format."""
    resolved = message.event == "incident.resolved"
    fields = [
        {"title": "Severity", "value": message.severity, "short": True},
        {"title": "Status", "value": message.status, "short": True},
    ]
    if message.services:
        fields.append({"title": "Services", "value": ", ".join(message.services), "short": False})
    payload = {
        "text": f"{message.headline} <{message.url}|open in Hindsight>",
        "attachments": [
            {
                "color": RESOLVED_COLOUR if resolved else SEVERITY_COLOURS.get(message.severity),
                "title": message.title,
                "title_link": message.url,
                "text": message.summary,
                "fields": fields,
            }
        ],
    }
    post_json(target, json.dumps(payload).encode())


@register("teams")
def send_teams(target: str, secret: str, message: Message) -> None:
    """Microsoft Teams incoming-webhook (MessageCard) format."""
    resolved = message.event == "incident.resolved"
    colour = RESOLVED_COLOUR if resolved else SEVERITY_COLOURS.get(message.severity, "#57606a")
    facts = [
        {"name": "Severity", "value": message.severity},
        {"name": "Status", "value": message.status},
        {"name": "Started", "value": message.started_at},
    ]
    if message.services:
        facts.append({"name": "Services", "value": ", ".join(message.services)})
    if message.resolved_at:
        facts.append({"name": "Resolved", "value": message.resolved_at})
    payload = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": message.headline,
        "themeColor": colour.lstrip("#"),
        "title": message.headline,
        "sections": [{"text": message.summary, "facts": facts}],
        "potentialAction": [
            {
                "@type": "OpenUri",
                "name": "Open in Hindsight",
                "targets": [{"os": "default", "uri": message.url}],
            }
        ],
    }
    post_json(target, json.dumps(payload).encode())


@register("email")
def send_email(target: str, secret: str, message: Message) -> None:
    recipients = [address.strip() for address in target.split(",") if address.strip()]
    lines = [
        message.headline,
        "",
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
    email = EmailMessage(
        subject=message.headline,
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    try:
        email.send(fail_silently=False)
    except (OSError, Exception) as exc:  # smtplib raises many types; all mean "not sent"
        raise DeliveryError(f"SMTP delivery to {', '.join(recipients)} failed: {exc}") from None
