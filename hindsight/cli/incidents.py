"""`hindsight incidents …`: declare, list and move incidents through their lifecycle."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.console import Console
from rich.table import Table

from hindsight.cli import app
from hindsight.cli.django_setup import setup

incidents_app = typer.Typer(help="Declare and update incidents.", no_args_is_help=True)
app.add_typer(incidents_app, name="incidents")

BY_HELP = "Username recorded as the actor (default: Hindsight)."


def _fail(message: str) -> typer.Exit:
    typer.secho(f"Error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(1)


def _user(username: str | None):  # type: ignore[no-untyped-def]
    from hindsight.accounts.models import User

    if not username:
        return None
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise _fail(f"no user named {username!r}") from None


def _incident(incident_id: int):  # type: ignore[no-untyped-def]
    from hindsight.incidents.models import Incident

    try:
        return Incident.objects.get(pk=incident_id)
    except Incident.DoesNotExist:
        raise _fail(f"no incident #{incident_id}") from None


@incidents_app.command("list")
def incidents_list(
    open_only: bool = typer.Option(False, "--open", help="Open incidents only."),
) -> None:
    """List incidents, newest first."""
    setup()
    from hindsight.incidents.models import Incident

    incidents = Incident.objects.select_related("commander").prefetch_related("services")
    if open_only:
        incidents = incidents.open()
    table = Table("id", "title", "severity", "status", "services", "started (UTC)")
    for incident in incidents[:500]:
        table.add_row(
            str(incident.pk),
            incident.title,
            incident.severity,
            incident.status,
            ", ".join(s.slug for s in incident.services.all()),
            f"{incident.started_at:%Y-%m-%d %H:%M}",
        )
    Console().print(table)


@incidents_app.command("declare")
def incidents_declare(
    title: str,
    severity: str = typer.Option("SEV3", help="SEV1, SEV2, SEV3 or SEV4."),
    service: list[str] = typer.Option([], help="Affected service slug; repeat for several."),
    commander: str = typer.Option("", help="Commander's username."),
    by: str = typer.Option("", help=BY_HELP),
) -> None:
    """Declare a new incident and print its id."""
    setup()
    from hindsight.catalog.models import Service
    from hindsight.incidents.services import declare_incident

    services = list(Service.objects.filter(slug__in=service))
    missing = sorted(set(service) - {s.slug for s in services})
    if missing:
        raise _fail(f"unknown service(s): {', '.join(missing)}")
    try:
        incident = declare_incident(
            title=title,
            severity=severity.upper(),
            services=services,
            commander=_user(commander),
            declared_by=_user(by),
        )
    except ValueError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Declared incident #{incident.pk}: {incident.title} ({incident.severity})")


@incidents_app.command("status")
def incidents_status(
    incident_id: int,
    status: str,
    note: str = typer.Option("", help="Why, recorded with the change."),
    by: str = typer.Option("", help=BY_HELP),
) -> None:
    """Move an incident to investigating, identified, monitoring, resolved or closed."""
    setup()
    from hindsight.incidents.lifecycle import LifecycleError, change_status

    try:
        incident = change_status(
            incident=_incident(incident_id), status=status.lower(), actor=_user(by), note=note
        )
    except LifecycleError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Incident #{incident.pk} is {incident.status}.")


@incidents_app.command("severity")
def incidents_severity(
    incident_id: int, severity: str, by: str = typer.Option("", help=BY_HELP)
) -> None:
    """Change an incident's severity."""
    setup()
    from hindsight.incidents.lifecycle import LifecycleError, change_severity

    try:
        incident = change_severity(
            incident=_incident(incident_id), severity=severity.upper(), actor=_user(by)
        )
    except LifecycleError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"Incident #{incident.pk} is {incident.severity}.")


@incidents_app.command("commander")
def incidents_commander(
    incident_id: int, username: str, by: str = typer.Option("", help=BY_HELP)
) -> None:
    """Hand an incident to a new commander ('none' to clear)."""
    setup()
    from hindsight.incidents.lifecycle import change_commander

    commander = None if username == "none" else _user(username)
    incident = change_commander(
        incident=_incident(incident_id), commander=commander, actor=_user(by)
    )
    name = incident.commander.username if incident.commander else "nobody"
    typer.echo(f"Incident #{incident.pk} is commanded by {name}.")


@incidents_app.command("note")
def incidents_note(
    incident_id: int,
    text: str,
    at: datetime | None = typer.Option(None, help="When it happened (UTC), if earlier."),
    by: str = typer.Option("", help=BY_HELP),
) -> None:
    """Add a note to an incident's timeline."""
    setup()
    from datetime import UTC

    from django.utils import timezone

    from hindsight.incidents.services import append_event

    when = at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at
    if when is not None and when > timezone.now():
        raise _fail("a note cannot be dated in the future")
    event, _ = append_event(
        incident=_incident(incident_id), text=text, actor=_user(by), occurred_at=when
    )
    typer.echo(f"Added event {event.pk} at {event.occurred_at:%Y-%m-%d %H:%M:%S} UTC.")
