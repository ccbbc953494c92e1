"""The action board, "my action items", the item page and the count in the navigation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.actions.models import ActionItem
from hindsight.incidents.models import Incident

from .conftest import item

pytestmark = pytest.mark.django_db


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_board_shows_each_item_with_its_incident(incident: Incident, the_viewer: User) -> None:
    item(incident, "Alert on trust-chain changes")
    page = _as(the_viewer).get("/actions/").content.decode()
    assert "Alert on trust-chain changes" in page
    assert f"#{incident.pk} Checkout 502s" in page


def test_the_board_filters_by_priority(incident: Incident, the_viewer: User) -> None:
    item(incident, "Urgent one", priority="P1")
    item(incident, "Low one", priority="P4")
    page = _as(the_viewer).get("/actions/", {"priority": "P1"}).content.decode()
    assert ("Urgent one" in page, "Low one" in page) == (True, False)


def test_a_bad_filter_says_what_is_wrong(incident: Incident, the_viewer: User) -> None:
    reply = _as(the_viewer).get("/actions/", {"due_before": "soon"})
    assert reply.status_code == 400
    assert "due_before must be a date (YYYY-MM-DD)." in reply.content.decode()


def test_my_items_are_only_mine_and_still_to_do(
    incident: Incident, a_responder: User, an_editor: User
) -> None:
    item(incident, "Mine, open", owner=a_responder)
    item(incident, "Mine, done", owner=a_responder, status="done")
    item(incident, "Theirs", owner=an_editor)
    page = _as(a_responder).get("/actions/mine/").content.decode()
    shown = [t for t in ("Mine, open", "Mine, done", "Theirs") if t in page]
    assert shown == ["Mine, open"]


def test_an_item_of_a_removed_user_shows_unowned(incident: Incident, the_viewer: User) -> None:
    gone = User.objects.create_user(username="left-co", password="x", role="responder")
    item(incident, "Orphaned item", owner=gone)
    gone.delete()
    page = _as(the_viewer).get("/actions/", {"owner": "none"}).content.decode()
    assert "Orphaned item" in page and "Unowned" in page


def test_the_navigation_counts_my_open_items(incident: Incident, a_responder: User) -> None:
    item(incident, "One", owner=a_responder)
    item(incident, "Two", owner=a_responder, status="in_progress")
    item(incident, "Done", owner=a_responder, status="done")
    page = _as(a_responder).get("/incidents/").content.decode()
    assert 'title="2 open items of yours">2</span>' in page


def test_bulk_update_sets_the_owner_of_the_ticked_items(
    incident: Incident, a_responder: User, an_editor: User
) -> None:
    one, two, untouched = (item(incident, t) for t in ("one", "two", "three"))
    _as(a_responder).post(
        "/actions/bulk/", {"item": [one.pk, two.pk], "bulk_owner": "ed-editor", "next": "/actions/"}
    )
    owners = {i.title: i.owner for i in ActionItem.objects.all()}
    assert owners == {"one": an_editor, "two": an_editor, "three": None}


def test_bulk_close_refuses_all_when_one_is_a_p1_without_proof(
    incident: Incident, a_responder: User
) -> None:
    easy = item(incident, "easy", priority="P4")
    hard = item(incident, "hard", priority="P1")
    reply = _as(a_responder).post(
        "/actions/bulk/", {"item": [easy.pk, hard.pk], "bulk_status": "done"}, follow=True
    )
    assert f"Nothing was changed: item #{hard.pk} “hard”" in reply.content.decode()
    assert set(ActionItem.objects.values_list("status", flat=True)) == {"open"}


def test_bulk_moves_the_due_date(incident: Incident, a_responder: User) -> None:
    one = item(incident, "one", due_date=date(2026, 3, 1))
    _as(a_responder).post("/actions/bulk/", {"item": [one.pk], "bulk_due_date": "2026-04-15"})
    assert ActionItem.objects.get().due_date == date(2026, 4, 15)


def test_closing_on_the_item_page_with_a_note_shows_the_proof(
    incident: Incident, a_responder: User
) -> None:
    alert = item(incident, "Alert", priority="P1")
    client = _as(a_responder)
    note = "Replayed the failing chain: the alert fired"
    reply = client.post(
        f"/actions/{alert.pk}/close/",
        {"outcome": "done", "kind": "note", "text": note},
        follow=True,
    )
    assert f"Verified: {note}" in reply.content.decode()


def test_the_item_page_asks_for_proof_for_a_p1(incident: Incident, a_responder: User) -> None:
    alert = item(incident, "Alert", priority="P1")
    reply = _as(a_responder).post(
        f"/actions/{alert.pk}/close/", {"outcome": "done", "kind": ""}, follow=True
    )
    assert "Not closed: P1 action items close only with evidence" in reply.content.decode()
    assert ActionItem.objects.get().status == "open"


def test_wont_do_without_a_reason_is_refused_on_the_page(
    incident: Incident, a_responder: User
) -> None:
    alert = item(incident, "Alert")
    reply = _as(a_responder).post(
        f"/actions/{alert.pk}/close/", {"outcome": "wont_do", "reason": " "}, follow=True
    )
    assert "Not closed: &quot;Won&#x27;t do&quot; needs a reason" in reply.content.decode()


def test_an_overdue_item_has_the_badge(incident: Incident, the_viewer: User) -> None:
    item(incident, "Late", due_date=timezone.localdate() - timedelta(days=3))
    page = _as(the_viewer).get("/actions/", {"overdue": "true"}).content.decode()
    assert "Late" in page and '<span class="badge overdue">Overdue</span>' in page


def test_an_alert_rule_picked_on_the_item_page_is_the_proof(
    incident: Incident, a_responder: User
) -> None:
    from hindsight.integrations.services import create_integration

    source, _ = create_integration(name="Prometheus", kind="alertmanager")
    alert = item(incident, "Alert", priority="P2")
    form = {
        "outcome": "done",
        "kind": "monitor",
        "monitor": f"integration:{source.pk}",
        "rule": "CheckoutTrustChain",
    }
    page = _as(a_responder).post(f"/actions/{alert.pk}/close/", form, follow=True).content.decode()
    assert "Verified by the alert rule <code>CheckoutTrustChain</code> of Prometheus" in page
