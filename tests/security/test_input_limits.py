"""Limits on input: YAML aliases, line breaks in subjects, chat markup, custom domains,
HTTP methods and Host headers of monitors."""

from __future__ import annotations

import email
import resource
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage

from hindsight.incidents.services import declare_incident
from hindsight.integrations.models import Delivery, NotificationChannel
from hindsight.integrations.notifiers import Message, send_slack, send_teams, slack_text, teams_text
from hindsight.integrations.outbox import deliver_due
from hindsight.monitors import services
from hindsight.monitors.config_yaml import ImportRefused, import_monitors
from hindsight.monitors.models import Monitor
from hindsight.statuspage.models import StatusPage

# The 383-byte file from the report: nine levels of nine aliases each.
LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{','.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8)
    )
    + "monitors: *i\n"
)


def test_a_yaml_file_with_aliases_is_refused_quickly_and_says_why(db: None) -> None:
    started = time.perf_counter()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ImportRefused) as refused:
        import_monitors(LAUGHS)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert (
        refused.value.problems,
        time.perf_counter() - started < 1,
        grown_kib < 50_000,
        Monitor.objects.count(),
    ) == (
        ["line 2: YAML aliases (*name) are not accepted; write each monitor out in full"],
        True,
        True,
        0,
    )


def test_a_yaml_anchor_without_an_alias_still_imports(db: None) -> None:
    plan = import_monitors(
        "monitors:\n  - &first {name: web, target: 'http://127.0.0.1:9/', interval: 60}\n"
    )
    assert plan.created == ["web"]


def test_a_title_with_line_breaks_is_emailed_on_one_subject_line(
    db: None, smtp_server: Any
) -> None:
    NotificationChannel.objects.create(name="mail", kind="email", target="ops@example.com")
    incident = declare_incident(title="Checkout down\r\nBcc: victim@example.com", severity="SEV2")
    sent, failed = deliver_due()
    message = email.message_from_bytes(smtp_server.messages[0].content)
    assert (sent, failed, message["Subject"], message["Bcc"]) == (
        1,
        0,
        f"[SEV2] Incident #{incident.pk} opened: Checkout down Bcc: victim@example.com",
        None,
    )


def _message(title: str, summary: str = "") -> Message:
    return Message(
        event="incident.opened",
        incident_id=7,
        title=title,
        severity="SEV1",
        status="investigating",
        services=["<!here>"],
        url="https://hindsight.example.com/incidents/7/",
        started_at="2026-12-01T10:00:00+00:00",
        resolved_at=None,
        summary=summary,
    )


def test_slack_markup_in_a_title_is_shown_not_obeyed() -> None:
    assert slack_text("<!channel> see <https://evil.example|your bank>") == (
        "&lt;!channel&gt; see &lt;https://evil.example|your bank&gt;"
    )


def test_the_slack_message_escapes_every_field_people_wrote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[bytes] = []
    monkeypatch.setattr(
        "hindsight.integrations.notifiers.post_json", lambda url, body, *a, **k: sent.append(body)
    )
    send_slack("https://hooks.example", "", _message("<!channel> down", "<@U123> paged"))
    body = sent[0].decode()
    assert ("<!channel>" in body, "<!here>" in body, "<@U123>" in body) == (False, False, False)


def test_teams_markdown_links_in_a_title_are_escaped() -> None:
    assert teams_text("[Reset your password](https://evil.example) **now**") == (
        "\\[Reset your password\\]\\(https://evil.example\\) \\*\\*now\\*\\*"
    )


def test_the_teams_card_shows_no_html_from_a_title(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[bytes] = []
    monkeypatch.setattr(
        "hindsight.integrations.notifiers.post_json", lambda url, body, *a, **k: sent.append(body)
    )
    send_teams("https://hooks.example", "", _message("<img src=x onerror=alert(1)>"))
    assert "<img" not in sent[0].decode()


def test_a_status_page_on_the_apps_own_host_is_refused(db: None, settings: Any) -> None:
    settings.BASE_URL = "https://hindsight.example.com"
    page = StatusPage(slug="main", title="Main", custom_domain="Hindsight.Example.com")
    with pytest.raises(ValidationError, match="is Hindsight's own host"):
        page.full_clean()


def test_a_status_page_on_its_own_host_is_accepted(db: None, settings: Any) -> None:
    settings.BASE_URL = "https://hindsight.example.com"
    StatusPage(slug="main", title="Main", custom_domain="status.example.com").full_clean()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"method": "TRACE"}, "HTTP method 'TRACE' is not one of"),
        ({"method": "CONNECT"}, "HTTP method 'CONNECT' is not one of"),
    ],
)
def test_a_monitor_with_an_odd_method_is_refused(
    db: None, config: dict[str, str], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        services.save_monitor(
            monitor=Monitor(name="m", target="http://127.0.0.1:9/", config=config)
        )


@pytest.mark.parametrize(
    "host", ["evil.example\tx", "a b", "x" * 300, "host:99999999", "user@host"]
)
def test_a_monitor_with_a_host_header_that_is_no_host_is_refused(db: None, host: str) -> None:
    monitor = Monitor(name="m", target="http://127.0.0.1:9/", config={"headers": {"Host": host}})
    with pytest.raises(ValidationError, match="Host header must be a host name"):
        services.save_monitor(monitor=monitor)


def test_a_monitor_with_too_many_headers_is_refused(db: None) -> None:
    headers = {f"X-H{n}": "v" for n in range(21)}
    monitor = Monitor(name="m", target="http://127.0.0.1:9/", config={"headers": headers})
    with pytest.raises(ValidationError, match="at most 20 headers"):
        services.save_monitor(monitor=monitor)


def test_an_email_is_unchanged_when_the_title_is_plain() -> None:
    assert _message("Checkout down").headline == "[SEV1] Incident #7 opened: Checkout down"


def test_emails_built_elsewhere_still_refuse_a_newline_subject() -> None:
    from django.core.mail import BadHeaderError

    with pytest.raises(BadHeaderError):
        EmailMessage(subject="a\nb", body="x", to=["a@example.com"]).message()


def test_a_delivery_row_keeps_the_original_title(db: None) -> None:
    NotificationChannel.objects.create(name="hook", kind="webhook", target="http://127.0.0.1:9/")
    declare_incident(title="two\nlines", severity="SEV3")
    assert Delivery.objects.get().payload["title"] == "two\nlines"
