"""Helpers shared by the security tests."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.urls import URLPattern, URLResolver


def monitor_form(**fields: Any) -> dict[str, Any]:
    """The POST data of the monitor form for a plain HTTP monitor, with ``fields`` changed."""
    return {
        "name": "web",
        "kind": "http",
        "target": "http://127.0.0.1:9/",
        "interval_seconds": 60,
        "timeout_seconds": 5,
        "confirmations_down": 2,
        "confirmations_up": 1,
        "quorum": 1,
        **fields,
    }


def patterns(found_in: list[Any], namespace: str = "") -> list[tuple[str, URLPattern]]:
    """(name, pattern) of every URL pattern, namespaced; the admin site is one "admin:*"."""
    found = []
    for pattern in found_in:
        if isinstance(pattern, URLResolver):
            ns = ":".join(p for p in (namespace, pattern.namespace or "") if p)
            if ns == "admin":
                found.append(("admin:*", pattern))
                continue
            found += patterns(pattern.url_patterns, ns)
        else:
            found.append(((f"{namespace}:" if namespace else "") + (pattern.name or ""), pattern))
    return found


class Redirector:
    """A loopback server answering every request with a redirect to `location`."""

    def __init__(self) -> None:
        self.location = "/"
        self.posts = 0
        state = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.send_response(302)
                self.send_header("Location", state.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                state.posts += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
