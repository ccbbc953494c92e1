"""The JSON API (django-ninja): token or session auth, roles, one error shape.

Every domain adds a ``router`` in its own ``api.py``; they are mounted here.
Errors always have the body ``{"detail": "<message>", "code": "<code>"}``
(validation errors add ``"errors": [...]``), so clients handle one shape.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from hindsight.accounts.models import User
from hindsight.accounts.services import user_for_token

# Routers mounted under /api/<prefix>/ — (module, prefix).
ROUTERS: list[tuple[str, str]] = [
    ("hindsight.incidents.api", "incidents"),
    ("hindsight.monitors.api", "monitors"),
    ("hindsight.insights.api", "search"),
]


class TokenAuth(HttpBearer):
    """``Authorization: Bearer hs_…``"""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class TokenHeaderAuth(APIKeyHeader):
    """``X-Hindsight-Token: hs_…`` for clients that cannot set Authorization."""

    param_name = "X-Hindsight-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = user_for_token(key or "")
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """A logged-in browser session (with CSRF on writes)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


api = NinjaAPI(
    title="Hindsight API",
    version="1",
    description="Incidents, timelines, monitors, status pages and post-mortems.",
    urls_namespace="api",
    auth=[TokenAuth(), TokenHeaderAuth(), ActiveSessionAuth()],
)


def require_role(request: HttpRequest, role: str) -> User:
    """Return the caller, or raise 403 unless they have at least ``role``."""
    user = request.auth  # type: ignore[attr-defined]
    if not isinstance(user, User) or not user.has_role(role):
        raise HttpError(403, f"This needs the {role} role.")
    return user


def _error(request: HttpRequest, status: int, code: str, detail: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "code": code, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(
        request, 401, "unauthorized", "Send a valid API token: 'Authorization: Bearer hs_…'."
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
        for e in exc.errors
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return _error(request, 422, "invalid", f"The request is not valid: {summary}", errors=errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        409: "conflict",
        413: "too_large",
    }
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


def _mount() -> None:
    for module, prefix in ROUTERS:
        router = importlib.import_module(module).router
        api.add_router(f"/{prefix}", router)


def urlpatterns() -> list[URLPattern | URLResolver]:
    """The API's URL patterns; operations authenticate themselves (401, not a
    login redirect), while the interactive docs need a logged-in session."""
    _mount()
    patterns, _, _ = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name not in ("openapi-json", "openapi-view"):
            pattern.callback.login_required = False  # type: ignore[attr-defined]
    return list(patterns)
