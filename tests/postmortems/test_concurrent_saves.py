"""Saves racing from one version: exactly one wins, the others get 409, no revision is lost.

Real threads, each with its own database connection (Django's are per thread),
through the HTTP API; run on SQLite and on PostgreSQL like the whole suite.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from hindsight.accounts.models import User
from hindsight.accounts.services import create_token
from hindsight.core.model import SectionKind
from hindsight.postmortems.models import PostMortem, PostMortemRevision

from .conftest import with_section

RACERS = 20


def _race(postmortem: PostMortem, user: User, version: int) -> tuple[Counter[int], list[str]]:
    """PUT a different new text from `version` in RACERS threads at once; (statuses, texts)."""
    _, secret = create_token(username=user.username, name="race")
    texts = [
        with_section(
            postmortem.body, SectionKind.WENT_WELL, f"Racer {n} saved over version {version}."
        )
        for n in range(RACERS)
    ]
    statuses: Counter[int] = Counter()
    barrier = threading.Barrier(RACERS)
    lock = threading.Lock()

    def save(text: str) -> None:
        try:
            client = Client(headers={"Authorization": f"Bearer {secret}"})
            barrier.wait(timeout=30)
            answer = client.put(
                f"/api/postmortems/{postmortem.pk}",
                {"body": text, "version": version},
                content_type="application/json",
            )
            with lock:
                statuses[answer.status_code] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses, texts


@pytest.mark.django_db(transaction=True)
def test_twenty_saves_from_one_version_one_wins_and_nineteen_get_409(
    draft: PostMortem, an_editor: User
) -> None:
    statuses, _ = _race(draft, an_editor, version=1)
    assert statuses == Counter({200: 1, 409: 19})


@pytest.mark.django_db(transaction=True)
def test_after_the_race_every_version_has_its_revision_and_the_winner_is_stored(
    draft: PostMortem, an_editor: User
) -> None:
    _, texts = _race(draft, an_editor, version=1)
    stored = PostMortem.objects.get()
    revisions = dict(
        PostMortemRevision.objects.filter(postmortem=stored).values_list("version", "body")
    )
    assert (stored.version, sorted(revisions), revisions[1], revisions[2]) == (
        2,
        [1, 2],
        draft.body,
        stored.body,
    )
    assert [text for text in texts if text == stored.body] == [stored.body]


@pytest.mark.django_db(transaction=True)
def test_a_second_race_from_the_new_version_also_has_exactly_one_winner(
    draft: PostMortem, an_editor: User
) -> None:
    _race(draft, an_editor, version=1)
    statuses, _ = _race(PostMortem.objects.get(), an_editor, version=2)
    assert (statuses, PostMortemRevision.objects.count()) == (Counter({200: 1, 409: 19}), 3)
