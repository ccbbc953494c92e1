"""Monitors API: list, read, create, update, pause/resume, flips and uptime."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from pydantic import ConfigDict, Field

from hindsight.api import require_role
from hindsight.catalog.models import Component, Service
from hindsight.monitors import credentials, services, storage
from hindsight.monitors.models import Flip, Monitor, MonitorKind

router = Router(tags=["monitors"])


class CredentialsOut(Schema):
    basic_auth: bool = Field(description="A user name and password are set")
    headers: list[str] = Field(description="Names of the request headers set (values never shown)")


class CredentialsIn(Schema):
    """Write-only: replaces what is given; omitted parts are kept."""

    model_config = ConfigDict(extra="forbid")

    username: str | None = Field(None, max_length=200)
    password: str | None = Field(None, max_length=500)
    headers: dict[str, str] | None = Field(None, description="Replaces all stored headers")
    clear: bool = Field(False, description="Drop every stored credential first")


class MonitorOut(Schema):
    id: int
    name: str
    kind: str
    target: str
    interval: int
    timeout: float
    confirmations_down: int
    confirmations_up: int
    regions: list[str]
    quorum: int
    service: str | None
    component: int | None
    config: dict[str, Any]
    paused: bool
    state: str
    state_since: datetime
    flapping: bool
    last_checked_at: datetime | None
    last_result: dict[str, Any] | None
    credentials: CredentialsOut

    @staticmethod
    def resolve_credentials(obj: Monitor) -> dict[str, Any]:
        return credentials.summary(obj)

    @staticmethod
    def resolve_interval(obj: Monitor) -> int:
        return obj.interval_seconds

    @staticmethod
    def resolve_timeout(obj: Monitor) -> float:
        return obj.timeout_seconds

    @staticmethod
    def resolve_service(obj: Monitor) -> str | None:
        return obj.service.slug if obj.service else None

    @staticmethod
    def resolve_component(obj: Monitor) -> int | None:
        return obj.component_id


class MonitorIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    kind: MonitorKind | None = None
    target: str | None = Field(None, min_length=1, max_length=2000)
    interval: int | None = None
    timeout: float | None = None
    confirmations_down: int | None = Field(None, ge=1, le=100)
    confirmations_up: int | None = Field(None, ge=1, le=100)
    regions: list[str] | None = None
    quorum: int | None = Field(None, ge=1)
    service: str | None = Field(None, description="Service slug; empty string to clear")
    component: int | None = Field(None, description="Component id; 0 to clear")
    config: dict[str, Any] | None = None
    credentials: CredentialsIn | None = None


class FlipOut(Schema):
    id: int
    created_at: datetime
    old_state: str
    new_state: str
    region: str
    reason: str
    evidence: dict[str, Any]


class UptimeOut(Schema):
    uptime_24h: float | None
    uptime_7d: float | None
    uptime_30d: float | None
    uptime_90d: float | None


_FIELDS = {"interval": "interval_seconds", "timeout": "timeout_seconds"}


def _apply(monitor: Monitor, data: MonitorIn) -> Monitor:
    for key, value in data.model_dump(exclude_unset=True).items():
        if key == "service":
            monitor.service = Service.objects.filter(slug=value).first() if value else None
            if value and monitor.service is None:
                raise HttpError(422, f"service: no service with slug {value!r}")
        elif key == "component":
            monitor.component = Component.objects.filter(pk=value).first() if value else None
            if value and monitor.component is None:
                raise HttpError(422, f"component: no component with id {value}")
        elif key == "credentials" and data.credentials is not None:
            given = data.credentials
            credentials.set_credentials(
                monitor,
                username=given.username,
                password=given.password,
                headers=given.headers,
                clear=given.clear,
            )
        elif value is not None:
            setattr(monitor, _FIELDS.get(key, key), value)
    try:
        return services.save_monitor(monitor=monitor)
    except ValidationError as exc:
        detail = "; ".join(
            f"{ {v: k for k, v in _FIELDS.items()}.get(f, f) }: {' '.join(m)}"
            for f, m in exc.message_dict.items()
        )
        raise HttpError(422, f"The monitor is not valid: {detail}") from None


@router.get("/", response=list[MonitorOut])
@paginate(LimitOffsetPagination)
def list_monitors(request: HttpRequest, state: str | None = None) -> Any:
    """Monitors by name, optionally only those in one state."""
    monitors = Monitor.objects.select_related("service")
    return monitors.filter(state=state) if state else monitors


@router.get("/{monitor_id}", response=MonitorOut)
def get_monitor(request: HttpRequest, monitor_id: int) -> Monitor:
    """One monitor with its current state."""
    return get_object_or_404(Monitor, pk=monitor_id)


@router.post("/", response={201: MonitorOut})
def create_monitor(request: HttpRequest, data: MonitorIn) -> Status[Monitor]:
    """Create a monitor (editors); it is checked straight away."""
    require_role(request, "editor")
    if not data.name or not data.target:
        raise HttpError(422, "name and target are required")
    return Status(201, _apply(Monitor(), data))


@router.patch("/{monitor_id}", response=MonitorOut)
def update_monitor(request: HttpRequest, monitor_id: int, data: MonitorIn) -> Monitor:
    """Change some of a monitor's fields (editors)."""
    require_role(request, "editor")
    return _apply(get_object_or_404(Monitor, pk=monitor_id), data)


@router.post("/{monitor_id}/pause", response=MonitorOut)
def pause_monitor(request: HttpRequest, monitor_id: int) -> Monitor:
    """Stop checking a monitor (editors)."""
    require_role(request, "editor")
    services.pause_monitor(monitor=get_object_or_404(Monitor, pk=monitor_id))
    return Monitor.objects.get(pk=monitor_id)


@router.post("/{monitor_id}/resume", response=MonitorOut)
def resume_monitor(request: HttpRequest, monitor_id: int) -> Monitor:
    """Check a paused monitor again (editors)."""
    require_role(request, "editor")
    services.resume_monitor(monitor=get_object_or_404(Monitor, pk=monitor_id))
    return Monitor.objects.get(pk=monitor_id)


@router.get("/{monitor_id}/flips", response=list[FlipOut])
@paginate(LimitOffsetPagination)
def list_flips(request: HttpRequest, monitor_id: int) -> Any:
    """A monitor's state changes, newest first."""
    get_object_or_404(Monitor, pk=monitor_id)
    return Flip.objects.filter(monitor_id=monitor_id)


@router.get("/{monitor_id}/uptime", response=UptimeOut)
def get_uptime(request: HttpRequest, monitor_id: int) -> dict[str, float | None]:
    """Uptime percent over the last 24 hours, 7, 30 and 90 days."""
    get_object_or_404(Monitor, pk=monitor_id)
    values = storage.uptime(monitor_ids=[monitor_id])[monitor_id]
    return {f"uptime_{k}": v for k, v in values.items()}
