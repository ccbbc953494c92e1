"""Integration service functions: tokens, and turning alert deliveries into incidents."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.accounts.models import hash_token
from hindsight.catalog.models import Service
from hindsight.incidents.models import (
    EventKind,
    EventSource,
    IncidentFingerprint,
    TimelineEvent,
)
from hindsight.incidents.services import append_event, open_or_attach, record_recovery
from hindsight.integrations.models import Integration, IntegrationKind
from hindsight.integrations.webhooks.common import Signal, WebhookError
from hindsight.integrations.webhooks.registry import PARSERS

log = logging.getLogger(__name__)

TOKEN_PREFIX = "hsi_"
# Alert deliveries are small; anything bigger is a mistake or an attack.
MAX_BODY_BYTES = 1024 * 1024


def create_integration(
    *, name: str, kind: str, service: Service | None = None
) -> tuple[Integration, str]:
    """Create an integration; return it with its secret token (shown once, stored hashed)."""
    if not name.strip():
        raise ValueError("An integration needs a name")
    if kind not in IntegrationKind.values:
        raise ValueError(f"Unknown kind {kind!r}; use one of {', '.join(IntegrationKind.values)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    integration = Integration.objects.create(
        name=name.strip(),
        kind=kind,
        token_hash=hash_token(token),
        token_prefix=token[:12],
        service=service,
    )
    log.info("created integration %s (%s)", integration.pk, kind)
    audit.record(action="integration.created", target=integration, summary=kind)
    return integration, token


def set_enabled(*, integration: Integration, enabled: bool) -> Integration:
    """Enable or disable an integration; a disabled one refuses deliveries."""
    integration.enabled = enabled
    integration.save(update_fields=["enabled"])
    audit.record(
        action="integration.enabled" if enabled else "integration.disabled", target=integration
    )
    return integration


def integration_for_token(*, kind: str, token: str) -> Integration | None:
    """Return the enabled integration of ``kind`` holding ``token``, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    return (
        Integration.objects.filter(kind=kind, token_hash=hash_token(token), enabled=True)
        .select_related("service")
        .first()
    )


@dataclass
class DeliveryResult:
    opened: list[int] = field(default_factory=list)
    attached: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    duplicates: int = 0
    ignored: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "opened": self.opened,
            "attached": self.attached,
            "resolved": self.resolved,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "ignored": self.ignored,
        }


def decode(body: bytes) -> dict[str, Any]:
    """Decode a delivery body into a JSON object, or raise a 4xx WebhookError."""
    if len(body) > MAX_BODY_BYTES:
        raise WebhookError(413, "too_large", f"The body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise WebhookError(400, "malformed_json", f"The body is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise WebhookError(400, "invalid", "The body must be a JSON object.")
    return payload


def _service_for(signal: Signal, integration: Integration) -> Service | None:
    if signal.service_slug:
        service = Service.objects.filter(slug=signal.service_slug).first()
        if service is not None:
            return service
    return integration.service


_SOURCES = {
    IntegrationKind.ALERTMANAGER: EventSource.ALERTMANAGER,
    IntegrationKind.GRAFANA: EventSource.GRAFANA,
    IntegrationKind.PAGERDUTY: EventSource.PAGERDUTY,
    IntegrationKind.GENERIC: EventSource.WEBHOOK,
}


def receive_delivery(*, integration: Integration, body: bytes) -> DeliveryResult:
    """Apply one webhook delivery in one transaction; bad input raises before any write."""
    signals = PARSERS[integration.kind](decode(body))
    source = _SOURCES[IntegrationKind(integration.kind)]
    result = DeliveryResult()
    with transaction.atomic():
        for signal in signals:
            _apply(signal, integration=integration, source=source, result=result)
        Integration.objects.filter(pk=integration.pk).update(last_received_at=timezone.now())
    log.info("integration %s delivery: %s", integration.pk, result.as_json())
    return result


def _apply(
    signal: Signal, *, integration: Integration, source: str, result: DeliveryResult
) -> None:
    if TimelineEvent.objects.filter(idempotency_key=signal.key).exists():
        result.duplicates += 1
        return
    if signal.action == "firing":
        incident, created = open_or_attach(
            service=_service_for(signal, integration),
            fingerprint=signal.fingerprint,
            title=signal.title,
            severity=signal.severity,
            source=source,
            text=signal.text,
            occurred_at=signal.occurred_at,
            raw=signal.raw,
            idempotency_key=signal.key,
        )
        (result.opened if created else result.attached).append(incident.pk)
        return
    if signal.action == "resolved":
        recovered = record_recovery(
            fingerprint=signal.fingerprint,
            source=source,
            text=signal.text,
            occurred_at=signal.occurred_at,
            raw=signal.raw,
            idempotency_key=signal.key,
            kind=EventKind.ALERT_RESOLVED,
        )
        if recovered is None:
            result.ignored += 1
        else:
            result.resolved.append(recovered.pk)
        return
    claim = (
        IncidentFingerprint.objects.filter(fingerprint=signal.fingerprint, active=True)
        .select_related("incident")
        .first()
    )
    if claim is None or not claim.incident.is_open:
        result.ignored += 1
        return
    append_event(
        incident=claim.incident,
        text=signal.text,
        kind=EventKind.NOTE,
        source=source,
        actor_name=EventSource(source).label,
        occurred_at=signal.occurred_at,
        idempotency_key=signal.key,
        raw=signal.raw,
    )
    result.updated.append(claim.incident.pk)
