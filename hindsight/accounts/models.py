"""Users with roles, and hashed API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    RESPONDER = "responder", "Responder"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Admin"


# Each role can do everything the roles before it can.
ROLE_ORDER = [Role.VIEWER, Role.RESPONDER, Role.EDITOR, Role.ADMIN]


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)

    def has_role(self, role: str) -> bool:
        """Return True when this user's role is at least ``role``."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return ROLE_ORDER.index(Role(self.role)) >= ROLE_ORDER.index(Role(role))

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """An API token; only its SHA-256 is stored, the secret is shown once."""

    PREFIX = "hs_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
