"""Account service functions: users, roles and API tokens."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hindsight.accounts import audit
from hindsight.accounts.models import ApiToken, Role, User, hash_token


class AccountError(Exception):
    """A user or token operation was refused; the message says why."""


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def create_user(
    *, username: str, role: str, email: str = "", password: str | None = None
) -> tuple[User, str]:
    """Create a user; return it and its password (generated when not given)."""
    if role not in Role.values:
        raise AccountError(f"Unknown role {role!r}; use one of {', '.join(Role.values)}")
    if not username.strip():
        raise AccountError("A user needs a user name")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"User {username!r} already exists")
    password = password or generate_password()
    try:
        validate_password(password)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages)) from None
    user = User.objects.create_user(
        username=username,
        email=email,
        password=password,
        role=role,
    )
    audit.record(action="user.created", target=user, changes={"role": [None, role]})
    return user, password


def set_role(*, username: str, role: str) -> User:
    """Change a user's role."""
    if role not in Role.values:
        raise AccountError(f"Unknown role {role!r}; use one of {', '.join(Role.values)}")
    user = User.objects.filter(username=username).first()
    if user is None:
        raise AccountError(f"No user named {username!r}")
    old = user.role
    user.role = role
    user.save(update_fields=["role"])  # staff and superuser follow the role
    audit.record(action="user.role_changed", target=user, changes={"role": [old, role]})
    return user


def set_password(*, username: str, password: str | None = None) -> str:
    """Set (or generate) a user's password and return it."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise AccountError(f"No user named {username!r}")
    password = password or generate_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(action="user.password_set", target=user)
    return password


def create_token(*, username: str, name: str) -> tuple[ApiToken, str]:
    """Create an API token for a user; return it and the secret, shown only once."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise AccountError(f"No user named {username!r}")
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user, name=name, key_prefix=secret[:10], key_hash=hash_token(secret)
    )
    audit.record(action="token.created", target=token, summary=f"for {user.username}")
    return token, secret


def revoke_token(*, prefix: str) -> ApiToken:
    """Revoke the active token whose secret starts with ``prefix``."""
    matches = list(ApiToken.objects.active().filter(key_prefix=prefix[:10]))
    if len(prefix) < 6 or not matches:
        raise AccountError(f"No active token starts with {prefix!r}")
    if len(matches) > 1:
        raise AccountError(f"Several tokens start with {prefix!r}; give more characters")
    token = matches[0]
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(action="token.revoked", target=token, summary=f"of {token.user.username}")
    return token


def user_for_token(secret: str) -> User | None:
    """Return the active user an API token belongs to, or None."""
    if not secret.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.active().select_related("user").filter(key_hash=hash_token(secret)).first()
    )
    if token is None:
        return None
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
