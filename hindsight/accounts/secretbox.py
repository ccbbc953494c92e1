"""Secrets at rest: encrypted model fields with a key derived from the secret key.

Credentials Hindsight must send on someone's behalf (a monitor's password and
headers, a webhook's signing key) cannot be hashed like API tokens; they are
encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from
``SECRET_KEY`` by HKDF, so a copy of the database alone reveals nothing. Keys
in ``SECRET_KEY_FALLBACKS`` still decrypt, so the secret key can be rotated.

The fields hold the plain value in Python and ciphertext in the database;
pages and the API never render them (they show only that a value is set).
"""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted: the secret key changed without a fallback."""


def derive_key(secret_key: str) -> bytes:
    """The Fernet key for a Django secret key (HKDF-SHA256, a purpose-bound label)."""
    raw = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"hindsight secrets at rest v1"
    ).derive(secret_key.encode("utf-8"))
    return base64.urlsafe_b64encode(raw)


@functools.cache
def _box(secret_key: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(derive_key(k)) for k in (secret_key, *fallbacks)])


def box() -> MultiFernet:
    return _box(settings.SECRET_KEY, tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ())))


def encrypt(plain: str) -> str:
    """Ciphertext for a database column ('' stays '': nothing is set)."""
    if not plain:
        return ""
    return PREFIX + box().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(stored: str) -> str:
    """The plain value of a stored secret; values written before encryption pass through."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return box().decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise SecretUnreadable(
            "A stored secret cannot be decrypted with the current secret key; "
            "set HINDSIGHT_SECRET_KEY back, or enter the secret again."
        ) from None


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A string kept encrypted in the database; '' means not set."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str:
        return decrypt(value or "")

    def get_prep_value(self, value: Any) -> str:
        return encrypt(str(value or ""))


class EncryptedJSONField(models.TextField):  # type: ignore[type-arg]
    """A JSON value (dict) kept encrypted in the database; {} means nothing set."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        plain = decrypt(value or "")
        return json.loads(plain) if plain else {}

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value else {}
        return value or {}

    def get_prep_value(self, value: Any) -> str:
        return encrypt(json.dumps(value, sort_keys=True) if value else "")

    def value_to_string(self, obj: Any) -> str:
        return ""  # never in dumps or serialisations
