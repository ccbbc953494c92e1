"""The last line behind hindsight.core.inputs: input the database refuses is a 400, not a 500."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth import middleware as auth_middleware
from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse

from hindsight.core.inputs import InputError

log = logging.getLogger(__name__)

REFUSED = (DataError, OverflowError, RecursionError, UnicodeEncodeError, InputError)
MESSAGE = "A value is too long, out of range or not storable; nothing was saved."


class RefusedInputMiddleware:
    """Answer 400 when a view meets input that validation let through and storage refused."""

    def __init__(self, get_response: object) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)  # type: ignore[operator,no-any-return]

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, REFUSED):
            return None
        # The view's transaction rolled back; the reason is for operators only.
        log.warning("refused input on %s %s: %r", request.method, request.path, exception)
        if request.path.startswith(("/api/", "/integrations/hooks/")):
            return JsonResponse({"detail": MESSAGE, "code": "out_of_range"}, status=400)
        return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, but a public view is let through before the session is read.

    Reading the session to ask "logged in?" marks it accessed, and Django then
    adds `Vary: Cookie`, which stops shared caches (a CDN, nginx) from keeping
    one copy of a public status page for everyone.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
