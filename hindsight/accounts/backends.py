"""The login throttle as an authentication backend."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginThrottle(AxesStandaloneBackend):  # type: ignore[misc]  # axes ships no types
    """django-axes' check, for logins over HTTP only.

    An authentication without a request (a management command, a test client's
    ``login``) has no client address to throttle; axes would refuse it outright.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username, password, **kwargs)
        return None
