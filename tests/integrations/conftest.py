from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from hindsight.catalog.models import Service
from hindsight.integrations.services import create_integration

Deliver = Callable[..., Any]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    """Argon2 is deliberately slow; these tests are about integrations, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alerts(corpus_dir: Path) -> Callable[[str], bytes]:
    """Read one real payload from the shared corpus."""
    return lambda name: (corpus_dir / "alerts" / name).read_bytes()


@pytest.fixture
def hook(db: None) -> Callable[..., Callable[[bytes], Any]]:
    """Create an integration of a kind and return a function that POSTs a body to it."""

    def make(kind: str, service: Service | None = None) -> Callable[[bytes], Any]:
        integration, token = create_integration(name=f"{kind} hook", kind=kind, service=service)
        client = Client()

        def deliver(body: bytes | dict[str, Any]) -> Any:
            data = json.dumps(body).encode() if isinstance(body, dict) else body
            return client.post(
                f"/integrations/hooks/{kind}/{token}/", data, content_type="application/json"
            )

        deliver.integration = integration  # type: ignore[attr-defined]
        deliver.token = token  # type: ignore[attr-defined]
        return deliver

    return make
