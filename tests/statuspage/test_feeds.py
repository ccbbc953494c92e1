"""Atom and RSS feeds parse cleanly and carry each incident's updates."""

from __future__ import annotations

import feedparser
import pytest
from django.test import Client

from hindsight.statuspage import services


@pytest.mark.parametrize(
    ("path", "version"), [("/status/history.atom", "atom10"), ("/status/history.rss", "rss20")]
)
def test_the_feed_is_valid_and_lists_updates(an_incident, checkout, path, version):
    services.post_update(
        incident=an_incident,
        status="identified",
        message="Payments fail <b>sometimes</b> & retry",
        components={checkout: "partial_outage"},
    )
    response = Client().get(path)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == version
    assert parsed.feed.title == "Acme status - Incident history"
    [entry] = parsed.entries
    assert entry.title == "Checkout errors"
    assert entry.link == f"http://127.0.0.1:8000/status/incidents/{an_incident.pk}/"
    assert "Identified" in entry.summary
    assert "Payments fail &lt;b&gt;sometimes&lt;/b&gt; &amp; retry" in entry.summary


def test_an_empty_feed_is_still_valid(a_page):
    parsed = feedparser.parse(Client().get("/status/history.atom").content)
    assert not parsed.bozo
    assert parsed.entries == []
