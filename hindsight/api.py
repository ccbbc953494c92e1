"""The JSON API (django-ninja): token or session auth, roles, one error shape.

Every domain adds a ``router`` in its own ``api.py``; they are mounted here.
Errors always have the body ``{"detail": "<message>", "code": "<code>"}``
(validation errors add ``"errors": [...]``), so clients handle one shape.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern, URLResolver, re_path, reverse
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.openapi.views import openapi_json
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth
from pydantic import AfterValidator

from hindsight.accounts.models import User
from hindsight.accounts.services import user_for_token
from hindsight.core import inputs

log = logging.getLogger(__name__)


def _moment(value: datetime) -> datetime:
    # A naive time is refused by each operation with its own 400 message.
    return value if value.tzinfo is None else inputs.check_time(value)


# A time a client sends: a UTC offset PostgreSQL accepts, within 1970–2200.
Moment = Annotated[datetime, AfterValidator(_moment)]

# Routers mounted under /api/<prefix>/ — (module, prefix).
ROUTERS: list[tuple[str, str]] = [
    ("hindsight.incidents.api", "incidents"),
    ("hindsight.statuspage.api", "incidents"),  # public updates: /api/incidents/{id}/updates
    ("hindsight.monitors.api", "monitors"),
    ("hindsight.postmortems.api", "postmortems"),
    ("hindsight.insights.api", "search"),
    ("hindsight.actions.api", "action-items"),
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


class CleanParser(Parser):
    """JSON bodies and query strings pass the edge (hindsight.core.inputs) before any schema."""

    def parse_body(self, request: HttpRequest) -> Any:
        return inputs.load_json(request.body, where="The body")

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        parsed = super().parse_querydict(data, list_fields, request)
        return inputs.clean_json(parsed, where="The query")  # type: ignore[no-any-return]


# The error responses every operation may give, by status: (when, the codes it carries).
ERRORS: dict[int, str] = {
    400: "The input is malformed or out of range (codes: bad_request, out_of_range, too_deep, …).",
    401: "No valid API token (code: unauthorized).",
    403: "The token's user lacks the role this needs (code: forbidden).",
    404: "No such object, or the caller may not see it (code: not_found).",
    409: "The change conflicts with the current state (code: conflict, version_conflict, …).",
    413: "The request body is too large; nothing was stored (code: too_large).",
    422: "A field is missing or has the wrong type (code: invalid; `errors` names each field).",
    500: "Something failed on the server; it is logged (code: server_error).",
}
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["detail", "code"],
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for a person."},
        "code": {"type": "string", "description": "What went wrong, for a program."},
        "errors": {
            "type": "array",
            "description": "On 422: each field that is not valid.",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def _error_statuses(method: str, path: str) -> list[int]:
    statuses = [400, 401, 403, 422, 500]
    if "{" in path:
        statuses.append(404)
    if method in ("post", "put", "patch", "delete"):
        statuses += [409, 413]
    return sorted(statuses)


class HindsightAPI(NinjaAPI):
    """Short operation ids and the error responses declared, for generated clients."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        # The view's own name (`list_incidents`); tests/api checks they are unique.
        return operation.view_func.__name__

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status in _error_statuses(method, path):
                    declared = responses.pop(status, None) or responses.pop(str(status), None)
                    description = (declared or {}).get("description") or ERRORS[status]
                    responses[status] = {"description": description, "content": content}
        return schema


api = HindsightAPI(
    title="Hindsight API",
    version="1",
    description="Incidents, timelines, monitors, status pages and post-mortems.",
    urls_namespace="api",
    auth=[TokenAuth(), TokenHeaderAuth(), ActiveSessionAuth()],
    parser=CleanParser(),
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
    if isinstance(exc.__cause__, inputs.InputError):  # ninja wraps what the parser raised
        return _error(request, 400, exc.__cause__.code, str(exc.__cause__))
    codes = {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        409: "conflict",
        413: "too_large",
    }
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", "No such object, or you may not see it.")


@api.exception_handler(inputs.InputError)
def _bad_input(request: HttpRequest, exc: inputs.InputError) -> HttpResponse:
    return _error(request, 400, exc.code, str(exc))


@api.exception_handler(DataError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The database refused a value the schemas let through (PostgreSQL checks
    # lengths and ranges; the transaction rolled back, nothing was stored).
    log.warning("api: database refused input on %s: %s", request.path, exc)
    return _error(request, 400, "out_of_range", "A value is too long or out of range.")


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, OverflowError | RecursionError):
        return _error(request, 400, "out_of_range", "A date or number is out of range.")
    log.exception("api: %s %s failed", request.method, request.path)
    return _error(request, 500, "server_error", "Something went wrong on our side; it is logged.")


@csrf_exempt
@login_not_required
def unknown_path(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any path under /api/ that is no endpoint: the same JSON error as every other."""
    return JsonResponse(
        {"detail": f"No API endpoint at {request.path}.", "code": "not_found"}, status=404
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "too_large", "The request body is too large; nothing was stored.")


@csrf_exempt
@login_not_required
def schema_for_clients(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """The OpenAPI document, for a token (generators) as for a logged-in browser."""
    for auth in (TokenAuth(), TokenHeaderAuth(), ActiveSessionAuth()):
        if auth(request) is not None:
            return openapi_json(request, api=api, **kwargs)
    return _unauthorized(request, AuthenticationError())


@login_not_required
def api_root(request: HttpRequest, **kwargs: Any) -> JsonResponse:
    """Where the schema and the docs are."""
    return JsonResponse(
        {"openapi": reverse("api:openapi-json"), "docs": reverse("api:openapi-view")}
    )


def _json_method_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A method an endpoint does not offer gets the JSON error too (ninja answers plain text)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and isinstance(response, HttpResponseNotAllowed):
            allowed = ", ".join(sorted(response["Allow"].split(", ")))
            refused = JsonResponse(
                {
                    "detail": f"{request.method} is not offered here; use {allowed}.",
                    "code": "method_not_allowed",
                },
                status=405,
            )
            refused["Allow"] = allowed
            return refused
        return response

    return wrapped


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
        if not isinstance(pattern, URLPattern):
            continue
        if pattern.name == "openapi-json":
            pattern.callback = schema_for_clients
        elif pattern.name == "api-root":
            pattern.callback = api_root
        elif pattern.name != "openapi-view":
            pattern.callback = _json_method_errors(pattern.callback)
            pattern.callback.login_required = False  # type: ignore[attr-defined]
    return [*patterns, re_path(r"^(?P<rest>.*)$", unknown_path, name="unknown")]
