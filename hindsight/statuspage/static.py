"""Serve status-page snapshots before a request enters Django.

``SnapshotApp`` wraps the Django WSGI application. A GET or HEAD for the
status page (``/status/…``, ``/api/v2/…``, or any path on a page's custom
domain) is answered from the files ``snapshot.publish_snapshot`` wrote,
without touching the database. Everything else, and anything without a
snapshot file, falls through to Django. When a snapshot is past its
freshness (a maintenance window starts, a new uptime day), Django renders
the page live until the worker has rewritten the files; if Django fails —
the database is down — the last snapshot is served anyway.

This module must not import Django models: it runs where the database may
be unreachable.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import brotli

from hindsight.config import CSP_HEADER

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ics": "text/calendar; charset=utf-8",
}
RESERVED = frozenset({"incidents", "history", "subscribe", "api", "subscriptions"})
# Pages remembered as fresh, per (host, path).
HOT_ENTRIES = 10_000
# Other processes' publications are seen within this many seconds.
MANIFEST_CHECK = 0.2
_generation = [0]
# Set in a request's environ when it was picked to re-render a stale snapshot.
REFRESH_PICKED = "hindsight.snapshot_refresh"
# Browsers and CDNs may reuse a page for 10 s, keep showing it for 30 s while
# they fetch it again, and for a day while the server fails.
CACHE_CONTROL = "public, max-age=10, stale-while-revalidate=30, stale-if-error=86400"
# Below this size compression saves less than its headers cost.
COMPRESS_FROM = 512


# When a page was rendered: the only part of a page that differs between two
# renderings of the same content (see statuspage/public/base.html).
_GENERATED = re.compile(rb"<!--generated-->.*?<!--/generated-->", re.S)


def content_tag(body: bytes) -> str:
    """The opaque part of the ETag: a digest of the content, so the same document
    has the same ETag whether a snapshot file or Django served it."""
    return hashlib.sha256(_GENERATED.sub(b"", body)).hexdigest()[:32]


def is_weak(body: bytes) -> bool:
    """A page whose bytes carry their rendering time: equal content, not equal bytes."""
    return b"<!--generated-->" in body


def cache_headers(
    tag: str, modified: float, encoding: str = "", *, weak: bool = False
) -> list[tuple[str, str]]:
    """ETag, Last-Modified, Cache-Control and Vary of a public document (both servers)."""
    etag = f'"{tag}-{encoding}"' if encoding else f'"{tag}"'
    headers = [
        ("ETag", f"W/{etag}" if weak else etag),
        ("Last-Modified", formatdate(modified, usegmt=True)),
        ("Cache-Control", CACHE_CONTROL),
        ("Vary", "Accept-Encoding"),
    ]
    if encoding:
        headers.append(("Content-Encoding", encoding))
    return headers


def not_modified(environ: dict[str, Any], tag: str, modified: float) -> bool:
    """Whether the client's copy is current (RFC 9110 §13.1: If-None-Match compares weakly,
    so `W/"…"` — what nginx sends after compressing — matches too, in any encoding)."""
    match = environ.get("HTTP_IF_NONE_MATCH")
    if match is not None:
        if match.strip() == "*":
            return True
        for candidate in match.split(","):
            opaque = candidate.strip().removeprefix("W/").strip('"')
            if opaque in (tag, f"{tag}-gzip", f"{tag}-br"):
                return True
        return False
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since:
        try:
            return bool(parsedate_to_datetime(since).timestamp() >= int(modified))
        except (TypeError, ValueError):
            return False
    return False


def chosen_encoding(environ: dict[str, Any], content_type: str, size: int) -> str:
    """ "br" or "gzip" when the client accepts it and it is worth it, else ""."""
    if size < COMPRESS_FROM or content_type.startswith("image/") and "svg" not in content_type:
        return ""
    accepted = {
        part.split(";")[0].strip().lower(): "q=0" not in part.replace(" ", "")
        for part in environ.get("HTTP_ACCEPT_ENCODING", "").split(",")
    }
    for encoding in ("br", "gzip"):
        if accepted.get(encoding):
            return encoding
    return ""


def encode(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return bytes(brotli.compress(body, quality=5))
    if encoding == "gzip":
        return gzip.compress(body, compresslevel=6, mtime=0)
    return body


class _File:
    __slots__ = ("body", "headers", "tag", "weak", "mtime", "modified", "size", "_encoded")

    def __init__(self, path: Path, stat: os.stat_result) -> None:
        self.body = path.read_bytes()
        self.mtime = stat.st_mtime_ns
        self.modified = stat.st_mtime
        self.size = stat.st_size
        self.tag = content_tag(self.body)
        self.weak = is_weak(self.body)
        content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        self._encoded: dict[str, tuple[list[tuple[str, str]], bytes]] = {}
        self.headers = [
            ("Content-Type", content_type),
            ("Content-Length", str(len(self.body))),
            *cache_headers(self.tag, stat.st_mtime, weak=self.weak),
            ("X-Content-Type-Options", "nosniff"),
            ("Content-Security-Policy", CSP_HEADER),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
        ]
        if content_type.startswith("application/json"):
            # Status widgets on other sites read the JSON from the browser.
            self.headers.append(("Access-Control-Allow-Origin", "*"))

    def representation(self, environ: dict[str, Any]) -> tuple[list[tuple[str, str]], bytes]:
        """Headers and body in the encoding the client accepts (compressed once, then kept)."""
        encoding = chosen_encoding(environ, self.headers[0][1], len(self.body))
        if not encoding:
            return self.headers, self.body
        if encoding not in self._encoded:
            body = encode(self.body, encoding)
            replaced = dict(cache_headers(self.tag, self.modified, encoding, weak=self.weak))
            headers = [(n, replaced.get(n, v)) for n, v in self.headers if n != "Content-Length"]
            headers += [("Content-Length", str(len(body))), ("Content-Encoding", encoding)]
            self._encoded[encoding] = (headers, body)
        return self._encoded[encoding]


class SnapshotApp:
    """WSGI middleware: snapshot files first, then the wrapped application."""

    def __init__(self, app: WSGIApp, root: Path, *, internal_host: str = "") -> None:
        self.app = app
        self.root = root
        # Custom-domain requests that reach Django carry this Host instead, so
        # operators need not add every page's domain to ALLOWED_HOSTS.
        self.internal_host = internal_host
        self._files: dict[str, _File] = {}
        self._site: dict[str, Any] = {}
        self._site_mtime = -1
        self._site_path = str(root / "site.json")
        self._site_checked = -MANIFEST_CHECK
        self._generation = -1
        self._hot: dict[tuple[str, str], tuple[float, _File]] = {}
        self._refreshing = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        picked = environ.pop(REFRESH_PICKED, False)
        if not picked:
            answer = self.answer(environ)
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return [body]
            picked = environ.pop(REFRESH_PICKED, False)
        if not picked:
            return self.app(environ, start_response)  # answer() routed custom domains
        try:
            stale = self._found(environ)
            if stale is None:
                return self.app(environ, start_response)
            return self._refresh(environ, start_response, stale)
        finally:
            self._refreshing.release()

    def answer(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """The snapshot response for this request when no rendering is needed, else None.

        None means "let the application answer". When the snapshot is past its
        freshness, exactly one request is sent on to re-render it (marked in
        `environ`); the others get the stale file meanwhile
        (stale-while-revalidate), so a spike at midnight does not send every
        request into Django, and a busy Django never holds up the page.
        """
        method = environ.get("REQUEST_METHOD", "GET")
        if method != "GET" and method != "HEAD":
            self._route_custom_domain(environ)
            return None
        key = (environ.get("HTTP_HOST", ""), environ.get("PATH_INFO", ""))
        if "HTTP_IF_NONE_MATCH" not in environ and "HTTP_IF_MODIFIED_SINCE" not in environ:
            cached = self.hot(*key)
            if cached is not None:
                return _response(environ, cached)
        found = self._found(environ)
        if found is None:
            return None
        fresh_until = self._site.get("fresh_until", {}).get(environ["hindsight.snapshot"], 0)
        if time.time() >= fresh_until:
            if self._refreshing.acquire(blocking=False):
                environ[REFRESH_PICKED] = True
                return None
            return _response(environ, found)
        if len(self._hot) > HOT_ENTRIES:
            self._hot.clear()  # bounded: Host headers are chosen by clients
        self._hot[key] = (fresh_until, found)
        return _response(environ, found)

    def hot(self, host: str, path: str) -> _File | None:
        """A page already served and unchanged since, still fresh; None otherwise.

        Publishing rewrites site.json last, so an unchanged manifest means
        unchanged files. The cheapest answer there is: the web front calls it
        before it builds a WSGI environ.
        """
        self._manifest()
        hit = self._hot.get((host, path))
        if hit is not None and hit[0] > time.time():
            return hit[1]
        return None

    def _found(self, environ: dict[str, Any]) -> _File | None:
        """The snapshot file for this request (routing custom domains on the way), if any."""
        route = self._route_custom_domain(environ)
        if route is None or route[1] is None:
            return None
        environ["hindsight.snapshot"] = route[0]
        return self._load(f"{route[0]}/{route[1]}")

    def _route_custom_domain(self, environ: dict[str, Any]) -> tuple[str, str | None] | None:
        """(page slug, file under it) for this request; rewrites a custom domain's path once."""
        found: tuple[str, str | None] | None
        if "hindsight.route" in environ:
            found = environ["hindsight.route"]
            return found
        route = self._route(environ, self._manifest())
        found = None
        if route is not None:
            slug, relative, django_path, is_custom = route
            if is_custom:
                environ["PATH_INFO"] = django_path
                if self.internal_host:
                    environ["HTTP_HOST"] = self.internal_host
            found = (slug, relative)
        environ["hindsight.route"] = found
        return found

    def _manifest(self) -> dict[str, Any]:
        # Publishing rewrites site.json last, so its mtime says whether any
        # snapshot file may have changed. A stat costs more than the rest of a
        # request, so look at most every MANIFEST_CHECK seconds, and at once
        # after this process published.
        now = time.monotonic()
        if now - self._site_checked < MANIFEST_CHECK and self._generation == _generation[0]:
            return self._site
        self._site_checked, self._generation = now, _generation[0]
        try:
            mtime = os.stat(self._site_path).st_mtime_ns
            if mtime != self._site_mtime:
                with open(self._site_path, encoding="utf-8") as handle:
                    self._site = json.load(handle)
                self._site_mtime = mtime
                self._hot.clear()
        except (OSError, ValueError):
            if self._site_mtime != -1 or self._site:
                self._site, self._site_mtime = {}, -1
                self._hot.clear()
        return self._site

    def _route(
        self, environ: dict[str, Any], site: dict[str, Any]
    ) -> tuple[str, str | None, str, bool] | None:
        """Return (page slug, file path under it or None, Django path, custom domain?)."""
        path = environ.get("PATH_INFO", "/") or "/"
        host = environ.get("HTTP_HOST", "").lower()
        host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        domains = site.get("domains", {})
        if host in domains:
            slug = domains[host]
            return slug, _file_for(path.lstrip("/")), f"/status/{slug}{path}", True
        default = site.get("default")
        if path.startswith("/api/v2/") and default:
            return default, _file_for(path[1:]), path, False
        if not path.startswith("/status/"):
            return None
        rest = path[len("/status/") :]
        first, _, after = rest.partition("/")
        if (
            first in site.get("pages", ())
            and first not in RESERVED
            and (after or rest.endswith("/"))
        ):
            return first, _file_for(after), path, False
        if default and first not in site.get("pages", ()):
            return default, _file_for(rest), path, False
        return None

    def _load(self, key: str) -> _File | None:
        path = self.root / key
        try:
            stat = path.stat()
        except OSError:
            return None
        cached = self._files.get(key)
        if cached is not None and cached.mtime == stat.st_mtime_ns and cached.size == stat.st_size:
            return cached
        try:
            loaded = _File(path, stat)
        except OSError:
            return None
        self._files[key] = loaded
        return loaded

    def _refresh(
        self, environ: dict[str, Any], start_response: StartResponse, stale: _File
    ) -> Iterable[bytes]:
        """Let Django render a stale page live; on a server error serve the old one."""
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        try:
            body = self.app(environ, capture)
            chunks = list(body)
            close = getattr(body, "close", None)
            if close:
                close()
        except Exception:
            chunks, captured["status"] = [], "500 Internal Server Error"
        if captured.get("status", "500").startswith("5"):
            status, headers, page = _response(environ, stale)
            start_response(status, headers)
            return [page]
        start_response(captured["status"], captured["headers"])
        return chunks


def invalidate() -> None:
    """Tell this process's snapshot servers that the files just changed."""
    _generation[0] += 1


def _file_for(relative: str) -> str | None:
    """Map a path below a page root to its snapshot file, or None if it cannot be one."""
    if relative in ("", "/"):
        return "index.html"
    parts = relative.split("/")
    if any(p in ("..", ".") or p.startswith(".") or "\\" in p or "\x00" in p for p in parts):
        return None
    if relative.endswith("/"):
        return relative + "index.html"
    # "history" without the slash is not a file; Django answers with a redirect.
    return relative if "." in parts[-1] else None


def _response(environ: dict[str, Any], found: _File) -> tuple[str, list[tuple[str, str]], bytes]:
    headers, body = found.representation(environ)
    if not_modified(environ, found.tag, found.modified):
        return "304 Not Modified", [h for h in headers if h[0] != "Content-Length"], b""
    return "200 OK", list(headers), b"" if environ.get("REQUEST_METHOD") == "HEAD" else body


def wrap(app: WSGIApp, data_dir: Path, base_url: str) -> SnapshotApp:
    """Wrap the Django application with the snapshot server."""
    return SnapshotApp(app, data_dir / "statuspage", internal_host=urlsplit(base_url).netloc)
