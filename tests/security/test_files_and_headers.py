"""Owner-only files, security headers, HTTPS behind a proxy, local API docs, quiet health."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from hindsight import config
from hindsight.accounts.models import User
from hindsight.web import views as web_views


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_directory_is_created_owner_only(tmp_path: Path) -> None:
    made = config.data_dir({"HINDSIGHT_DATA_DIR": str(tmp_path / "data")})
    assert _mode(made) == 0o700


def test_the_sqlite_database_and_its_wal_are_owner_only(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "hindsight.sqlite3"
    config.protect_sqlite(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (x)")
    db.execute("INSERT INTO t VALUES (1)")
    db.commit()
    modes = {p.name: _mode(p) for p in tmp_path.iterdir()}
    db.close()
    assert modes == {
        "hindsight.sqlite3": 0o600,
        "hindsight.sqlite3-wal": 0o600,
        "hindsight.sqlite3-shm": 0o600,
    }


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "hindsight.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o644)
    config.protect_sqlite(path)
    assert _mode(path) == 0o600


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
    ],
)
def test_every_page_sends_the_security_headers(
    db: None, client: Client, header: str, value: str
) -> None:
    assert client.get("/accounts/login/")[header] == value


def test_the_content_security_policy_allows_no_inline_or_foreign_script(
    db: None, client: Client
) -> None:
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert (directives["script-src"], directives["frame-ancestors"], directives["object-src"]) == (
        "'self'",
        "'none'",
        "'none'",
    )


def test_the_public_status_page_sends_the_policy_too(db: None, client: Client) -> None:
    from hindsight.statuspage.models import StatusPage

    StatusPage.objects.create(slug="main", title="Main", is_default=True)
    assert "script-src 'self'" in client.get("/status/")["Content-Security-Policy"]


def test_behind_tls_cookies_are_secure_and_hsts_is_sent(
    the_viewer: User, client: Client, settings: Any
) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = client.post(
        "/accounts/login/",
        {"username": the_viewer.username, "password": "pw-vera-viewer"},
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert (response["Strict-Transport-Security"], response.cookies["sessionid"]["secure"]) == (
        "max-age=31536000",
        True,
    )


def test_webhook_urls_are_shown_with_https_behind_a_tls_proxy(
    an_editor: User, client: Client, settings: Any
) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["hindsight.example.com"]
    client.force_login(an_editor)
    proxied = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "hindsight.example.com"}
    client.post("/integrations/", {"name": "am", "kind": "alertmanager"}, **proxied)
    page = client.get("/integrations/", **proxied).content.decode()
    assert "https://hindsight.example.com/integrations/hooks/alertmanager/hsi_" in page


def test_the_api_docs_load_their_script_and_styles_from_hindsight(
    the_viewer: User, client: Client
) -> None:
    client.force_login(the_viewer)
    page = client.get("/api/docs").content.decode()
    assert (
        "/static/ninja/swagger-ui-bundle.js" in page,
        "/static/ninja/swagger-ui.css" in page,
        "cdn" in page.lower(),
        "https://" in page,
    ) == (True, True, False, False)


def test_the_health_check_hides_database_errors_from_anonymous_callers(
    db: None, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Down:
        def cursor(self) -> Any:
            raise RuntimeError('connection to server at "db.internal" (10.0.0.3) failed')

    monkeypatch.setattr(web_views, "connection", Down())
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (
        503,
        {"status": "error", "database": "unavailable"},
    )


def test_status_page_snapshots_served_before_django_carry_the_same_policy(
    tmp_path: Path,
) -> None:
    from hindsight.statuspage.static import _File

    page = tmp_path / "index.html"
    page.write_text("<h1>ok</h1>")
    headers = dict(_File(page, page.stat()).headers)
    assert (headers["Content-Security-Policy"], headers["X-Frame-Options"]) == (
        config.CSP_HEADER,
        "DENY",
    )
