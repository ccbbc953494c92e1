"""Migrations apply from zero and every domain's rows survive a round trip."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from hindsight.accounts.models import ApiToken, Role, User, hash_token
from hindsight.actions.models import ActionItem, ActionKind, ActionStatus, Priority
from hindsight.catalog.models import Component, ComponentStatus, Service
from hindsight.incidents.models import Incident, TimelineEvent, TimelineEventRevision
from hindsight.incidents.services import append_event, declare_incident
from hindsight.integrations.models import Integration, NotificationChannel
from hindsight.monitors.models import CheckResult, CheckRollup, Flip, Monitor, MonitorState
from hindsight.postmortems.models import PostMortem, PostMortemRevision
from hindsight.statuspage.models import (
    ScheduledMaintenance,
    StatusPage,
    StatusUpdate,
    Subscriber,
    UpdateComponentStatus,
)

pytestmark = pytest.mark.django_db


def test_all_migrations_are_applied_and_none_are_missing():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_it_stores_users_with_roles_and_only_token_hashes():
    user = User.objects.create_user(username="maria", password="x-long-password", role=Role.EDITOR)
    token = ApiToken.objects.create(
        user=user, name="ci", key_prefix="hs_abcdefg", key_hash=hash_token("hs_secret")
    )
    fetched = ApiToken.objects.select_related("user").get(pk=token.pk)
    assert fetched.user.role == "editor"
    assert fetched.key_hash == hash_token("hs_secret") != "hs_secret"
    assert user.has_role("responder") and not user.has_role("admin")


def test_it_stores_services_and_components():
    service = Service.objects.create(name="Checkout API", slug="checkout-api", tier=1)
    Component.objects.create(
        name="Checkout", service=service, group="Shop", status=ComponentStatus.PARTIAL_OUTAGE
    )
    component = Component.objects.get(service=service)
    assert (component.name, component.group, component.get_status_display()) == (
        "Checkout",
        "Shop",
        "Partial outage",
    )


def test_it_stores_incidents_and_their_timeline_in_order():
    service = Service.objects.create(name="Search", slug="search")
    start = timezone.now() - timedelta(hours=1)
    incident = declare_incident(
        title="Search slow", severity="SEV2", services=[service], started_at=start
    )
    append_event(incident=incident, text="later", occurred_at=start + timedelta(minutes=30))
    append_event(incident=incident, text="earlier", occurred_at=start + timedelta(minutes=5))
    texts = list(Incident.objects.get(pk=incident.pk).events.values_list("text", flat=True))
    # Declared now (detection), after the two remembered events.
    assert texts[:2] == ["earlier", "later"]
    assert texts[2] == "Incident declared as SEV2 affecting Search"
    assert list(incident.services.values_list("slug", flat=True)) == ["search"]
    event = incident.events.get(text="later")
    TimelineEventRevision.objects.create(
        event=event, text="old text", occurred_at=event.occurred_at, is_key=False, hidden=False
    )
    assert event.revisions.get().text == "old text"


def test_the_same_idempotency_key_adds_one_event_only():
    incident = declare_incident(title="Dup test")
    first, created = append_event(incident=incident, text="alert", idempotency_key="am:abc")
    again, created_again = append_event(incident=incident, text="alert", idempotency_key="am:abc")
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert incident.events.filter(idempotency_key="am:abc").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        TimelineEvent.objects.create(incident=incident, text="x", idempotency_key="am:abc")


def test_an_event_without_text_is_refused():
    incident = declare_incident(title="Empty text")
    with pytest.raises(ValueError, match="needs text"):
        append_event(incident=incident, text="   ")
    assert incident.events.count() == 1


def test_it_stores_monitors_flips_results_and_rollups():
    monitor = Monitor.objects.create(name="web", target="http://127.0.0.1:9/")
    Flip.objects.create(
        monitor=monitor,
        old_state=MonitorState.UP,
        new_state=MonitorState.DOWN,
        reason="connection refused",
    )
    CheckResult.objects.create(monitor=monitor, status=MonitorState.DOWN, error="refused")
    day = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    CheckRollup.objects.create(
        monitor=monitor, period="day", bucket_start=day, checks=1440, up_checks=1437
    )
    assert monitor.flips.get().reason == "connection refused"
    assert monitor.results.get().error == "refused"
    assert round(monitor.rollups.get().uptime_percent, 2) == 99.79
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckRollup.objects.create(monitor=monitor, period="day", bucket_start=day)


def test_it_stores_status_pages_updates_maintenance_and_subscribers():
    page = StatusPage.objects.create(slug="acme", title="Acme status", is_default=True)
    component = Component.objects.create(name="API")
    page.components.add(component)
    incident = declare_incident(title="API errors")
    update = StatusUpdate.objects.create(
        incident=incident, status="identified", message="We found it."
    )
    UpdateComponentStatus.objects.create(
        update=update, component=component, status=ComponentStatus.MAJOR_OUTAGE
    )
    now = timezone.now()
    ScheduledMaintenance.objects.create(
        page=page, title="DB upgrade", starts_at=now, ends_at=now + timedelta(hours=1)
    )
    sub = Subscriber.objects.create(page=page, kind="email", email="a@example.com")
    assert update.components.get().status == "major_outage"
    assert page.maintenances.get().title == "DB upgrade"
    assert sub.confirm_token != sub.unsubscribe_token and sub.confirmed_at is None
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(page=page, kind="email", email="a@example.com")


def test_it_stores_postmortems_with_versions_and_action_items():
    incident = declare_incident(title="Outage")
    pm = PostMortem.objects.create(incident=incident, title="PM", body="## Summary\n")
    PostMortemRevision.objects.create(postmortem=pm, version=1, body=pm.body)
    item = ActionItem.objects.create(
        incident=incident,
        postmortem=pm,
        title="Add CPU alerts at 80% and 90%",
        due_date=date(2026, 12, 1),
        priority=Priority.P1,
        kind=ActionKind.LONG_TERM,
    )
    assert pm.revisions.get().version == 1
    assert (item.priority, item.kind, item.status, item.is_done) == (
        "P1",
        "long_term",
        ActionStatus.OPEN,
        False,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PostMortemRevision.objects.create(postmortem=pm, version=1, body="again")


def test_it_stores_integrations_and_notification_channels():
    integration = Integration.objects.create(
        name="prod alerts", kind="alertmanager", token_hash="h" * 64, token_prefix="hs_x"
    )
    channel = NotificationChannel.objects.create(
        name="ops", kind="slack", target="http://127.0.0.1:9/hook"
    )
    assert str(integration) == "prod alerts (Prometheus Alertmanager)"
    assert channel.get_kind_display() == "Slack / Mattermost incoming webhook"
