from __future__ import annotations

import socket
from pathlib import Path

import pytest

from hindsight.accounts.models import Role, User

from .browser import browser, served  # noqa: F401  (fixtures for the browser tests)
from .system import require_corpus

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def corpus_dir() -> Path:
    """The shared corpus of real third-party data; tests skip (fail in CI) where it is absent."""
    return require_corpus()


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _user(username: str, role: str) -> User:
    return User.objects.create_user(username=username, password="pw-" + username, role=role)


@pytest.fixture
def the_viewer(db: None) -> User:
    return _user("vera-viewer", Role.VIEWER)


@pytest.fixture
def a_responder(db: None) -> User:
    return _user("rita-responder", Role.RESPONDER)


@pytest.fixture
def an_editor(db: None) -> User:
    return _user("ed-editor", Role.EDITOR)


@pytest.fixture
def an_admin(db: None) -> User:
    return User.objects.create_superuser(
        username="ada-admin", password="pw-ada-admin", role=Role.ADMIN
    )
