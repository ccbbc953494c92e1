"""Public status page views (no login) — the live fallback for the static snapshot.

Each view renders the same document the snapshot holds, so a page looks the
same whether it came from a file or from Django.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from hindsight.accounts.clientip import client_address
from hindsight.statuspage import content, render, snapshot, subscribers
from hindsight.statuspage.models import StatusPage
from hindsight.statuspage.services import tick_maintenance

log = logging.getLogger(__name__)

PUBLIC_CACHE = "public, max-age=10"
_refreshing = threading.Lock()


def _page(slug: str | None) -> StatusPage:
    if slug is None:
        page = content.get_default_page()
        if page is None:
            raise Http404("No status page has been set up yet.")
        return page
    return get_object_or_404(StatusPage, slug=slug)


def _refresh_snapshot(page: StatusPage) -> None:
    """Republish when the snapshot is missing or stale; the request still gets served."""
    try:
        manifest = (snapshot.snapshot_root() / "site.json").read_text(encoding="utf-8")
        fresh = json.loads(manifest).get("fresh_until", {}).get(page.slug, 0)
    except (OSError, ValueError):
        fresh = 0
    if fresh > time.time() or not _refreshing.acquire(blocking=False):
        return  # fresh, or another request of this process is already on it
    try:
        snapshot.publish_snapshot(page)
    except Exception:
        log.exception("Republishing the snapshot of %s failed", page.slug)
    finally:
        _refreshing.release()


def _respond(document: render.Document, status: int = 200) -> HttpResponse:
    response = HttpResponse(document.body, content_type=document.content_type, status=status)
    response["Cache-Control"] = PUBLIC_CACHE
    if document.content_type.startswith("application/json"):
        response["Access-Control-Allow-Origin"] = "*"
    return response


def _public(build: Callable[..., render.Document]) -> Callable[..., HttpResponse]:
    """A public GET view: find the page, run due transitions, render, refresh the snapshot."""

    @login_not_required
    @require_safe
    def view(request: HttpRequest, slug: str | None = None, **kwargs: object) -> HttpResponse:
        page = _page(slug)
        tick_maintenance(page=page)
        try:
            document = build(page, **kwargs)
        except render.NotFound as exc:
            raise Http404(str(exc)) from None
        _refresh_snapshot(page)
        return _respond(document)

    view.__name__ = build.__name__
    view.__doc__ = build.__doc__
    return view


index = _public(render.index)
history = _public(render.history)
badge = _public(render.badge)


def _incident(page: StatusPage, pk: int) -> render.Document:
    return render.incident_page(page, pk)


def _api(page: StatusPage, name: str) -> render.Document:
    return render.api_document(page, name)


def _atom(page: StatusPage) -> render.Document:
    return render.feed(page, "atom")


def _rss(page: StatusPage) -> render.Document:
    return render.feed(page, "rss")


incident = _public(_incident)
api = _public(_api)
feed_atom = _public(_atom)
feed_rss = _public(_rss)


def _client(request: HttpRequest) -> str:
    # The direct peer, or behind HINDSIGHT_TRUSTED_PROXY the address the proxy saw.
    return client_address(request)


@login_not_required
@csrf_exempt  # anonymous, sessionless form that the static snapshot serves; opt-in by email
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Show the sign-up form; on POST start a double opt-in subscription."""
    page = _page(slug)
    if request.method == "GET":
        return _respond(render.subscribe_page(page))
    email = request.POST.get("email", "")
    component_ids = [int(v) for v in request.POST.getlist("components") if v.isdigit()]
    try:
        notice = subscribers.subscribe_email(
            page=page, email=email, component_ids=component_ids, client=_client(request)
        )
    except subscribers.RateLimited as exc:
        response = _respond(render.subscribe_page(page, error=str(exc), email=email), status=429)
        response["Retry-After"] = "600"
        return response
    except subscribers.SubscribeError as exc:
        return _respond(render.subscribe_page(page, error=str(exc), email=email), status=400)
    response = _respond(render.subscribe_page(page, notice=notice))
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
@require_safe
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm an email subscription from the link in the confirmation email."""
    subscriber = subscribers.confirm(token=token)
    if subscriber is None:
        page = _page(None)
        document = render.message_page(
            page,
            title="Link not valid",
            text="This confirmation link is not valid any more. Subscribe again to get a new one.",
            root="/status/",
        )
        return _no_store(_respond(document, status=404))
    document = render.message_page(
        subscriber.page,
        title="Subscription confirmed",
        text=f"You will get an email when {subscriber.page.title} posts an update.",
        root=content.page_url(subscriber.page),
    )
    return _no_store(_respond(document))


@login_not_required
@csrf_exempt  # RFC 8058 one-click unsubscribe: mail providers POST without a token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Unsubscribe with one click (the link in every email, or a List-Unsubscribe POST)."""
    page = subscribers.unsubscribe(token=token)
    shown = page or _page(None)
    document = render.message_page(
        shown,
        title="Unsubscribed",
        text="You will not get any more email from this status page."
        if page
        else "This address is not subscribed (any more); nothing was changed.",
        root=content.page_url(shown),
    )
    return _no_store(_respond(document))


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response
