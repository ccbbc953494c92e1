"""Public status page views (no login) — the live fallback for the static snapshot.

Each view renders the same document the snapshot holds, so a page looks the
same whether it came from a file or from Django. A GET never writes: the
worker moves maintenance along and rewrites the snapshot; links in emails
show a button, and only its POST confirms or unsubscribes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from hindsight.accounts.clientip import client_address
from hindsight.statuspage import content, render, snapshot, static, subscribers
from hindsight.statuspage.models import StatusPage, Subscriber

log = logging.getLogger(__name__)


def _page(slug: str | None) -> StatusPage:
    if slug is None:
        page = content.get_default_page()
        if page is None:
            raise Http404("No status page has been set up yet.")
        return page
    return get_object_or_404(StatusPage, slug=slug)


def _respond(document: render.Document, status: int = 200) -> HttpResponse:
    response = HttpResponse(document.body, content_type=document.content_type, status=status)
    response["Cache-Control"] = static.CACHE_CONTROL
    if document.content_type.startswith("application/json"):
        response["Access-Control-Allow-Origin"] = "*"
    return response


def _snapshot_modified(request: HttpRequest, tag: str) -> float | None:
    """When the snapshot file holding these same bytes was written, if one does."""
    route = request.META.get("hindsight.route")  # set by the snapshot server in front
    if not route or route[1] is None:
        return None
    path = snapshot.snapshot_root() / route[0] / route[1]
    try:
        same = static.content_tag(path.read_bytes()) == tag
        return path.stat().st_mtime if same else None
    except OSError:
        return None


def _cached(request: HttpRequest, document: render.Document) -> HttpResponse:
    """A public document with the snapshot server's validators, conditional answer and encoding."""
    tag = static.content_tag(document.body)
    modified = _snapshot_modified(request, tag) or time.time()
    environ = request.META
    encoding = static.chosen_encoding(environ, document.content_type, len(document.body))
    if static.not_modified(environ, tag, modified):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = _respond(
            render.Document(static.encode(document.body, encoding), document.content_type)
        )
    weak = static.is_weak(document.body)
    for name, value in static.cache_headers(tag, modified, encoding, weak=weak):
        response[name] = value
    return response


def _public(build: Callable[..., render.Document]) -> Callable[..., HttpResponse]:
    """A public GET view: find the page, render it as the snapshot would."""

    @login_not_required
    @require_safe
    def view(request: HttpRequest, slug: str | None = None, **kwargs: object) -> HttpResponse:
        page = _page(slug)
        try:
            document = build(page, **kwargs)
        except render.NotFound as exc:
            raise Http404(str(exc)) from None
        return _cached(request, document)

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
maintenance_calendar = _public(render.maintenance_feed)
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
@csrf_exempt  # anonymous and sessionless: the token in the link is the secret
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm an email subscription: the emailed link shows a button, its POST confirms.

    Mail scanners open links; only a person pressing the button subscribes.
    """
    subscriber = Subscriber.objects.select_related("page").filter(confirm_token=token).first()
    if subscriber is None:
        document = render.message_page(
            _page(None),
            title="Link not valid",
            text="This confirmation link is not valid any more. Subscribe again to get a new one.",
            root="/status/",
        )
        return _no_store(_respond(document, status=404))
    page = subscriber.page
    if request.method == "POST":
        subscribers.confirm(token=token)
    elif subscriber.confirmed_at is None:
        document = render.message_page(
            page,
            title="Confirm your subscription",
            text=f"Get an email when {page.title} posts an update.",
            root=content.page_url(page),
            button="Confirm subscription",
        )
        return _no_store(_respond(document))
    document = render.message_page(
        page,
        title="Subscription confirmed",
        text=f"You will get an email when {page.title} posts an update.",
        root=content.page_url(page),
    )
    return _no_store(_respond(document))


@login_not_required
@csrf_exempt  # RFC 8058 one-click unsubscribe: mail providers POST without a token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Unsubscribe: a List-Unsubscribe POST (or the button on the emailed link) removes it."""
    if request.method == "GET":
        subscriber = (
            Subscriber.objects.select_related("page").filter(unsubscribe_token=token).first()
        )
        shown = subscriber.page if subscriber else _page(None)
        document = render.message_page(
            shown,
            title="Unsubscribe",
            text=f"Stop getting email from {shown.title}?"
            if subscriber
            else "This address is not subscribed (any more); nothing to do.",
            root=content.page_url(shown),
            button="Unsubscribe" if subscriber else "",
        )
        return _no_store(_respond(document))
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
