"""Integration service functions: tokens, and turning alert posts into incidents."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.accounts.models import hash_token
from hindsight.catalog.models import Service
from hindsight.core import inputs
from hindsight.incidents.models import (
    EventKind,
    EventSource,
    IncidentFingerprint,
    TimelineEvent,
)
from hindsight.incidents.services import append_event, open_or_attach, record_recovery
from hindsight.integrations.models import EarlyRecovery, Integration
from hindsight.integrations.webhooks.common import Signal, WebhookError
from hindsight.integrations.webhooks.registry import SOURCES

log = logging.getLogger(__name__)

TOKEN_PREFIX = "hsi_"
# Alert posts are small; anything bigger is a mistake or an attack.
MAX_BODY_BYTES = 1024 * 1024
# Fingerprints, idempotency keys and titles are columns of 200 characters.
ID_LIMIT = 200
# Alert times further ahead than this are a sender's broken clock, not an event.
FUTURE_LIMIT = timedelta(days=1)
# A resolved alert waits this long for a late firing, then is dropped.
EARLY_RECOVERY_KEPT = timedelta(days=1)


def create_integration(
    *, name: str, kind: str, service: Service | None = None
) -> tuple[Integration, str]:
    """Create an integration; return it with its secret token (shown once, stored hashed)."""
    if not name.strip():
        raise ValueError("An integration needs a name")
    if kind not in SOURCES:
        raise ValueError(f"Unknown kind {kind!r}; use one of {', '.join(SOURCES)}")
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
    """Enable or disable an integration; a disabled one refuses alert posts."""
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
class AlertsResult:
    opened: list[int] = field(default_factory=list)
    attached: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    duplicates: int = 0
    ignored: int = 0
    held: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "opened": self.opened,
            "attached": self.attached,
            "resolved": self.resolved,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "ignored": self.ignored,
            "held": self.held,
        }


def decode(body: bytes) -> dict[str, Any]:
    """Decode an alert post's body into a JSON object, or raise a 4xx WebhookError."""
    if len(body) > MAX_BODY_BYTES:
        raise WebhookError(413, "too_large", f"The body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        payload = inputs.load_json(body, where="The body")
    except inputs.InputError as exc:
        raise WebhookError(400, exc.code, str(exc)) from None
    if not isinstance(payload, dict):
        raise WebhookError(400, "invalid", "The body must be a JSON object.")
    return payload


def _service_for(signal: Signal, integration: Integration) -> Service | None:
    if signal.service_slug:
        service = Service.objects.filter(slug=signal.service_slug).first()
        if service is not None:
            return service
    return integration.service


def _keep_early_recovery(signal: Signal, *, source: str) -> None:
    now = timezone.now()
    EarlyRecovery.objects.filter(received_at__lt=now - EARLY_RECOVERY_KEPT).delete()
    EarlyRecovery.objects.create(
        fingerprint=signal.fingerprint,
        source=source,
        text=signal.text,
        occurred_at=signal.occurred_at or now,
        idempotency_key=signal.key,
        raw=signal.raw,
    )


def _apply_early_recovery(signal: Signal, *, result: AlertsResult) -> None:
    """Apply a resolved alert that arrived before this firing, if it is later than the firing."""
    early = EarlyRecovery.objects.filter(fingerprint=signal.fingerprint)
    if signal.occurred_at is not None:
        early = early.filter(occurred_at__gte=signal.occurred_at)
    recovery = early.order_by("occurred_at").first()
    if recovery is None:
        return
    recovery.delete()
    recovered = record_recovery(
        fingerprint=recovery.fingerprint,
        source=recovery.source,
        text=recovery.text,
        occurred_at=recovery.occurred_at,
        raw=recovery.raw,
        idempotency_key=recovery.idempotency_key,
        kind=EventKind.ALERT_RESOLVED,
    )
    if recovered is not None:
        result.resolved.append(recovered.pk)


def check_signal(signal: Signal, *, where: str, now: datetime) -> None:
    """Refuse a signal that cannot be stored as it is: over-long ids, a time far ahead."""
    try:
        inputs.check_length(signal.fingerprint, limit=ID_LIMIT, field=f"{where} fingerprint")
        inputs.check_length(signal.key, limit=ID_LIMIT, field=f"{where} id")
        inputs.check_length(signal.title, limit=ID_LIMIT, field=f"{where} title")
    except inputs.InputError as exc:
        raise WebhookError(400, "too_long", str(exc)) from None
    if signal.occurred_at is not None and signal.occurred_at > now + FUTURE_LIMIT:
        raise WebhookError(
            400,
            "bad_timestamp",
            f"{where} is dated {signal.occurred_at.isoformat()}, more than a day in the future; "
            "check the sender's clock.",
        )


def receive_alerts(*, integration: Integration, body: bytes) -> AlertsResult:
    """Apply one alert post in one transaction; bad input raises before any write."""
    kind = SOURCES[integration.kind]
    signals = kind.parse(decode(body))
    now = timezone.now()
    for n, signal in enumerate(signals):
        check_signal(signal, where=f"alert {n + 1}", now=now)
    source = kind.timeline_source
    result = AlertsResult()
    with transaction.atomic():
        for signal in signals:
            _apply(signal, integration=integration, source=source, result=result)
        Integration.objects.filter(pk=integration.pk).update(last_received_at=timezone.now())
    log.info("integration %s alert post: %s", integration.pk, result.as_json())
    return result


def _apply(signal: Signal, *, integration: Integration, source: str, result: AlertsResult) -> None:
    if connection.vendor == "postgresql":
        # Identical concurrent alert posts queue here, so each one after the
        # first sees the stored event and is reported as a duplicate.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [signal.key])
    if (
        TimelineEvent.objects.filter(idempotency_key=signal.key).exists()
        or EarlyRecovery.objects.filter(idempotency_key=signal.key).exists()
    ):
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
        _apply_early_recovery(signal, result=result)
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
        if recovered is not None:
            result.resolved.append(recovered.pk)
        else:
            # No open incident: kept, so a firing that arrives late (dated
            # before this resolve) is resolved at once instead of staying open.
            _keep_early_recovery(signal, source=source)
            result.held += 1
        return
    holder = (
        IncidentFingerprint.objects.filter(fingerprint=signal.fingerprint, active=True)
        .select_related("incident")
        .first()
    )
    if holder is None or not holder.incident.is_open:
        result.ignored += 1
        return
    append_event(
        incident=holder.incident,
        text=signal.text,
        kind=EventKind.NOTE,
        source=source,
        actor_name=EventSource(source).label,
        occurred_at=signal.occurred_at,
        idempotency_key=signal.key,
        raw=signal.raw,
    )
    result.updated.append(holder.incident.pk)
