"""The login throttle as an authentication backend: slowed, then refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Q
from django.http import HttpRequest
from django.utils import timezone

from hindsight.accounts.clientip import client_address

# From this many failures on, each next try must wait 1, 2, 4 … (at most 60) seconds.
SLOW_AFTER = 2
MAX_WAIT_SECONDS = 60


def wait_before_next_try(failures: int) -> int:
    """Seconds a user name or address must wait after ``failures`` failed logins."""
    if failures < SLOW_AFTER:
        return 0
    return int(min(2 ** (failures - SLOW_AFTER), MAX_WAIT_SECONDS))


def seconds_to_wait(request: HttpRequest, username: str | None) -> int:
    """How long this user name or client address must still wait before a try counts."""
    from axes.models import AccessAttempt

    address = client_address(request)
    who = Q(username=username) if username else Q(pk__in=[])
    if address:
        who |= Q(ip_address=address)
    found = AccessAttempt.objects.filter(who).aggregate(
        failures=Max("failures_since_start"), last=Max("attempt_time")
    )
    if not found["failures"] or found["last"] is None:
        return 0
    ready = found["last"] + timedelta(seconds=wait_before_next_try(found["failures"]))
    return max(0, int((ready - timezone.now()).total_seconds() + 0.999))


class LoginThrottle(AxesStandaloneBackend):  # type: ignore[misc]  # axes ships no types
    """django-axes' lockout, with a growing pause between failed tries before it.

    A try made during the pause is refused (and counts as a failure); the login
    page says how long to wait. An authentication without a request (a
    management command, a test client's ``login``) has no client address to
    throttle; axes would refuse it outright.
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
        wait = seconds_to_wait(request, username)
        if wait:
            request.login_wait = wait  # type: ignore[attr-defined]  # read by the login page
            raise PermissionDenied(f"Wait {wait} s before trying again.")
        return None
