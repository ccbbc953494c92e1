"""Atom and RSS feeds of a page's incidents; each entry carries its update history."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import escape

from hindsight.incidents.models import Incident
from hindsight.statuspage import content
from hindsight.statuspage.models import StatusPage

FEED_ITEMS = 50


def feed_request() -> HttpRequest:
    """A request for rendering feeds outside a web request (the snapshot)."""
    parts = urlsplit(settings.BASE_URL)
    request = HttpRequest()
    request.META["HTTP_HOST"] = parts.netloc
    request.META["SERVER_NAME"] = parts.hostname or "localhost"
    request.META["SERVER_PORT"] = str(parts.port or (443 if parts.scheme == "https" else 80))
    if parts.scheme == "https":
        request.META["wsgi.url_scheme"] = "https"
    return request


class _DatedByPage(SyndicationFeed):
    """A feed without entries is dated by its page, not by the clock, so two
    renderings are the same bytes (and the snapshot and Django send one ETag)."""

    def latest_post_date(self) -> datetime:
        if self.items:
            return super().latest_post_date()
        updated: datetime = self.feed["page_updated"]
        return updated


class StableRss(_DatedByPage, Rss201rev2Feed):
    pass


class StableAtom(_DatedByPage, Atom1Feed):
    pass


class RssFeed(Feed[Incident, StatusPage]):
    feed_type: type[SyndicationFeed] = StableRss

    def feed_extra_kwargs(self, page: StatusPage) -> dict[str, object]:
        return {"page_updated": page.updated_at}

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> StatusPage:
        raise NotImplementedError("views pass the page to get_feed directly")

    def title(self, page: StatusPage) -> str:
        return f"{page.title} - Incident history"

    def link(self, page: StatusPage) -> str:
        return content.page_url(page)

    def description(self, page: StatusPage) -> str:
        # RSS readers render a channel description as HTML.
        return f"Incidents and updates from {escape(page.title)}"

    def feed_url(self, page: StatusPage) -> str:
        return content.page_url(page) + (
            "history.atom" if issubclass(self.feed_type, Atom1Feed) else "history.rss"
        )

    def items(self, page: StatusPage) -> list[Incident]:
        self._page = page
        return list(content.public_incidents(page)[:FEED_ITEMS])

    def item_title(self, incident: Incident) -> str:
        return incident.shown_title

    def item_description(self, incident: Incident) -> str:
        return render_to_string(
            "statuspage/public/feed_entry.html",
            {"incident": incident, "zone": "UTC"},
        )

    def item_link(self, incident: Incident) -> str:
        return f"{content.page_url(self._page)}incidents/{incident.pk}/"

    def item_guid(self, incident: Incident) -> str:
        return f"{content.page_url(self._page)}incidents/{incident.pk}/"

    def item_pubdate(self, incident: Incident) -> datetime:
        return incident.started_at

    def item_updateddate(self, incident: Incident) -> datetime:
        updates = list(incident.status_updates.all())
        return max([incident.started_at, *(u.posted_at for u in updates)])

    def item_author_name(self, incident: Incident) -> str:
        return self._page.title


class AtomFeed(RssFeed):
    feed_type = StableAtom
    subtitle = RssFeed.description
