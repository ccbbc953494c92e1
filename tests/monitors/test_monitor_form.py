"""The monitor form follows the kind: typed check options, every error at once, the list strip."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hindsight.accounts.models import User
from hindsight.monitors import credentials
from hindsight.monitors.models import CheckResult, Monitor
from tests.monitors.support import make_monitor

pytestmark = pytest.mark.django_db


def editor_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(user: User, url: str = "/monitors/new/", **fields: Any) -> Any:
    data = {
        "name": "api",
        "kind": "http",
        "target": "http://127.0.0.1:9/health",
        "interval_seconds": 60,
        "timeout_seconds": 5,
        "confirmations_down": 2,
        "confirmations_up": 1,
        "quorum": 1,
        **fields,
    }
    return editor_client(user).post(url, data)


def field_error(html: str, field: str) -> str:
    """The error shown in the row of one field (empty when none)."""
    match = re.search(rf'<p class="error" id="id_{field}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


def test_an_http_form_saves_method_codes_tls_thresholds_and_severity(an_editor):
    response = post(
        an_editor,
        method="HEAD",
        status_codes="200, 204",
        tls_warning_days=20,
        tls_critical_days=5,
        severity="SEV2",
        keyword="ignored for http",
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Monitor.objects.get().config == {
        "method": "HEAD",
        "status_codes": [200, 204],
        "tls_warning_days": 20,
        "tls_critical_days": 5,
        "severity": "SEV2",
    }


def test_an_http_form_saves_a_request_body_for_post(an_editor):
    response = post(an_editor, method="POST", body='{"ping": 1}')
    assert response.status_code == 302, response.context["form"].errors
    assert Monitor.objects.get().config == {"method": "POST", "body": '{"ping": 1}'}


def test_a_body_with_get_is_refused_under_the_body_field(an_editor):
    html = post(an_editor, method="GET", body="x").content.decode()
    assert field_error(html, "body") == "A request body is sent with PATCH, POST, PUT, not GET"
    assert Monitor.objects.count() == 0


def test_a_keyword_form_saves_the_keyword_its_mode_and_regex(an_editor):
    response = post(
        an_editor,
        kind="keyword",
        keyword="ok|fine",
        keyword_mode="absent",
        keyword_is_regex="on",
        method="GET",
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Monitor.objects.get().config == {
        "keyword": "ok|fine",
        "keyword_mode": "absent",
        "keyword_is_regex": True,
    }


def test_a_tls_form_saves_only_the_thresholds(an_editor):
    response = post(
        an_editor,
        kind="tls",
        target="127.0.0.1:8443",
        method="POST",
        status_codes="",
        tls_warning_days=30,
        tls_critical_days=7,
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Monitor.objects.get().config == {"tls_warning_days": 30, "tls_critical_days": 7}


def test_a_tcp_form_saves_no_http_options(an_editor):
    response = post(
        an_editor, kind="tcp", target="127.0.0.1:5432", method="POST", keyword="ok", severity=""
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Monitor.objects.get().config == {}


def test_the_advanced_json_keeps_other_options_and_the_fields_win(an_editor):
    response = post(
        an_editor,
        method="PUT",
        config_text='{"method": "POST", "max_redirects": 2}',
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Monitor.objects.get().config == {"method": "PUT", "max_redirects": 2}


def test_editing_shows_stored_options_in_their_fields_and_never_a_header_value(an_editor):
    monitor = make_monitor(
        "api",
        "http://127.0.0.1:9/",
        config={"status_codes": [200, 301], "max_redirects": 1, "method": "HEAD"},
    )
    credentials.set_credentials(monitor, headers={"Authorization": "Bearer s3cret-token"})
    monitor.save()
    html = editor_client(an_editor).get(f"/monitors/{monitor.pk}/edit/").content.decode()
    assert 'value="200, 301"' in html
    assert '<option value="HEAD" selected>' in html
    assert "{&quot;max_redirects&quot;: 1}" in html
    assert "Set: Authorization" in html and "s3cret-token" not in html


def test_bad_input_shows_every_error_next_to_its_field_and_stores_nothing(an_editor):
    kept = make_monitor("kept", "http://127.0.0.1:9/", config={"keyword": "ok"}, kind="keyword")
    response = post(
        an_editor,
        url=f"/monitors/{kept.pk}/edit/",
        name="",
        kind="keyword",
        keyword="",
        interval_seconds=5,
        status_codes="200, abc",
        tls_warning_days=0,
        headers_text="no colon here",
        config_text="{not json",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert field_error(html, "name") == "This field is required."
    assert field_error(html, "interval_seconds") == "must be at least 20 seconds"
    assert (
        field_error(html, "status_codes") == "&#x27;abc&#x27; is not an HTTP status code (100–599)"
    )
    assert field_error(html, "keyword") == "A keyword check needs a keyword"
    assert "greater than or equal to 1" in field_error(html, "tls_warning_days")
    assert "Name: value" in field_error(html, "headers_text")
    assert "not valid JSON" in field_error(html, "config_text")
    kept.refresh_from_db()
    assert (kept.name, kept.interval_seconds, kept.config) == ("kept", 60, {"keyword": "ok"})


def test_the_egress_guard_refusal_shows_beside_an_option_error(an_editor):
    html = post(
        an_editor, kind="keyword", keyword="", target="http://169.254.169.254/"
    ).content.decode()
    assert "169.254.169.254" in field_error(html, "target")
    assert field_error(html, "keyword") == "A keyword check needs a keyword"
    assert Monitor.objects.count() == 0


def test_the_interval_field_states_the_minimum(an_editor):
    html = editor_client(an_editor).get("/monitors/new/").content.decode()
    assert "Seconds between checks; at least 20." in html


def test_the_form_marks_rows_with_the_kinds_they_apply_to(an_editor):
    html = editor_client(an_editor).get("/monitors/new/").content.decode()
    assert re.search(r'data-kinds="keyword">\s*<label for="id_keyword"', html)
    assert re.search(r'data-kinds="http keyword tls">\s*<label for="id_tls_warning_days"', html)
    assert re.search(r'<div class="field">\s*<label for="id_interval_seconds"', html)


def test_the_list_shows_a_heartbeat_strip_and_a_sparkline(the_viewer):
    monitor = make_monitor("checkout", "http://127.0.0.1:9/")
    quiet = make_monitor("quiet", "http://127.0.0.1:9/q")
    now = timezone.now()
    CheckResult.objects.bulk_create(
        CheckResult(
            monitor=monitor,
            checked_at=now - timedelta(minutes=40 - m),
            status="down" if m == 38 else "up",
            latency_ms=None if m == 38 else 100.0 + m,
        )
        for m in range(40)
    )
    client = Client()
    client.force_login(the_viewer)
    html = client.get("/monitors/").content.decode()
    strip = re.search(r'<span class="heartbeat"[^>]*>(.*?)</span>', html, re.S)
    assert strip is not None
    cells = re.findall(r'<i class="(\w+)"', strip.group(1))
    assert len(cells) == 30 and cells[-2] == "down" and cells.count("down") == 1
    assert 'aria-label="Response time of the last 30 checks: 110 to 139 ms"' in html
    assert html.count('<svg class="sparkline"') == 1
    assert "no checks" in html.split("quiet")[1]
    assert not quiet.results.exists()
    assert html.count('<td class="uptime">') == 8


def test_a_twenty_second_interval_is_accepted(an_editor):
    response = post(an_editor, interval_seconds=20, timeout_seconds=20)
    assert response.status_code == 302, response.context["form"].errors
    assert Monitor.objects.get().interval_seconds == 20


def test_a_longer_lease_grace_raises_the_minimum(an_editor, settings):
    settings.WORKER_LEASE_GRACE_SECONDS = 45
    html = post(an_editor, interval_seconds=30).content.decode()
    assert field_error(html, "interval_seconds") == "must be at least 45 seconds"
    assert Monitor.objects.count() == 0
