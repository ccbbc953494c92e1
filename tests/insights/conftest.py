from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from hindsight.actions.models import ActionItem
from hindsight.catalog.models import Service
from hindsight.incidents.models import Incident
from hindsight.postmortems.models import PostMortem


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def viewer_client(client, the_viewer):  # type: ignore[no-untyped-def]
    """A viewer's client, with one SEV2 incident started and detected now."""
    now = timezone.now()
    incident("Checkout outage", severity="SEV2", started=now, detected=now)
    client.force_login(the_viewer)
    return client


def at(day: int, hour: int = 12, month: int = 3, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def service(slug: str) -> Service:
    return Service.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]


def incident(
    title: str,
    *,
    summary: str = "",
    severity: str = "SEV3",
    services: tuple[str, ...] = (),
    started: datetime | None = None,
    restricted: bool = False,
    status: str = "resolved",
    **moments: datetime,
) -> Incident:
    made = Incident.objects.create(
        title=title,
        summary=summary,
        severity=severity,
        started_at=started or at(1),
        restricted=restricted,
        status=status,
        **{f"{name}_at": value for name, value in moments.items()},
    )
    made.services.set([service(s) for s in services])
    return made


def postmortem(of: Incident, *, title: str = "", body: str = "", **fields: object) -> PostMortem:
    return PostMortem.objects.create(
        incident=of, title=title or f"Post-mortem: {of.title}", body=body, **fields
    )


def action(of: Incident, title: str, **fields: object) -> ActionItem:
    return ActionItem.objects.create(incident=of, title=title, **fields)


ROOT_CAUSE = """# {title}

## Summary

{summary}

## Root cause analysis

{factors}
"""


def body(*factors: str, summary: str = "Something broke.", title: str = "Post-mortem") -> str:
    """A post-mortem body whose root-cause section lists the given factors."""
    listed = "\n".join(f"- {factor}" for factor in factors)
    return ROOT_CAUSE.format(title=title, summary=summary, factors=listed)
