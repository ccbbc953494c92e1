"""The role is the one truth about rights; responders cannot forge the timeline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hindsight.accounts.models import Role, User
from hindsight.accounts.services import create_token, set_role
from hindsight.incidents.models import Incident, TimelineEvent
from hindsight.incidents.services import declare_incident


def test_demoting_an_admin_in_the_django_admin_removes_superuser(
    an_admin: User, client: Client
) -> None:
    other = User.objects.create_user(username="otto", password="pw-otto", role=Role.ADMIN)
    client.force_login(an_admin)
    page = client.get(f"/admin/accounts/user/{other.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(role=Role.VIEWER, date_joined_0="2026-01-01", date_joined_1="00:00:00")
    data["is_active"] = "on"
    response = client.post(f"/admin/accounts/user/{other.pk}/change/", data)
    other.refresh_from_db()
    assert (response.status_code, other.role, other.is_superuser, other.is_staff) == (
        302,
        Role.VIEWER,
        False,
        False,
    )


def test_a_demoted_admin_can_no_longer_open_the_admin_site(an_admin: User, client: Client) -> None:
    set_role(username=an_admin.username, role=Role.EDITOR)
    client.force_login(User.objects.get(pk=an_admin.pk))
    assert client.get("/admin/").status_code == 302  # to the admin login


def test_a_superuser_flag_without_the_admin_role_grants_nothing(db: None) -> None:
    user = User.objects.create_user(username="sly", password="pw-sly", role=Role.VIEWER)
    user.is_superuser = True
    user.save()
    user.refresh_from_db()
    assert (user.is_superuser, user.has_role(Role.EDITOR)) == (False, False)


def test_createsuperuser_makes_an_admin(db: None) -> None:
    user = User.objects.create_superuser(username="root", password="pw-root-long")
    assert (user.role, user.is_superuser) == (Role.ADMIN, True)


def _post(user: User, incident: Incident, body: dict[str, Any]) -> Any:
    _, secret = create_token(username=user.username, name="t")
    return Client().post(
        f"/api/incidents/{incident.pk}/events",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )


@pytest.fixture
def incident(db: None) -> Incident:
    return declare_incident(title="checkout down")


def test_the_actor_of_a_posted_event_is_the_tokens_user(
    a_responder: User, incident: Incident
) -> None:
    _post(a_responder, incident, {"text": "rolled back", "actor_name": "The CEO"})
    event = TimelineEvent.objects.get(source="api")
    assert (event.actor_id, event.actor_name) == (
        a_responder.pk,
        "The CEO (via rita-responder)",
    )


@pytest.mark.parametrize(
    "kind", ["monitor_down", "alert_firing", "status_update", "status_change", "declared"]
)
def test_a_kind_reserved_to_the_system_cannot_be_posted(
    a_responder: User, incident: Incident, kind: str
) -> None:
    response = _post(a_responder, incident, {"text": "fake", "kind": kind})
    assert (response.status_code, "cannot be appended" in response.json()["detail"]) == (
        400,
        True,
    )
    assert not TimelineEvent.objects.filter(source="api").exists()


def test_back_dating_without_the_marker_is_refused(a_responder: User, incident: Incident) -> None:
    past = (timezone.now() - timedelta(hours=2)).isoformat()
    response = _post(a_responder, incident, {"text": "paged on-call", "occurred_at": past})
    assert (response.status_code, '"remembered_later": true' in response.json()["detail"]) == (
        400,
        True,
    )


def test_back_dating_with_the_marker_is_recorded_and_shown(
    a_responder: User, incident: Incident, client: Client
) -> None:
    past = (timezone.now() - timedelta(hours=2)).isoformat()
    response = _post(
        a_responder,
        incident,
        {"text": "paged on-call", "occurred_at": past, "remembered_later": True},
    )
    client.force_login(a_responder)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert (response.status_code, response.json()["remembered_later"]) == (201, True)
    assert "remembered later" in page
