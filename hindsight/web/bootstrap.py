"""First-run setup: the admin account and, unless declined, the demo data."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from hindsight.accounts.models import Role, User
from hindsight.accounts.services import create_user


@dataclass(frozen=True)
class FirstRun:
    username: str
    password: str
    demo: bool


def first_run(*, demo: bool, web_url: str) -> FirstRun | None:
    """On an empty database create the admin (and demo data); else do nothing.

    A second start never re-seeds or resets a password: it returns None.
    """
    with transaction.atomic():
        if User.objects.exists():
            return None
        _, password = create_user(username="admin", role=Role.ADMIN, email="admin@localhost")
        if demo:
            from hindsight.web.demo import seed

            seed(web_url=web_url)
    return FirstRun(username="admin", password=password, demo=demo)
