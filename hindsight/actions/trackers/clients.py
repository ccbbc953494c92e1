"""The trackers' HTTP APIs: GitHub Issues, Jira Cloud (REST v3), Jira Server/DC (REST v2).

Each client turns Hindsight's view of an item into the tracker's requests and
its answers back into a ``Remote``; every request goes through
``hindsight.egress``. Failures become ``TrackerError`` with words a person can
act on: whether the whole tracker is unusable (``down``: bad token, no such
project, rate limit, no answer, a 5xx) and how long it asked us to wait
(``retry_after``), or ``IssueGone`` when the issue was deleted upstream.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from hindsight import egress
from hindsight.actions.models import Tracker, TrackerKind

TIMEOUT = 10.0
READ_LIMIT = 2_000_000
NAMES = {"github": "GitHub", "jira_cloud": "Jira", "jira_server": "Jira"}


class TrackerError(Exception):
    def __init__(self, message: str, *, down: bool = True, retry_after: float | None = None):
        super().__init__(message)
        self.down = down
        self.retry_after = retry_after


class IssueGone(TrackerError):
    """The issue was deleted upstream (or moved where the token can't see it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, down=False)


@dataclass(frozen=True)
class Remote:
    """An upstream issue as Hindsight reads it."""

    key: str
    url: str
    closed: bool
    assignee: str | None  # a login, user name or email, as the tracker gives it
    due: date | None
    has_due: bool  # whether the tracker has due dates at all

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "status": "done" if self.closed else "open",
            "assignee": self.assignee,
        }
        if self.has_due:
            found["due"] = self.due.isoformat() if self.due else None
        return found


@dataclass(frozen=True)
class Wanted:
    """What Hindsight wants the upstream issue to say."""

    title: str
    body: str
    closed: bool
    assignee: str | None
    due: date | None
    marker: str


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return 60.0  # an HTTP date: wait a minute rather than parse it


class Client:
    tracker: Tracker

    def __init__(self, tracker: Tracker, *, delivery_id: str = "") -> None:
        self.tracker = tracker
        # The outbox delivery being sent: the same on every retry, sent as the requests'
        # Idempotency-Key, so the tracker (or a proxy's log) can tell a retry from a new push.
        self.delivery_id = delivery_id

    @property
    def name(self) -> str:
        return NAMES[self.tracker.kind]

    def headers(self) -> dict[str, str]:
        raise NotImplementedError

    def call(self, method: str, path: str, body: Any = None, *, issue: str = "") -> Any:
        """One request; the JSON answer, or TrackerError/IssueGone saying why not."""
        url = self.tracker.base_url.rstrip("/") + path
        data = json.dumps(body).encode() if body is not None else b""
        headers = {**self.headers(), "Accept": "application/json", "User-Agent": "Hindsight"}
        if self.delivery_id:
            headers["Idempotency-Key"] = self.delivery_id
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            reply = egress.send(
                url,
                body=data,
                headers=headers,
                method=method,
                timeout=TIMEOUT,
                read_limit=READ_LIMIT,
            )
        except egress.EgressRefused as exc:
            raise TrackerError(
                f"{self.name} at {url} is refused by the egress policy: {exc}"
            ) from None
        except TimeoutError:
            raise TrackerError(f"{self.name} did not answer within {TIMEOUT:g} s") from None
        except OSError as exc:
            raise TrackerError(f"{self.name} could not be reached: {exc}") from None
        status = reply.status
        if 200 <= status < 300:
            return json.loads(reply.body) if reply.body.strip() else {}
        detail = _message(reply.body)
        if status == 401:
            raise TrackerError(f"{self.name} refused the token (401): enter a valid token.{detail}")
        if status == 403 and "rate limit" not in detail.lower():
            raise TrackerError(
                f"{self.name} says the token may not do this (403): give it write access to "
                f"{self.tracker.project}.{detail}"
            )
        if status == 404 and issue:
            raise IssueGone(
                f"Issue {issue} no longer exists in {self.name} (404): deleted or moved."
            )
        if status == 404:
            raise TrackerError(
                f"{self.name} has no {self.tracker.project} the token can see (404).{detail}"
            )
        if status in (403, 429):
            wait = _retry_after(reply.headers.get("retry-after")) or 60.0
            raise TrackerError(
                f"{self.name} asks to slow down ({status}): retrying after {wait:g} s.",
                retry_after=wait,
            )
        if status in (400, 422):
            raise TrackerError(f"{self.name} refused the item ({status}).{detail}", down=False)
        raise TrackerError(f"{self.name} failed ({status}).{detail}")

    def create(self, wanted: Wanted) -> Remote:
        raise NotImplementedError

    def update(self, key: str, wanted: Wanted) -> Remote:
        raise NotImplementedError

    def fetch(self, key: str) -> Remote:
        raise NotImplementedError

    def find(self, marker: str, since: datetime) -> Remote | None:
        raise NotImplementedError

    def remote_from(self, issue: Any) -> Remote:
        raise NotImplementedError


