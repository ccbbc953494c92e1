"""The audit log: who changed what and when, append-only, filterable and exportable."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from hindsight.accounts.models import AuditEntry, Role, User
from hindsight.accounts.services import create_user, set_role
from hindsight.catalog.models import Component
from hindsight.cli import _register, app
from hindsight.incidents.services import declare_incident
from hindsight.monitors import services as monitor_services
from hindsight.monitors.models import Monitor

from .support import monitor_form


def _actions() -> list[tuple[str, str, str]]:
    return [(e.actor_name, e.via, e.action) for e in AuditEntry.objects.order_by("id")]


def test_a_role_change_from_the_cli_is_recorded_as_the_command_lines(db: None) -> None:
    create_user(username="sam", role="viewer", password="pw-long-enough-1")
    _register()
    CliRunner().invoke(app, ["users", "set-role", "sam", "editor"], catch_exceptions=False)
    entry = AuditEntry.objects.get(action="user.role_changed")
    assert (entry.actor_name, entry.via, entry.target_name, entry.changes) == (
        "cli",
        "cli",
        "sam",
        {"role": ["viewer", "editor"]},
    )


def test_a_monitor_edit_on_a_page_names_the_editor_and_the_fields(
    an_editor: User, client: Client
) -> None:
    monitor = monitor_services.save_monitor(
        monitor=Monitor(name="web", target="http://127.0.0.1:9/")
    )
    client.force_login(an_editor)
    client.post(
        f"/monitors/{monitor.pk}/edit/",
        monitor_form(interval_seconds=120, username="ops", password="hunter2"),
    )
    entry = AuditEntry.objects.filter(action="monitor.updated").get()
    assert (entry.actor_name, entry.via, entry.changes["interval_seconds"]) == (
        "ed-editor",
        "web",
        [60, 120],
    )
    assert (entry.changes["credentials"], "hunter2" in json.dumps(entry.changes)) == (
        ["basic auth"],
        False,
    )


def test_an_incident_status_change_through_the_api_is_recorded(a_responder: User) -> None:
    from hindsight.accounts.services import create_token

    incident = declare_incident(title="x")
    _, secret = create_token(username=a_responder.username, name="t")
    Client().post(
        f"/api/incidents/{incident.pk}/status",
        {"status": "identified"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    entry = AuditEntry.objects.get(action="incident.status_change")
    assert (entry.actor_name, entry.via, entry.changes) == (
        "rita-responder",
        "api",
        {"status": ["investigating", "identified"]},
    )


def test_an_edit_in_the_django_admin_is_recorded(an_admin: User, client: Client) -> None:
    client.force_login(an_admin)
    component = Component.objects.create(name="Checkout")
    url = f"/admin/catalog/component/{component.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in ((n, form[n].value()) for n in form.fields) if v is not None}
    for stamp in ("created_at", "updated_at"):
        if stamp in data:
            del data[stamp]
            data[f"{stamp}_0"], data[f"{stamp}_1"] = "2026-12-01", "10:00:00"
    data["name"] = "Checkout API"
    client.post(url, data)
    entry = AuditEntry.objects.get()
    assert (entry.actor_name, entry.via, entry.action, entry.target_name) == (
        "ada-admin",
        "admin",
        "component.changed",
        "Checkout API",
    )


def test_entries_cannot_be_changed_or_deleted(db: None) -> None:
    lifecycle_user = User.objects.create_user(username="z", password="pw-long-enough-2")
    set_role(username="z", role=Role.EDITOR)
    entry = AuditEntry.objects.get(action="user.role_changed")
    entry.summary = "nothing happened"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(summary="x")
    assert lifecycle_user.pk and AuditEntry.objects.count() == 1


def test_admins_filter_the_log_by_action(an_admin: User, client: Client) -> None:
    declare_incident(title="one")
    set_role(username=an_admin.username, role=Role.ADMIN)
    client.force_login(an_admin)
    page = client.get("/admin/accounts/auditentry/?action=incident.declared")
    assert [e.action for e in page.context["cl"].result_list] == ["incident.declared"]


def test_a_non_admin_cannot_read_the_log(an_editor: User, client: Client) -> None:
    client.force_login(an_editor)
    assert client.get("/admin/accounts/auditentry/").status_code == 302


def _export(client: Client, action: str) -> Any:
    ids = [str(pk) for pk in AuditEntry.objects.values_list("pk", flat=True)]
    return client.post("/admin/accounts/auditentry/", {"action": action, "_selected_action": ids})


def test_the_log_exports_as_csv_without_running_formulas(an_admin: User, client: Client) -> None:
    from hindsight.accounts.audit import record

    record(action="incident.declared", summary="=cmd|' /C calc'!A0")
    client.force_login(an_admin)
    rows = list(csv.DictReader(io.StringIO(_export(client, "export_csv").content.decode())))
    assert [(r["action"], r["summary"]) for r in rows] == [
        ("incident.declared", "'=cmd|' /C calc'!A0")
    ]


def test_the_log_exports_as_json(an_admin: User, client: Client) -> None:
    declare_incident(title="checkout down")
    client.force_login(an_admin)
    entries = json.loads(_export(client, "export_json").content)
    assert [(e["action"], e["via"]) for e in entries] == [("incident.declared", "system")]


@pytest.fixture
def draft(an_editor: User) -> Any:
    from hindsight.incidents.lifecycle import change_status
    from hindsight.postmortems.models import PostMortem

    incident = declare_incident(title="Checkout down", severity="SEV2")  # needs a post-mortem
    change_status(incident=incident, status="resolved", actor=an_editor)
    return PostMortem.objects.get(incident=incident)


def test_a_postmortem_save_is_recorded_with_its_versions(an_editor: User, draft: Any) -> None:
    from hindsight.postmortems.services import save_body

    save_body(
        postmortem=draft,
        body=draft.body + "\nMore detail.\n",
        author=an_editor,
        expected_version=draft.version,
        note="added detail",
    )
    entry = AuditEntry.objects.get(action="postmortem.saved")
    assert (entry.actor_name, entry.changes, entry.summary) == (
        "ed-editor",
        {"version": [1, 2]},
        "added detail",
    )


def test_an_action_item_written_into_a_postmortem_is_recorded(an_editor: User, draft: Any) -> None:
    from hindsight.postmortems.services import save_body

    body = draft.body + "\n## Action items\n\n- [ ] Add an alert on checkout errors\n"
    save_body(postmortem=draft, body=body, author=an_editor, expected_version=draft.version)
    created = AuditEntry.objects.filter(action="action_item.created")
    assert [(e.target_type, e.target_name) for e in created] == [
        ("actions.actionitem", "Add an alert on checkout errors")
    ]


def test_a_postmortem_status_change_is_recorded(an_editor: User, draft: Any) -> None:
    from hindsight.postmortems.services import transition

    transition(postmortem=draft, to="in_review", actor=an_editor)
    entry = AuditEntry.objects.get(action="postmortem.status_changed")
    assert (entry.actor_name, entry.changes) == ("ed-editor", {"status": ["draft", "in_review"]})
