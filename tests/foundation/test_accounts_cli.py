"""`hindsight users …` and `hindsight tokens …`."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from hindsight.accounts.models import ApiToken, User
from hindsight.cli import _register, app

pytestmark = pytest.mark.django_db
_register()
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_it_creates_a_user_with_a_role_and_a_working_password():
    result = run("users", "create", "maria", "--role", "editor", "--email", "maria@example.com")
    assert result.exit_code == 0, result.output
    password = re.search(r"Password: (\S+)", result.output).group(1)
    user = User.objects.get(username="maria")
    assert (user.role, user.email) == ("editor", "maria@example.com")
    assert user.check_password(password)
    assert user.password.startswith("argon2")


def test_it_refuses_an_unknown_role_and_a_duplicate_user():
    assert run("users", "create", "sam", "--role", "boss").exit_code == 1
    assert not User.objects.filter(username="sam").exists()
    run("users", "create", "sam")
    duplicate = run("users", "create", "sam", "--role", "admin")
    assert duplicate.exit_code == 1
    assert "already exists" in duplicate.output
    assert User.objects.get(username="sam").role == "viewer"


def test_it_lists_users_and_changes_roles():
    run("users", "create", "sam", "--role", "responder")
    assert run("users", "set-role", "sam", "admin").exit_code == 0
    sam = User.objects.get(username="sam")
    assert (sam.role, sam.is_staff, sam.is_superuser) == ("admin", True, True)
    listing = run("users", "list")
    assert "sam" in listing.output and "admin" in listing.output
    missing = run("users", "set-role", "nobody", "viewer")
    assert missing.exit_code == 1 and "No user named 'nobody'" in missing.output


def test_tokens_are_shown_once_stored_hashed_and_revocable(client):
    run("users", "create", "bot", "--role", "responder")
    created = run("tokens", "create", "bot", "--name", "ci")
    assert created.exit_code == 0, created.output
    secret = re.search(r"(hs_\S+)", created.output).group(1)
    token = ApiToken.objects.get()
    assert token.key_hash != secret and secret not in token.key_hash
    ok = client.get("/api/incidents/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert ok.status_code == 200
    assert run("tokens", "revoke", secret[:10]).exit_code == 0
    refused = client.get("/api/incidents/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthorized"
    again = run("tokens", "revoke", secret[:10])
    assert again.exit_code == 1 and "No active token" in again.output
