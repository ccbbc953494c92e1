"""Demo data for a first start: a small catalog, two incidents, a post-mortem in review."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from django.utils import timezone

from hindsight.accounts.models import Role, User
from hindsight.catalog.models import Component, Service
from hindsight.core import edits, outline
from hindsight.core import model as core_model
from hindsight.core.model import SectionKind
from hindsight.incidents.models import EventKind, EventSource, Incident, IncidentStatus, Visibility
from hindsight.incidents.services import append_event, declare_incident
from hindsight.monitors.models import Monitor, MonitorKind
from hindsight.postmortems import services
from hindsight.postmortems.drafting import draft_on_resolve
from hindsight.statuspage.models import StatusPage, StatusUpdate
from hindsight.web.demo_history import seed_history
from hindsight.web.demo_library import seed_library

SERVICES = [
    ("Checkout API", "checkout-api", "Payments team", 1),
    ("Payment gateway", "payment-gateway", "Payments team", 1),
    ("Search", "search", "Discovery team", 2),
    ("Web storefront", "web-storefront", "Web team", 1),
    ("Accounts", "accounts", "Identity team", 2),
]


def _person(username: str, first: str, last: str, role: str) -> User:
    user = User.objects.create(
        username=username,
        first_name=first,
        last_name=last,
        role=role,
        email=f"{username}@example.com",
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def seed(*, web_url: str) -> None:
    """Create the demo catalog, status page, incidents, post-mortem and actions."""
    services = {
        slug: Service.objects.create(name=name, slug=slug, owner_team=team, tier=tier)
        for name, slug, team, tier in SERVICES
    }
    page = StatusPage.objects.create(
        slug="acme", title="Acme Shop status", logo_text="Acme", is_default=True
    )
    components: dict[str, Component] = {}
    for position, (name, slug, group) in enumerate(
        [
            ("Checkout", "checkout-api", "Shop"),
            ("Payments", "payment-gateway", "Shop"),
            ("Search", "search", "Shop"),
            ("Website", "web-storefront", "Shop"),
            ("Sign-in", "accounts", "Accounts"),
        ]
    ):
        component = Component.objects.create(
            name=name, service=services[slug], group=group, position=position
        )
        page.components.add(component)
        components[slug] = component
    Monitor.objects.create(
        name="Hindsight web health",
        kind=MonitorKind.HTTP,
        target=web_url.rstrip("/") + "/healthz",
        interval_seconds=60,
        service=services["web-storefront"],
        component=components["web-storefront"],
    )
    maria = _person("maria", "Maria", "Santos", Role.EDITOR)
    sam = _person("sam", "Sam", "Okafor", Role.RESPONDER)
    now = timezone.now().replace(second=0, microsecond=0)
    outage_start = now - timedelta(days=2, hours=3)
    _resolved_incident(services, maria, sam, outage_start)
    outage = (outage_start.date(), 31)
    seed_history(
        components=components,
        outages={"checkout-api": outage, "payment-gateway": outage},
        today=now.date(),
    )
    _open_incident(services, sam, now - timedelta(minutes=42))
    seed_library(services=services, people=[maria, sam], now=now)


def _resolved_incident(
    services: dict[str, Service], maria: User, sam: User, start: datetime
) -> None:
    def at(minutes: int) -> datetime:
        return start + timedelta(minutes=minutes)

    incident = declare_incident(
        title="Checkout failing after payment gateway certificate rotation",
        severity="SEV2",
        services=[services["checkout-api"], services["payment-gateway"]],
        commander=maria,
        declared_by=sam,
        started_at=at(0),
        detected_at=at(6),
        summary=(
            "For 31 minutes, 38% of checkout attempts failed with a payment error because "
            "the checkout service did not trust the payment gateway's new TLS certificate."
        ),
        customer_impact="About 1,900 customers could not complete a purchase.",
    )
    steps = [
        (
            4,
            EventKind.ALERT_FIRING,
            EventSource.ALERTMANAGER,
            "Alertmanager",
            "CheckoutErrorRate firing: 5xx ratio 0.38 on checkout-api (threshold 0.05)",
            True,
        ),
        (
            9,
            EventKind.KEY_MOMENT,
            EventSource.MANUAL,
            "Sam Okafor",
            "Acknowledged the page and joined #inc-checkout",
            True,
        ),
        (
            12,
            EventKind.COMMANDER_CHANGE,
            EventSource.SYSTEM,
            "Sam Okafor",
            "Commander: none → Maria Santos",
            False,
        ),
        (
            18,
            EventKind.NOTE,
            EventSource.SLACK,
            "Maria Santos",
            "Errors started at 14:02, same minute as the gateway cert rotation job",
            False,
        ),
        (
            23,
            EventKind.STATUS_CHANGE,
            EventSource.SYSTEM,
            "Maria Santos",
            "Status: investigating → identified",
            True,
        ),
        (
            25,
            EventKind.STATUS_UPDATE,
            EventSource.STATUSPAGE,
            "Maria Santos",
            "Some payments are failing. We have identified the cause and are deploying a fix.",
            False,
        ),
        (
            31,
            EventKind.NOTE,
            EventSource.MANUAL,
            "Sam Okafor",
            "Rolled back the gateway certificate to the previous chain on both gateway nodes",
            True,
        ),
        (
            33,
            EventKind.STATUS_CHANGE,
            EventSource.SYSTEM,
            "Maria Santos",
            "Status: identified → monitoring",
            False,
        ),
        (
            52,
            EventKind.ALERT_RESOLVED,
            EventSource.ALERTMANAGER,
            "Alertmanager",
            "CheckoutErrorRate resolved: 5xx ratio back to 0.002",
            True,
        ),
        (
            58,
            EventKind.STATUS_CHANGE,
            EventSource.SYSTEM,
            "Maria Santos",
            "Status: monitoring → resolved",
            True,
        ),
    ]
    for minutes, kind, source, actor, text, key in steps:
        append_event(
            incident=incident,
            kind=kind,
            source=source,
            actor_name=actor,
            text=text,
            occurred_at=at(minutes),
            is_key=key,
            visibility=Visibility.PUBLIC
            if kind == EventKind.STATUS_UPDATE
            else Visibility.INTERNAL,
        )
    StatusUpdate.objects.create(
        incident=incident,
        status=IncidentStatus.IDENTIFIED,
        posted_by=maria,
        posted_at=at(25),
        message="Some payments are failing. We have identified the cause and are deploying a fix.",
    )
    incident.status = IncidentStatus.RESOLVED
    incident.acknowledged_at = at(9)
    incident.mitigated_at = at(31)
    incident.resolved_at = at(58)
    incident.save()
    _write_postmortem(incident, maria, sam, start)


def _open_incident(services: dict[str, Service], sam: User, start: datetime) -> None:
    incident = declare_incident(
        title="Elevated search latency",
        severity="SEV3",
        services=[services["search"]],
        commander=sam,
        started_at=start,
        detected_at=start + timedelta(minutes=3),
        customer_impact="Search results take 3–5 s to appear for some customers.",
    )
    append_event(
        incident=incident,
        kind=EventKind.MONITOR_DOWN,
        source=EventSource.MONITOR,
        actor_name="Search p95 latency",
        occurred_at=start + timedelta(minutes=1),
        text="p95 latency 4.2 s (threshold 1.5 s) from region eu-west",
        is_key=True,
    )
    append_event(
        incident=incident,
        actor_name="Sam Okafor",
        occurred_at=start + timedelta(minutes=15),
        text="Index rebuild started at 09:00 is still running; suspect it saturates the cluster",
    )


# What the commander wrote after the draft was made: the template's facts stay.
WRITTEN = {
    SectionKind.SUMMARY: (
        "For 31 minutes, 38% of checkout attempts failed with a payment error. The payment "
        "gateway's TLS certificate was rotated to a new chain that the checkout service did "
        "not trust. About 1,900 customers could not complete a purchase."
    ),
    SectionKind.ROOT_CAUSE: (
        "- The certificate rotation job replaced the gateway's chain with one signed by a new "
        "intermediate certificate.\n"
        "- The checkout service pins its trust store at deploy time, so it kept trusting only "
        "the old intermediate.\n"
        "- The rotation runbook has no step to check the clients of the gateway, and the job "
        "ran without a canary."
    ),
    SectionKind.WENT_WELL: (
        "- The CheckoutErrorRate alert fired within 4 minutes.\n"
        "- The rollback of the certificate chain was documented and took 2 minutes."
    ),
    SectionKind.IMPROVEMENTS: (
        "- Nothing links a certificate change to the services that trust it.\n"
        "- The public status update went out 19 minutes after the alert.\n"
        "- Be more careful with certificate rotations."
    ),
}


def _write_postmortem(incident: Incident, maria: User, sam: User, start: datetime) -> None:
    """The draft written on resolve, filled in by the commander and sent to review."""
    postmortem = draft_on_resolve(incident=incident, actor=maria)
    parts = []
    for part in outline.split(postmortem.body).parts:
        body = part.body
        if part.kind is SectionKind.SUMMARY:
            guidance, _, facts = body.split("\n\n", 2)
            body = "\n\n".join([guidance, WRITTEN[part.kind], facts])
        elif part.kind in WRITTEN:
            body = f"{body}\n\n{WRITTEN[part.kind]}"
        elif part.kind is SectionKind.ACTION_ITEMS:
            body = edits.set_action_items(body, _action_items(maria, sam, start))
        parts.append(replace(part, body=body))
    text = outline.join(replace(outline.split(postmortem.body), parts=tuple(parts)))
    postmortem = services.save_body(
        postmortem=postmortem, body=text, author=maria, expected_version=1, note="Demo"
    )
    admin = User.objects.filter(username="admin").first()
    reviewers = [sam] + ([admin] if admin else [])
    services.transition(postmortem=postmortem, to="in_review", actor=maria, reviewers=reviewers)
    services.add_comment(
        postmortem=postmortem,
        section="Root cause analysis",
        text="Why did the rotation job not check who trusts the old intermediate?",
        author=sam,
    )


def _action_items(maria: User, sam: User, start: datetime) -> list[core_model.ActionItem]:
    return [
        core_model.ActionItem(
            "Alert when a certificate in the gateway trust chain changes without a matching "
            "checkout trust-store update",
            f"@{sam.username}",
            (start + timedelta(days=7)).date(),
            "P1",
            "immediate",
            "open",
        ),
        core_model.ActionItem(
            "Add a canary checkout to the certificate rotation job and stop at a 2% error rate",
            f"@{maria.username}",
            (start + timedelta(days=21)).date(),
            "P2",
            "long-term",
            "open",
        ),
    ]