def _message(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if isinstance(data, dict):
        parts = [str(data.get("message") or "")]
        parts += [str(m) for m in data.get("errorMessages") or []]
        errors = data.get("errors")
        if isinstance(errors, dict):
            parts += [f"{k}: {v}" for k, v in errors.items()]
        elif isinstance(errors, list):
            parts += [
                str(e.get("message") or e.get("code") or e) if isinstance(e, dict) else str(e)
                for e in errors
            ]
        text = "; ".join(p for p in parts if p)[:300]
        return f" {text}" if text else ""
    return ""


class GitHub(Client):
    """GitHub Issues (REST, 2022-11-28): `project` is "owner/repo"; no due dates."""

    def headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.tracker.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }

    def _issues(self) -> str:
        return f"/repos/{self.tracker.project}/issues"

    def _fields(self, wanted: Wanted) -> dict[str, Any]:
        return {
            "title": wanted.title,
            "body": wanted.body,
            "assignees": [wanted.assignee] if wanted.assignee else [],
        }

    def create(self, wanted: Wanted) -> Remote:
        return self.remote_from(self.call("POST", self._issues(), self._fields(wanted)))

    def update(self, key: str, wanted: Wanted) -> Remote:
        fields = self._fields(wanted) | {"state": "closed" if wanted.closed else "open"}
        return self.remote_from(self.call("PATCH", f"{self._issues()}/{key}", fields, issue=key))

    def fetch(self, key: str) -> Remote:
        return self.remote_from(self.call("GET", f"{self._issues()}/{key}", issue=key))

    def find(self, marker: str, since: datetime) -> Remote | None:
        query = urlencode({"state": "all", "since": since.isoformat(), "per_page": 100})
        for issue in self.call("GET", f"{self._issues()}?{query}") or []:
            if marker in str(issue.get("body") or ""):
                return self.remote_from(issue)
        return None

    def remote_from(self, issue: Any) -> Remote:
        assignee = (issue.get("assignee") or {}).get("login")
        return Remote(
            key=str(issue["number"]),
            url=str(issue.get("html_url") or ""),
            closed=issue.get("state") == "closed",
            assignee=assignee,
            due=None,
            has_due=False,
        )


class Jira(Client):
    """Jira Cloud (REST v3, email + API token) or Server/Data Center (REST v2, a PAT)."""

    @property
    def version(self) -> str:
        return "3" if self.tracker.kind == TrackerKind.JIRA_CLOUD else "2"

    def headers(self) -> dict[str, str]:
        if self.version == "3":
            pair = f"{self.tracker.user}:{self.tracker.token}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        return {"Authorization": f"Bearer {self.tracker.token}"}

    def _api(self, path: str) -> str:
        return f"/rest/api/{self.version}{path}"

    def _description(self, text: str) -> Any:
        if self.version == "2":
            return text
        paragraph = {"type": "paragraph", "content": [{"type": "text", "text": text}]}
        return {"type": "doc", "version": 1, "content": [paragraph]}

    def _fields(self, wanted: Wanted) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "summary": wanted.title[:255],
            "description": self._description(wanted.body),
            "duedate": wanted.due.isoformat() if wanted.due else None,
        }
        if self.version == "2":  # Cloud assigns by account id, which Hindsight doesn't know
            fields["assignee"] = {"name": wanted.assignee} if wanted.assignee else None
        return fields

    def create(self, wanted: Wanted) -> Remote:
        fields = self._fields(wanted) | {
            "project": {"key": self.tracker.project},
            "issuetype": {"name": self.tracker.issue_type},
            "labels": [f"hindsight-{wanted.marker}"],
        }
        made = self.call("POST", self._api("/issue"), {"fields": fields})
        key = str(made["key"])
        if wanted.closed:
            self._transition(key, done=True)
        return self.fetch(key)

    def update(self, key: str, wanted: Wanted) -> Remote:
        path = self._api(f"/issue/{quote(key)}")
        self.call("PUT", path, {"fields": self._fields(wanted)}, issue=key)
        current = self.fetch(key)
        if current.closed != wanted.closed:
            self._transition(key, done=wanted.closed)
            current = self.fetch(key)
        return current

    def _transition(self, key: str, *, done: bool) -> None:
        path = self._api(f"/issue/{quote(key)}/transitions")
        wanted = "done" if done else "new"
        offered = self.call("GET", path, issue=key).get("transitions") or []
        for step in offered:
            category = ((step.get("to") or {}).get("statusCategory") or {}).get("key")
            if category == wanted or (not done and category == "indeterminate"):
                self.call("POST", path, {"transition": {"id": step["id"]}}, issue=key)
                return
        raise TrackerError(
            f"Jira offers no transition of {key} to a {'done' if done else 'to do'} status.",
            down=False,
        )

    def fetch(self, key: str) -> Remote:
        fields = "summary,status,assignee,duedate"
        return self.remote_from(
            self.call("GET", self._api(f"/issue/{quote(key)}?fields={fields}"), issue=key)
        )

    def find(self, marker: str, since: datetime) -> Remote | None:
        query = {
            "jql": f'project = "{self.tracker.project}" AND labels = "hindsight-{marker}"',
            "fields": ["summary", "status", "assignee", "duedate"],
            "maxResults": 1,
        }
        path = "/search/jql" if self.version == "3" else "/search"
        issues = self.call("POST", self._api(path), query).get("issues") or []
        return self.remote_from(issues[0]) if issues else None

    def remote_from(self, issue: Any) -> Remote:
        fields = issue.get("fields") or {}
        category = ((fields.get("status") or {}).get("statusCategory") or {}).get("key")
        person = fields.get("assignee") or {}
        assignee = person.get("name") or person.get("emailAddress") or person.get("displayName")
        due = fields.get("duedate")
        key = str(issue["key"])
        return Remote(
            key=key,
            url=f"{self.tracker.base_url.rstrip('/')}/browse/{key}",
            closed=category == "done",
            assignee=assignee,
            due=date.fromisoformat(due) if due else None,
            has_due=True,
        )


def client_for(tracker: Tracker, *, delivery_id: str = "") -> Client:
    kind = GitHub if tracker.kind == TrackerKind.GITHUB else Jira
    return kind(tracker, delivery_id=delivery_id)


LOOKBACK = timedelta(minutes=10)
