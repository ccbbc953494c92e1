"""The Outbox page: an admin sees dead letters, retries or discards them; nobody else may."""

from __future__ import annotations

import pytest

from hindsight.outbox.models import Delivery, DeliveryState
from tests.outbox.conftest import queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_letter(tally) -> Delivery:
    [delivery] = queue(1, prefix="crm")
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.DEAD, attempts=8, last_error="HTTP 410 from https://crm.example/hook"
    )
    return Delivery.objects.get(pk=delivery.pk)


def test_it_shows_an_admin_each_dead_letter_with_its_error(client, an_admin, dead_letter):
    client.force_login(an_admin)
    page = client.get("/outbox/").content.decode()
    assert "HTTP 410 from https://crm.example/hook" in page
    assert str(dead_letter.pk) in page
    assert "crm 0" in page  # where it was going


def test_retry_queues_it_again_with_fresh_attempts(client, an_admin, dead_letter, tally):
    client.force_login(an_admin)
    response = client.post(f"/outbox/{dead_letter.pk}/retry/", {"state": "dead"})
    assert response.status_code == 302
    dead_letter.refresh_from_db()
    assert (dead_letter.state, dead_letter.attempts) == ("pending", 0)
    from hindsight.outbox.services import deliver_due

    assert deliver_due(worker="w") == (1, 0)
    assert tally.sent == [str(dead_letter.pk)]


def test_discard_gives_it_up_for_good(client, an_admin, dead_letter):
    client.force_login(an_admin)
    client.post(f"/outbox/{dead_letter.pk}/discard/", {"state": "dead"})
    dead_letter.refresh_from_db()
    assert dead_letter.state == "discarded"
    assert str(dead_letter.pk) not in client.get("/outbox/").content.decode()


def test_a_delivered_message_cannot_be_retried(client, an_admin, dead_letter):
    Delivery.objects.filter(pk=dead_letter.pk).update(state=DeliveryState.DELIVERED)
    client.force_login(an_admin)
    response = client.post(f"/outbox/{dead_letter.pk}/retry/", follow=True)
    assert "A delivered delivery cannot be retried" in response.content.decode()
    dead_letter.refresh_from_db()
    assert dead_letter.state == "delivered"


@pytest.mark.parametrize("path", ["/outbox/", "/outbox/{pk}/retry/", "/outbox/{pk}/discard/"])
def test_it_refuses_everyone_but_admins(client, an_editor, dead_letter, path):
    client.force_login(an_editor)
    url = path.format(pk=dead_letter.pk)
    response = client.post(url) if "{pk}" in path else client.get(url)
    assert response.status_code == 403
    dead_letter.refresh_from_db()
    assert dead_letter.state == "dead"


def test_the_navigation_shows_the_outbox_to_admins_only(client, an_admin, an_editor):
    client.force_login(an_editor)
    assert 'href="/outbox/"' not in client.get("/incidents/").content.decode()
    client.force_login(an_admin)
    assert 'href="/outbox/"' in client.get("/incidents/").content.decode()
