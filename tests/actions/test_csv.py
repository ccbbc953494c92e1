"""CSV export and import of action items: a spreadsheet round trip, all or nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hindsight.accounts.models import User
from hindsight.actions import csvio
from hindsight.actions.models import ActionItem
from hindsight.incidents.models import Incident

from .conftest import item

pytestmark = pytest.mark.django_db
HEADER = (
    "id,incident,title,owner,due_date,priority,kind,status,evidence,wont_do_reason,tracker_url\n"
)


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_export_has_one_row_per_item_with_its_owner_and_due_date(
    incident: Incident, a_responder: User, the_viewer: User
) -> None:
    alert = item(
        incident, "Alert on 502s", owner=a_responder, due_date=date(2026, 4, 1), priority="P1"
    )
    lines = _as(the_viewer).get("/actions/export.csv").content.decode().splitlines()
    assert lines == [
        HEADER.strip(),
        f"{alert.pk},{incident.pk},Alert on 502s,rita-responder,2026-04-01,P1,immediate,open,,,",
    ]


def test_a_title_that_looks_like_a_formula_is_quoted(incident: Incident) -> None:
    item(incident, '=HYPERLINK("http://evil")')
    assert "'=HYPERLINK" in csvio.export(ActionItem.objects.all())


def test_an_imported_row_with_an_id_updates_that_item(
    incident: Incident, a_responder: User, an_editor: User
) -> None:
    alert = item(incident, "Alert", owner=a_responder)
    text = (
        HEADER
        + f"{alert.pk},{incident.pk},Alert on 502s,ed-editor,2026-05-01,P2,long_term,in_progress,,,\n"
    )
    done = csvio.import_csv(text, actor=an_editor)
    alert.refresh_from_db()
    assert (done.updated, alert.title, alert.owner, alert.due_date, alert.status) == (
        1,
        "Alert on 502s",
        an_editor,
        date(2026, 5, 1),
        "in_progress",
    )


def test_a_row_without_an_id_adds_an_item_to_its_incident(
    incident: Incident, an_editor: User
) -> None:
    done = csvio.import_csv(
        HEADER + f",{incident.pk},Canary the rotation,,,P3,immediate,open,,,\n", actor=an_editor
    )
    assert (done.created, ActionItem.objects.get().title) == (1, "Canary the rotation")


def test_a_p1_marked_done_with_a_link_is_closed_with_it_as_evidence(
    incident: Incident, an_editor: User
) -> None:
    alert = item(incident, "Alert", priority="P1")
    pull = "https://git.example/shop/pull/9"
    csvio.import_csv(
        HEADER + f"{alert.pk},{incident.pk},Alert,,,P1,immediate,done,{pull},,\n", actor=an_editor
    )
    alert.refresh_from_db()
    assert (alert.status, alert.evidence_kind, alert.evidence_url) == ("done", "link", pull)


def test_one_bad_line_refuses_the_file_and_changes_nothing(
    incident: Incident, an_editor: User
) -> None:
    first = item(incident, "First")
    second = item(incident, "Second", priority="P1")
    text = HEADER + (
        f"{first.pk},{incident.pk},First renamed,,,P3,immediate,open,,,\n"
        f"{second.pk},{incident.pk},Second,,,P1,immediate,done,,,\n"
        f"{first.pk},{incident.pk},First,nobody,,P3,immediate,open,,,\n"
    )
    with pytest.raises(csvio.ImportRefused) as refused:
        csvio.import_csv(text, actor=an_editor)
    assert refused.value.errors[0].startswith("line 3: P1 action items close only with evidence")
    assert refused.value.errors[1] == "line 4: No active user named 'nobody' to own the item."
    assert sorted(ActionItem.objects.values_list("title", "status")) == [
        ("First", "open"),
        ("Second", "open"),
    ]


def test_the_import_page_says_what_was_refused(incident: Incident, a_responder: User) -> None:
    upload = SimpleUploadedFile("items.csv", b"name,when\nx,y\n", content_type="text/csv")
    reply = _as(a_responder).post("/actions/import/", {"file": upload}, follow=True)
    assert (
        "Nothing imported: The file needs a header row with the columns id, incident, title"
        in reply.content.decode()
    )
