"""The search page and the search box in the navigation."""

from __future__ import annotations

import pytest

from .conftest import incident

pytestmark = pytest.mark.django_db


def test_it_offers_a_search_box_on_every_page(client, the_viewer):
    client.force_login(the_viewer)
    assert 'action="/search/" role="search"' in client.get("/incidents/").content.decode()


def test_it_lists_hits_with_their_snippet(client, the_viewer):
    made = incident("Checkout outage", summary="The gateway refused connections")
    client.force_login(the_viewer)
    page = client.get("/search/", {"q": "gateway"}).content.decode()
    assert f'href="/incidents/{made.pk}/">Checkout outage</a>' in page
    assert "The <mark>gateway</mark> refused connections" in page


def test_it_escapes_a_hostile_title_and_snippet(client, the_viewer):
    incident("<script>alert(1)</script>", summary="<img src=x onerror=alert(2)> gateway")
    client.force_login(the_viewer)
    page = client.get("/search/", {"q": "gateway"}).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page


def test_it_shows_a_bad_search_as_a_message(client, the_viewer):
    client.force_login(the_viewer)
    response = client.get("/search/", {"q": "-staging"})
    assert response.status_code == 400
    assert "Add a word to look for" in response.content.decode()


def test_it_opens_empty_without_an_error(client, the_viewer):
    client.force_login(the_viewer)
    response = client.get("/search/")
    assert (response.status_code, 'role="alert"' in response.content.decode()) == (200, False)
