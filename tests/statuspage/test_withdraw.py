"""Taking something off the public pages takes it off the served snapshot at once,
in the request that made the change — not when the worker next publishes.

Requests go through ``SnapshotApp`` in front of Django, as `hindsight serve`
runs them: a withdrawn path is rendered live from the database.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from hindsight.accounts.models import Role, User
from hindsight.incidents.lifecycle import change_status
from hindsight.postmortems import services as postmortems
from hindsight.postmortems.models import PostMortem
from hindsight.runner.services import run_now
from hindsight.statuspage import render, snapshot
from hindsight.statuspage.models import PublishRequest
from hindsight.statuspage.services import post_update
from hindsight.statuspage.static import SnapshotApp

Commit = Callable[..., Any]
PUBLIC_WORDS = "the wombat cache expired"


@pytest.fixture
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def served(data_dir: Path) -> Callable[[str], tuple[int, str]]:
    """GET a path the way `hindsight serve` answers it: snapshot first, then Django."""

    def django(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        response = Client().get(environ["PATH_INFO"])  # Django's own test WSGI handler
        start_response(f"{response.status_code} -", list(response.items()))
        return [response.content]

    app = SnapshotApp(django, data_dir / "statuspage")

    def get(path: str) -> tuple[int, str]:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "HTTP_HOST": "testserver",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "wsgi.input": io.BytesIO(),
            "wsgi.url_scheme": "http",
        }
        status: list[str] = []
        body = b"".join(app(environ, lambda s, headers, exc_info=None: status.append(s)))
        return int(status[0].split()[0]), body.decode()

    return get


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Iterator[Commit]:
    """Run a change and then what its transaction does on commit."""

    def run(change: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return change(*args, **kwargs)

    yield run


@pytest.fixture
def an_editor(db: None) -> User:
    return User.objects.create_user(username="ed", password="pw-long-enough", role=Role.EDITOR)


@pytest.fixture
def public_incident(data_dir: Path, an_incident: Any, checkout: Any, commit: Commit) -> Any:
    """An incident on the page with a public update, published to the snapshot."""
    commit(
        post_update,
        incident=an_incident,
        status="identified",
        message="Payments fail for some cards",
        components={checkout: "partial_outage"},
    )
    run_now(name="statuspage-publish")
    return an_incident


@pytest.fixture
def published_postmortem(public_incident: Any, an_editor: User, commit: Commit) -> PostMortem:
    commit(change_status, incident=public_incident, status="resolved", actor=an_editor)
    PostMortem.objects.filter(incident=public_incident).update(
        status="published", public_body=f"# What happened\n\nIn short: {PUBLIC_WORDS}.\n"
    )
    snapshot.publish_all()
    return PostMortem.objects.get(incident=public_incident)


PUBLIC_PATHS = (
    "/status/",
    "/status/history/",
    "/status/history.rss",
    "/status/history.atom",
    "/api/v2/incidents.json",
    "/api/v2/summary.json",
)


def _pages_naming(served: Any, words: str) -> list[str]:
    return [path for path in PUBLIC_PATHS if words in served(path)[1]]


def _restrict(incident: Any) -> None:
    incident.restricted = True
    incident.save(update_fields=["restricted"])


def test_the_incident_is_served_from_the_snapshot_before_it_is_restricted(
    public_incident: Any, served: Any, data_dir: Path
) -> None:
    (data_dir / "statuspage" / "acme" / "history.rss").write_text("the snapshot's copy")
    assert served("/status/history.rss")[1] == "the snapshot's copy"


def test_the_snapshot_shows_the_incident_before_it_is_restricted(
    public_incident: Any, served: Any
) -> None:
    assert _pages_naming(served, "Checkout errors") == list(PUBLIC_PATHS)


def test_restricting_an_incident_takes_it_off_every_public_document_at_once(
    public_incident: Any, served: Any, commit: Commit
) -> None:
    commit(_restrict, public_incident)
    assert _pages_naming(served, "Checkout errors") == []


def test_a_restricted_incidents_own_page_is_gone_at_once(
    public_incident: Any, served: Any, commit: Commit
) -> None:
    commit(_restrict, public_incident)
    assert served(f"/status/incidents/{public_incident.pk}/")[0] == 404


def test_the_worker_still_rewrites_the_snapshot_without_the_incident(
    public_incident: Any, data_dir: Path, commit: Commit
) -> None:
    commit(_restrict, public_incident)
    run_now(name="statuspage-publish")
    index = (data_dir / "statuspage" / "acme" / "index.html").read_text()
    assert ("Checkout errors" in index, PublishRequest.objects.count()) == (False, 0)


def test_other_incidents_pages_stay_in_the_snapshot(
    public_incident: Any, checkout: Any, data_dir: Path, commit: Commit
) -> None:
    from hindsight.incidents.services import declare_incident

    other = declare_incident(title="Search slow", severity="SEV3")
    commit(post_update, incident=other, status="investigating", message="Looking", components={})
    run_now(name="statuspage-publish")
    commit(_restrict, public_incident)
    assert (data_dir / "statuspage" / "acme" / "incidents" / str(other.pk) / "index.html").exists()


def test_a_rolled_back_restriction_withdraws_nothing(
    public_incident: Any, data_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        _restrict(public_incident)  # the transaction is never committed
    assert (data_dir / "statuspage" / "acme" / "index.html").exists()


def test_saving_an_incident_that_stays_public_withdraws_nothing(
    public_incident: Any, data_dir: Path, commit: Commit
) -> None:
    public_incident.title = "Checkout errors for card payments"
    commit(public_incident.save)
    assert (data_dir / "statuspage" / "acme" / "index.html").exists()


def test_deleting_an_incident_takes_it_off_at_once(
    public_incident: Any, served: Any, commit: Commit
) -> None:
    commit(public_incident.delete)
    assert "Checkout errors" not in served("/status/")[1]


def test_a_published_postmortem_is_on_the_incidents_public_page(
    published_postmortem: PostMortem, served: Any
) -> None:
    assert PUBLIC_WORDS in served(f"/status/incidents/{published_postmortem.incident_id}/")[1]


def test_unpublishing_a_postmortem_takes_it_off_the_public_page_at_once(
    published_postmortem: PostMortem, an_editor: User, served: Any, commit: Commit
) -> None:
    commit(postmortems.transition, postmortem=published_postmortem, to="draft", actor=an_editor)
    page = served(f"/status/incidents/{published_postmortem.incident_id}/")[1]
    assert (PUBLIC_WORDS in page, "Checkout errors" in page) == (False, True)


def test_unpublishing_a_postmortem_in_the_admin_takes_it_off_at_once(
    published_postmortem: PostMortem, served: Any, commit: Commit
) -> None:
    published_postmortem.status = "draft"
    commit(published_postmortem.save)
    assert PUBLIC_WORDS not in served(f"/status/incidents/{published_postmortem.incident_id}/")[1]


def test_publishing_a_postmortem_queues_a_rewrite_of_its_incident_page(
    public_incident: Any, an_editor: User, data_dir: Path, commit: Commit
) -> None:
    commit(change_status, incident=public_incident, status="resolved", actor=an_editor)
    run_now(name="statuspage-publish")
    PostMortem.objects.filter(incident=public_incident).update(status="approved")
    postmortem = PostMortem.objects.get(incident=public_incident)
    commit(postmortems.publish, postmortem=postmortem, audiences=["full"], actor=an_editor)
    PostMortem.objects.filter(pk=postmortem.pk).update(public_body=f"{PUBLIC_WORDS}.\n")
    run_now(name="statuspage-publish")
    page = data_dir / "statuspage" / "acme" / "incidents" / str(public_incident.pk) / "index.html"
    assert PUBLIC_WORDS in page.read_text()


def test_a_publish_that_was_rendering_during_a_withdrawal_renders_again(
    public_incident: Any, data_dir: Path, commit: Commit, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = render.all_documents
    calls: list[int] = []

    def slow_render(page: Any, incident_ids: Any = None) -> Any:
        documents = original(page, incident_ids)  # rendered before the restriction
        if not calls:
            commit(_restrict, public_incident)  # another process restricts meanwhile
        calls.append(len(documents))
        return documents

    monkeypatch.setattr(render, "all_documents", slow_render)
    snapshot.publish_all()
    index = (data_dir / "statuspage" / "acme" / "index.html").read_text()
    assert (len(calls), "Checkout errors" in index) == (2, False)
