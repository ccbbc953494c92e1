"""The index follows every write, by any path, in the same transaction."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from hindsight.core.search import search_text
from hindsight.incidents.models import EventKind, Incident, TimelineEvent
from hindsight.incidents.services import append_event
from hindsight.incidents.timeline import NewEvent, append_events
from hindsight.insights import schema
from hindsight.insights.search import search
from hindsight.postmortems.models import PostMortem

from .conftest import action, at, incident, postmortem

pytestmark = pytest.mark.django_db


def found(text: str, user: object) -> list[tuple[str, int]]:
    return [(hit.kind, hit.id) for hit in search(text=text, user=user).hits]


def test_it_finds_a_new_incident_by_its_summary(an_editor):
    made = incident("Checkout down", summary="The resolver returned SERVFAIL")
    assert found("servfail", an_editor) == [("incident", made.pk)]


def test_it_follows_an_edited_title(an_editor):
    made = incident("Checkout down")
    Incident.objects.filter(pk=made.pk).update(title="Search latency")
    assert (found("latency", an_editor), found("checkout", an_editor)) == (
        [("incident", made.pk)],
        [],
    )


def test_it_forgets_a_deleted_action_item(an_editor):
    item = action(incident("Checkout down"), "Rotate the signing keys")
    item.delete()
    assert found("signing", an_editor) == []


def test_it_follows_a_postmortem_saved_with_a_conditional_update(an_editor):
    pm = postmortem(incident("Checkout down"), body="Nothing yet.")
    PostMortem.objects.filter(pk=pm.pk, version=1).update(body="The quota was exhausted.")
    assert found("quota", an_editor) == [("postmortem", pm.pk)]


def test_it_indexes_events_from_the_raw_batch_insert(an_editor):
    made = incident("Checkout down")
    append_events(
        incident=made,
        events=[NewEvent(text="Failover to the standby region", occurred_at=at(1, 13))],
    )
    event = TimelineEvent.objects.get(incident=made)
    assert found("standby", an_editor) == [("event", event.pk)]


def test_it_leaves_out_hidden_events_and_takes_them_back_when_shown(an_editor):
    made = incident("Checkout down")
    event, _ = append_event(incident=made, text="Paged the wrong team", kind=EventKind.NOTE)
    TimelineEvent.objects.filter(pk=event.pk).update(hidden=True)
    hidden = found("wrong team", an_editor)
    TimelineEvent.objects.filter(pk=event.pk).update(hidden=False)
    assert (hidden, found("wrong team", an_editor)) == ([], [("event", event.pk)])


def test_it_rolls_back_with_the_change(an_editor):
    with pytest.raises(RuntimeError), transaction.atomic():
        incident("Checkout down", summary="Kafka partitions lagged")
        raise RuntimeError("the change fails after the insert")
    assert found("kafka", an_editor) == []


def test_it_indexes_a_postmortem_without_its_guidance_comments(an_editor):
    postmortem(incident("Checkout down"), body="# PM\n\n<!-- Describe the detection. -->\n")
    assert found("detection", an_editor) == []


def test_it_rebuilds_itself_when_a_table_lost_its_triggers(an_editor):
    made = incident("Checkout down")
    with connection.cursor() as cursor:  # what SQLite's table rebuild on ALTER does
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER insights_index_incident ON incidents_incident")
        else:
            cursor.execute("DROP TRIGGER insights_incident_update")
    Incident.objects.filter(pk=made.pk).update(title="Search latency")
    assert (schema.ensure_installed(connection), found("latency", an_editor)) == (
        True,
        [("incident", made.pk)],
    )


@pytest.mark.parametrize(
    "markdown",
    [
        "---\ntitle: x\n---\n# T\n\nText",
        "---\r\ntitle: x\r\n---\r\n# T\r\n<!-- a -->\r\nText",
        "# T\n<!-- one\nline two -->\nkept\n<!-- three -->\n---\nafter a rule\n---\n",
        "# T\n<!-- never closed\nText",
        "---\nno end of front matter\nText",
        "",
    ],
)
def test_the_database_reads_a_postmortem_as_core_does(markdown):
    with connection.cursor() as cursor:
        cursor.execute("SELECT hindsight_search_text(%s)", [markdown])
        assert cursor.fetchone()[0] == search_text(markdown)


def test_it_indexes_every_event_of_a_batch_larger_than_one_statement(an_editor):
    made = incident("Checkout down")
    events = [NewEvent(text=f"Pager storm {i}", occurred_at=at(1, 13)) for i in range(2500)]
    created = append_events(incident=made, events=events)
    assert (created, search(text="pager storm", user=an_editor).count) == (2500, 2500)
