from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hindsight.accounts.models import Role, User
from hindsight.core import outline
from hindsight.core.model import SectionKind
from hindsight.incidents.lifecycle import change_status
from hindsight.incidents.services import append_event, declare_incident
from hindsight.postmortems.models import PostMortem

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    """Argon2 is deliberately slow; these tests are about post-mortems, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def every_severity_gets_a_post_mortem(settings) -> None:  # type: ignore[no-untyped-def]
    """These tests are about post-mortems once drafted; the policy has its own tests."""
    settings.POSTMORTEM_REQUIRED = frozenset({"SEV1", "SEV2", "SEV3", "SEV4"})
    settings.POSTMORTEM_SKIP_SHORT_AUTOMATIC_MINUTES = 0


@pytest.fixture
def another_editor(db: None) -> User:
    return User.objects.create_user(
        username="eve-editor", password="pw-eve-editor", role=Role.EDITOR, first_name="Eve"
    )


@pytest.fixture
def draft(an_editor: User) -> PostMortem:
    """The draft written when ed-editor resolved a SEV2 with one key event."""
    incident = declare_incident(
        title="Checkout 502s", severity="SEV2", commander=an_editor, started_at=START
    )
    append_event(
        incident=incident,
        actor_name="Sam",
        occurred_at=START + timedelta(minutes=20),
        is_key=True,
        text="Rolled back release 42",
    )
    change_status(
        incident=incident, status="resolved", actor=an_editor, at=START + timedelta(minutes=40)
    )
    return PostMortem.objects.get(incident=incident)


def with_section(text: str, kind: SectionKind, body: str) -> str:
    """The text with one of its sections' Markdown replaced."""
    cut = outline.split(text)
    parts = tuple(outline.Part(p.title, body, p.level) if p.kind is kind else p for p in cut.parts)
    return outline.join(outline.Outline(cut.front, cut.head, parts))


def editor_form(text: str, version: int, **extra: str) -> dict[str, str]:
    """The fields the workspace's editor form posts for a text."""
    from hindsight.postmortems.editor import editable

    cut = editable(text)
    data = {"version": str(version), "parts": str(len(cut.parts)), "head": cut.head}
    if cut.front is not None:
        data["front"] = cut.front
    for index, part in enumerate(cut.parts):
        data |= {
            f"part-{index}-title": part.title,
            f"part-{index}-level": str(part.level),
            f"part-{index}-body": part.body,
        }
        if part.placeholder:
            data[f"part-{index}-placeholder"] = "1"
    return data | extra


def part_index(text: str, kind: SectionKind) -> int:
    from hindsight.postmortems.editor import editable

    return next(i for i, p in enumerate(editable(text).parts) if p.kind is kind)
