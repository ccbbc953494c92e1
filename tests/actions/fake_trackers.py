"""A loopback HTTP server speaking the GitHub Issues and Jira (v2 and v3) endpoints the
sync uses, recording every request and failing on demand (a status, Retry-After, a
stall longer than the client's timeout)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Fault:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    stall: float = 0.0
    body: Any = None


class FakeTrackers:
    """The state of both fake trackers: issues by key, requests seen, faults to play."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.github: dict[int, dict[str, Any]] = {}
        self.jira: dict[str, dict[str, Any]] = {}
        self.faults: list[Fault] = []
        self.url = ""
        self.lock = threading.Lock()

    def fail_next(
        self,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        body: Any = None,
        times: int = 1,
    ) -> None:
        self.faults += [
            Fault(status=status, headers=headers or {}, body=body) for _ in range(times)
        ]

    def stall_next(self, seconds: float) -> None:
        self.faults.append(Fault(stall=seconds))

    def calls(self, method: str, pattern: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and re.search(pattern, r.path)]

    # -- GitHub --------------------------------------------------------------
    def github_issue(self, number: int) -> dict[str, Any]:
        return self.github[number]

    def _github(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        one = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)", path)
        if path.endswith("/issues") and method == "POST":
            number = len(self.github) + 1
            issue = {
                "number": number,
                "html_url": f"{self.url}/github/issues/{number}",
                "state": "open",
                "title": body["title"],
                "body": body.get("body", ""),
                "assignee": {"login": body["assignees"][0]} if body.get("assignees") else None,
            }
            self.github[number] = issue
            return 201, issue
        if path.endswith("/issues") and method == "GET":
            return 200, list(self.github.values())
        if one and int(one[2]) not in self.github:
            return 404, {"message": "Not Found"}
        if one and method == "GET":
            return 200, self.github[int(one[2])]
        if one and method == "PATCH":
            issue = self.github[int(one[2])]
            issue["title"] = body.get("title", issue["title"])
            issue["state"] = body.get("state", issue["state"])
            if "assignees" in body:
                issue["assignee"] = {"login": body["assignees"][0]} if body["assignees"] else None
            return 200, issue
        return 404, {"message": "Not Found"}

    # -- Jira ----------------------------------------------------------------
    def jira_issue(self, key: str) -> dict[str, Any]:
        return self.jira[key]

    def _jira(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        version = path.split("/")[3]
        rest = path[len(f"/rest/api/{version}") :]
        one = re.fullmatch(r"/issue/([A-Z]+-\d+)(/transitions)?", rest)
        if rest == "/issue" and method == "POST":
            fields = body["fields"]
            key = f"{fields['project']['key']}-{len(self.jira) + 1}"
            self.jira[key] = {
                "key": key,
                "fields": {
                    "summary": fields["summary"],
                    "status": {"name": "To Do", "statusCategory": {"key": "new"}},
                    "assignee": fields.get("assignee"),
                    "duedate": fields.get("duedate"),
                    "labels": fields.get("labels", []),
                    "description": fields.get("description"),
                },
            }
            return 201, {"id": str(len(self.jira)), "key": key, "self": f"{self.url}{path}/{key}"}
        if rest in ("/search", "/search/jql") and method == "POST":
            label = re.search(r'labels = "([^"]+)"', body["jql"])
            found = [i for i in self.jira.values() if label and label[1] in i["fields"]["labels"]]
            return 200, {"issues": found}
        if one and one[1] not in self.jira:
            return 404, {
                "errorMessages": ["Issue does not exist or you do not have permission to see it."]
            }
        if one and one[2] and method == "GET":
            return 200, {
                "transitions": [
                    {"id": "11", "name": "To Do", "to": {"statusCategory": {"key": "new"}}},
                    {"id": "31", "name": "Done", "to": {"statusCategory": {"key": "done"}}},
                ]
            }
        if one and one[2] and method == "POST":
            done = body["transition"]["id"] == "31"
            self.jira[one[1]]["fields"]["status"] = (
                {"name": "Done", "statusCategory": {"key": "done"}}
                if done
                else {"name": "To Do", "statusCategory": {"key": "new"}}
            )
            return 204, None
        if one and method == "GET":
            return 200, self.jira[one[1]]
        if one and method == "PUT":
            fields = self.jira[one[1]]["fields"]
            for name in ("summary", "duedate", "assignee", "description"):
                if name in body["fields"]:
                    fields[name] = body["fields"][name]
            return 204, None
        return 404, {"errorMessages": ["No such endpoint"]}

    def answer(
        self, method: str, raw_path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, str], Any, float]:
        parts = urlsplit(raw_path)
        with self.lock:
            self.requests.append(Request(method, raw_path, headers, body))
            if self.faults:
                fault = self.faults.pop(0)
                if fault.stall:
                    return 0, {}, None, fault.stall
                return (
                    fault.status,
                    fault.headers,
                    fault.body if fault.body is not None else {"message": f"fault {fault.status}"},
                    0.0,
                )
            if parts.path.startswith("/rest/api/"):
                status, data = self._jira(method, parts.path, body)
            else:
                status, data = self._github(method, parts.path, parse_qs(parts.query), body)
            return status, {}, data, 0.0


@contextmanager
def running() -> Iterator[FakeTrackers]:
    state = FakeTrackers()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            status, headers, data, stall = state.answer(
                self.command, self.path, dict(self.headers), body
            )
            if stall:
                time.sleep(stall)
                return
            payload = b"" if data is None else json.dumps(data).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
