"""The action-items API, checked from outside exactly as issue 13 writes it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from hindsight.accounts.models import AuditEntry, User
from hindsight.actions.models import ActionItem
from hindsight.incidents.models import Incident
from hindsight.incidents.services import declare_incident
from hindsight.monitors.models import Monitor

from .conftest import Api, item

pytestmark = pytest.mark.django_db

P1_NO_EVIDENCE = "P1 action items close only with evidence that the fix works"


def test_the_list_has_the_items_fields(incident: Incident, the_viewer: User) -> None:
    alert = item(incident, "Alert on trust-chain changes", priority="P1", owner=the_viewer)
    (found,) = Api(the_viewer).get("/").json()["items"]
    assert {k: found[k] for k in ("id", "title", "status", "priority", "owner", "incident")} == {
        "id": alert.pk,
        "title": "Alert on trust-chain changes",
        "status": "open",
        "priority": "P1",
        "owner": "vera-viewer",
        "incident": incident.pk,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"owner": "rita-responder"}, ["owned by rita"]),
        ({"owner": "none"}, ["done P3", "overdue P2", "other incident"]),
        ({"status": "done"}, ["done P3"]),
        ({"overdue": "true"}, ["overdue P2"]),
        ({"priority": "P2"}, ["overdue P2"]),
        ({"service": "checkout"}, ["owned by rita", "done P3", "overdue P2"]),
    ],
)
def test_it_filters_as_the_board_does(
    incident: Incident,
    a_responder: User,
    the_viewer: User,
    query: dict[str, str],
    expected: list[str],
) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    item(incident, "owned by rita", owner=a_responder, priority="P1")
    item(incident, "done P3", status="done")
    item(incident, "overdue P2", priority="P2", due_date=yesterday)
    other = declare_incident(title="Search slow", severity="SEV3")
    item(other, "other incident", priority="P4")
    titles = {i["title"] for i in Api(the_viewer).get("/", **query).json()["items"]}
    assert titles == set(expected)


def test_it_filters_by_incident(incident: Incident, the_viewer: User) -> None:
    item(incident, "ours")
    item(declare_incident(title="Search slow"), "theirs")
    found = Api(the_viewer).get("/", incident=str(incident.pk)).json()["items"]
    assert [i["title"] for i in found] == ["ours"]


def test_an_unknown_filter_value_is_a_json_400(incident: Incident, the_viewer: User) -> None:
    reply = Api(the_viewer).get("/", status="finished")
    assert (reply.status_code, reply.json()["code"]) == (400, "bad_request")
    assert "status must be one of open, in_progress, done, wont_do" in reply.json()["detail"]


def test_an_item_of_a_restricted_incident_looks_missing_to_a_viewer(the_viewer: User) -> None:
    secret = declare_incident(title="Breach", restricted=True)
    hidden = item(secret, "Rotate keys")
    assert Api(the_viewer).get(f"/{hidden.pk}").status_code == 404


def test_patch_changes_the_owner_and_due_date(
    incident: Incident, a_responder: User, an_editor: User
) -> None:
    alert = item(incident, "Alert")
    reply = Api(a_responder).patch(f"/{alert.pk}", {"owner": "ed-editor", "due_date": "2026-04-01"})
    assert (reply.json()["owner"], reply.json()["due_date"]) == ("ed-editor", "2026-04-01")


def test_patch_is_audit_logged_with_the_change(incident: Incident, a_responder: User) -> None:
    alert = item(incident, "Alert", priority="P3")
    Api(a_responder).patch(f"/{alert.pk}", {"priority": "P2"})
    entry = AuditEntry.objects.get(action="action_item.updated")
    assert (entry.actor_name, entry.changes) == ("rita-responder", {"priority": ["P3", "P2"]})


def test_patch_to_an_unknown_owner_is_refused_and_changes_nothing(
    incident: Incident, a_responder: User
) -> None:
    alert = item(incident, "Alert", owner=a_responder, due_date=date(2026, 4, 1))
    reply = Api(a_responder).patch(f"/{alert.pk}", {"owner": "nobody", "due_date": "2026-05-01"})
    assert (reply.status_code, reply.json()["detail"]) == (
        400,
        "No active user named 'nobody' to own the item.",
    )
    alert.refresh_from_db()
    assert (alert.owner, alert.due_date) == (a_responder, date(2026, 4, 1))


def test_a_viewer_may_not_patch(incident: Incident, the_viewer: User) -> None:
    alert = item(incident, "Alert")
    reply = Api(the_viewer).patch(f"/{alert.pk}", {"priority": "P1"})
    assert (reply.status_code, reply.json()["code"]) == (403, "forbidden")


def test_closing_a_p1_without_evidence_is_a_422_that_asks_for_it(
    incident: Incident, a_responder: User
) -> None:
    alert = item(incident, "Alert", priority="P1")
    reply = Api(a_responder).post(f"/{alert.pk}/close", {})
    assert (reply.status_code, reply.json()["code"]) == (422, "evidence_required")
    assert reply.json()["detail"].startswith(P1_NO_EVIDENCE)
    alert.refresh_from_db()
    assert alert.status == "open"


def test_patching_a_p2_to_done_without_evidence_is_refused_too(
    incident: Incident, a_responder: User
) -> None:
    alert = item(incident, "Alert", priority="P2")
    reply = Api(a_responder).patch(f"/{alert.pk}", {"status": "done"})
    assert (reply.status_code, reply.json()["code"]) == (422, "evidence_required")


def test_closing_with_a_link_is_done_with_the_link_as_evidence(
    incident: Incident, a_responder: User
) -> None:
    alert = item(incident, "Alert", priority="P1")
    pull = "https://git.example/shop/pull/42"
    reply = Api(a_responder).post(f"/{alert.pk}/close", {"evidence": {"kind": "link", "url": pull}})
    assert reply.status_code == 200
    assert (reply.json()["status"], reply.json()["evidence"]) == (
        "done",
        {"kind": "link", "url": pull, "monitor": None, "integration": None, "text": None},
    )


def test_closing_with_a_monitor_names_it_by_id(incident: Incident, a_responder: User) -> None:
    monitor = Monitor.objects.create(name="Checkout trust chain", target="https://shop.example")
    alert = item(incident, "Alert", priority="P2")
    body = {"evidence": {"kind": "monitor", "monitor": monitor.pk}}
    reply = Api(a_responder).post(f"/{alert.pk}/close", body)
    assert (reply.json()["status"], reply.json()["evidence"]["monitor"]) == ("done", monitor.pk)


def test_closing_with_a_test_note_keeps_the_note(incident: Incident, a_responder: User) -> None:
    alert = item(incident, "Alert", priority="P1")
    note = "Replayed the expired-chain request in staging: the alert fired in 40 s."
    reply = Api(a_responder).post(
        f"/{alert.pk}/close", {"evidence": {"kind": "note", "text": note}}
    )
    assert (reply.json()["status"], reply.json()["evidence"]["text"]) == ("done", note)


def test_an_unknown_monitor_is_a_clear_422_and_the_item_stays_open(
    incident: Incident, a_responder: User
) -> None:
    alert = item(incident, "Alert", priority="P1")
    body = {"evidence": {"kind": "monitor", "monitor": "no such"}}
    reply = Api(a_responder).post(f"/{alert.pk}/close", body)
    assert (reply.status_code, reply.json()["code"]) == (422, "invalid_evidence")
    assert reply.json()["detail"].startswith("No monitor 'no such'")
    assert ActionItem.objects.get(pk=alert.pk).status == "open"


def test_a_link_that_is_no_url_is_a_clear_422(incident: Incident, a_responder: User) -> None:
    alert = item(incident, "Alert", priority="P1")
    reply = Api(a_responder).post(
        f"/{alert.pk}/close", {"evidence": {"kind": "link", "url": "PR 42"}}
    )
    assert (reply.status_code, reply.json()["code"]) == (422, "invalid_evidence")


def test_a_p3_closes_without_evidence(incident: Incident, a_responder: User) -> None:
    tidy = item(incident, "Tidy the runbook", priority="P3")
    reply = Api(a_responder).post(f"/{tidy.pk}/close", {})
    assert (reply.status_code, reply.json()["status"], reply.json()["closed_by"]) == (
        200,
        "done",
        "rita-responder",
    )


def test_wont_do_without_a_reason_is_refused(incident: Incident, a_responder: User) -> None:
    alert = item(incident, "Alert")
    reply = Api(a_responder).patch(f"/{alert.pk}", {"status": "wont_do"})
    assert (reply.status_code, reply.json()["code"]) == (422, "reason_required")
    assert ActionItem.objects.get(pk=alert.pk).status == "open"


def test_wont_do_with_a_reason_keeps_the_reason(incident: Incident, a_responder: User) -> None:
    alert = item(incident, "Alert")
    body = {"status": "wont_do", "wont_do_reason": "The gateway is retired in May."}
    reply = Api(a_responder).patch(f"/{alert.pk}", body)
    assert (reply.json()["status"], reply.json()["wont_do_reason"]) == (
        "wont_do",
        "The gateway is retired in May.",
    )


def test_closing_is_audit_logged_with_the_evidence(incident: Incident, a_responder: User) -> None:
    alert = item(incident, "Alert", priority="P1")
    note = {"kind": "note", "text": "Tested in staging"}
    Api(a_responder).post(f"/{alert.pk}/close", {"evidence": note})
    entry = AuditEntry.objects.get(action="action_item.closed")
    assert (entry.changes["status"], entry.changes["evidence"]) == (
        ["open", "done"],
        ["", "Tested in staging"],
    )


def test_reopening_clears_the_old_proof(incident: Incident, a_responder: User) -> None:
    alert = item(incident, "Alert", priority="P1")
    Api(a_responder).post(f"/{alert.pk}/close", {"evidence": {"kind": "note", "text": "ok"}})
    reply = Api(a_responder).patch(f"/{alert.pk}", {"status": "open"})
    assert (reply.json()["status"], reply.json()["evidence"], reply.json()["completed_at"]) == (
        "open",
        None,
        None,
    )


def test_a_nul_character_in_a_title_is_dropped_at_the_edge(
    incident: Incident, a_responder: User
) -> None:
    alert = item(incident, "Alert")
    reply = Api(a_responder).patch(f"/{alert.pk}", {"title": "Alert\u0000 on 502s"})
    assert (reply.status_code, ActionItem.objects.get().title) == (200, "Alert on 502s")


def test_an_oversized_note_is_refused_and_the_item_stays_open(
    incident: Incident, a_responder: User
) -> None:
    alert = item(incident, "Alert", priority="P1")
    body = {"evidence": {"kind": "note", "text": "x" * 5001}}
    reply = Api(a_responder).post(f"/{alert.pk}/close", body)
    assert (reply.status_code, reply.json()["detail"]) == (
        422,
        "A test note is at most 5000 characters.",
    )
    assert ActionItem.objects.get().status == "open"


def test_closing_with_an_alert_rule_of_an_alert_source_keeps_both(
    incident: Incident, a_responder: User
) -> None:
    from hindsight.integrations.services import create_integration

    source, _ = create_integration(name="Prometheus", kind="alertmanager")
    alert = item(incident, "Alert", priority="P1")
    rule = {"kind": "monitor", "monitor": f"integration:{source.pk}", "text": "CheckoutTrustChain"}
    evidence = Api(a_responder).post(f"/{alert.pk}/close", {"evidence": rule}).json()["evidence"]
    assert (evidence["integration"], evidence["text"]) == (source.pk, "CheckoutTrustChain")


def test_an_alert_source_without_the_rule_named_is_refused(
    incident: Incident, a_responder: User
) -> None:
    from hindsight.integrations.services import create_integration

    source, _ = create_integration(name="Prometheus", kind="alertmanager")
    alert = item(incident, "Alert", priority="P1")
    rule = {"kind": "monitor", "monitor": f"integration:{source.pk}"}
    reply = Api(a_responder).post(f"/{alert.pk}/close", {"evidence": rule})
    assert (reply.status_code, reply.json()["detail"]) == (
        422,
        "Name the alert rule of that source that now covers the failure.",
    )
