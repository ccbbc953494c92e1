"""The public pages: what they disclose, how they look to a visitor, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.test import Client
from django.utils import timezone

from hindsight.incidents.services import declare_incident
from hindsight.monitors import storage
from hindsight.monitors.models import CheckResult, CheckRollup, Monitor
from hindsight.postmortems.models import PostMortem
from hindsight.statuspage import services
from hindsight.statuspage.models import StatusPage


def get(path: str, **extra) -> tuple[int, str]:
    response = Client().get(path, **extra)
    return response.status_code, response.content.decode()


def test_it_shows_the_default_page_without_login(a_page):
    status, body = get("/status/")
    assert status == 200
    assert "All Systems Operational" in body
    assert "<h3>Shop <span" in body
    assert "Checkout" in body and "Sign-in" in body
    assert "<script" not in body


def test_each_page_has_its_own_path_and_unknown_slugs_are_404(a_page, db):
    other = StatusPage.objects.create(slug="partners", title="Partner API status")
    assert get("/status/partners/")[1].count("Partner API status") >= 1
    assert get("/status/acme/")[0] == 200
    assert get("/status/nosuchpage/")[0] == 404
    assert get("/status/partners/incidents/999/")[0] == 404
    assert other.pk


def test_an_update_appears_with_its_history_and_escaped(an_incident, checkout):
    services.post_update(
        incident=an_incident,
        status="investigating",
        message='<script>alert("x")</script> Payments fail',
        components={checkout: "major_outage"},
    )
    services.post_update(incident=an_incident, status="identified", message="Cause found")
    status, body = get("/status/")
    assert "Major System Outage" in body
    assert "Checkout errors" in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Payments fail" in body
    assert '<script>alert("x")' not in body
    assert body.index("Cause found") < body.index("Payments fail")  # newest first
    status, body = get(f"/status/incidents/{an_incident.pk}/")
    assert status == 200
    assert "Affected components: Checkout" in body


def test_it_hides_incidents_without_updates_and_restricted_ones(an_incident, checkout):
    assert "Checkout errors" not in get("/status/")[1]
    secret = declare_incident(title="Secret breach", restricted=True)
    assert get(f"/status/incidents/{secret.pk}/")[0] == 404
    assert get(f"/status/incidents/{an_incident.pk}/")[0] == 404


def test_a_published_postmortem_is_rendered_and_sanitised(an_incident, checkout):
    services.post_update(
        incident=an_incident,
        status="resolved",
        message="Fixed",
        components={checkout: "operational"},
    )
    # Resolving drafted the post-mortem; a draft is never shown publicly.
    PostMortem.objects.filter(incident=an_incident, status="draft").update(
        public_body="## What happened\n\nA **bad** deploy."
    )
    assert "What happened" not in get(f"/status/incidents/{an_incident.pk}/")[1]
    PostMortem.objects.filter(incident=an_incident).update(
        status="published",
        public_body="## What happened\n\nA **bad** deploy. <img src=x onerror=alert(1)>\n\n"
        "[click](javascript:alert(1))",
    )
    body = get(f"/status/incidents/{an_incident.pk}/")[1]
    assert "<h2>What happened</h2>" in body
    assert "<strong>bad</strong>" in body
    assert "onerror=alert" not in body.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert 'href="javascript:' not in body


def test_uptime_bars_use_rollups_and_say_no_data_honestly(a_page, checkout):
    monitor = Monitor.objects.create(name="checkout", target="https://x", component=checkout)
    today = timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for days_ago, up in [(1, 1440), (2, 1400)]:
        CheckRollup.objects.create(
            monitor=monitor,
            period="day",
            bucket_start=today - timedelta(days=days_ago),
            checks=1440,
            up_checks=up,
        )
    body = get("/status/")[1]
    # (1440 + 1400) / 2880 over the two days that have data; the other 88 are "no data".
    assert "98.61% uptime over 2 days with data (last 90 days)" in body
    day = (today - timedelta(days=2)).strftime("%b %d")
    assert f"{day}: 97.22% uptime" in body
    assert body.count(": no data") >= 88
    assert "No uptime data in the last 90 days" in body  # Search has no monitor


def test_history_is_paged_by_month(a_page, checkout):
    old = declare_incident(title="Old outage", started_at=datetime(2026, 9, 3, tzinfo=UTC))
    services.post_update(
        incident=old, status="resolved", message="Done", components={checkout: "operational"}
    )
    assert "Old outage" in get("/status/history/2026-09/")[1]
    october = get("/status/history/2026-10/")[1]
    assert "No incidents reported in October 2026." in october
    assert 'href="../../history/2026-09/">September 2026' in october
    assert get("/status/history/2019-01/")[0] == 404
    assert get("/status/history/garbage/")[0] == 404


def test_page_customisation_is_applied(a_page):
    a_page.brand_color = "#aa0000"
    a_page.custom_css = "body { letter-spacing: 0.01em; } </style><script>x</script>"
    a_page.header_links = [
        {"label": "Docs", "url": "https://docs.acme.test"},
        {"label": "Bad", "url": "javascript:x"},
    ]
    a_page.time_zone = "Europe/Berlin"
    a_page.logo_text = "ACME Corp"
    a_page.save()
    body = get("/status/")[1]
    assert "--brand: #aa0000" in body
    assert "letter-spacing: 0.01em" in body
    assert "</style><script>" not in body
    assert '<a href="https://docs.acme.test" rel="noopener">Docs</a>' in body
    assert "javascript:x" not in body
    assert "Times are shown in Europe/Berlin" in body
    assert ">ACME Corp</a>" in body


def test_the_badge_is_svg_with_the_status(a_page):
    response = Client().get("/status/badge.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert b"All Systems Operational" in response.content


def test_maintenance_starts_and_completes_on_its_own(a_page, checkout):
    now = timezone.now()
    window = services.schedule_maintenance(
        page=a_page,
        title="Database upgrade",
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        components=[checkout],
    )
    assert "Database upgrade" in get("/status/")[1]
    assert services.tick_maintenance(now=now + timedelta(minutes=61)) == 1
    window.refresh_from_db()
    checkout.refresh_from_db()
    assert (window.status, checkout.status) == ("in_progress", "under_maintenance")
    assert services.tick_maintenance(now=now + timedelta(hours=3)) == 1
    window.refresh_from_db()
    checkout.refresh_from_db()
    assert (window.status, checkout.status) == ("completed", "operational")
    assert "Database upgrade" not in get("/status/")[1]


def test_the_team_overview_needs_a_login(a_page, the_viewer):
    assert Client().get("/statuspage/").status_code == 302
    client = Client()
    client.force_login(the_viewer)
    body = client.get("/statuspage/").content.decode()
    assert "Acme status" in body and "Schedule maintenance" not in body
    assert "Post a public update" not in body


def test_a_responder_schedules_maintenance_from_the_overview(
    an_incident, a_page, checkout, a_responder
):
    client = Client()
    client.force_login(a_responder)
    body = client.get("/statuspage/").content.decode()
    assert "Checkout errors</a> —\nnot on the status page yet" in body
    assert (
        f'href="/statuspage/incidents/{an_incident.pk}/updates/new/">Post a public update' in body
    )
    response = client.post(
        "/statuspage/maintenance/",
        {
            "page": a_page.pk,
            "title": "Network work",
            "starts_at": "2030-01-01T10:00",
            "ends_at": "2030-01-01T09:00",
            "components": [checkout.pk],
        },
    )
    assert response.status_code == 302
    assert not a_page.maintenances.exists()
    client.post(
        "/statuspage/maintenance/",
        {
            "page": a_page.pk,
            "title": "Network work",
            "starts_at": "2030-01-01T10:00",
            "ends_at": "2030-01-01T11:00",
            "components": [checkout.pk],
        },
    )
    assert list(a_page.maintenances.values_list("title", "status")) == [
        ("Network work", "scheduled")
    ]


def test_the_status_page_and_the_monitors_api_count_degraded_time_alike(a_page, checkout):
    monitor = Monitor.objects.create(name="checkout", target="https://x", component=checkout)
    yesterday = timezone.now().astimezone(UTC).replace(
        hour=0, minute=0, second=0, microsecond=0
    ) - timedelta(days=1)
    CheckRollup.objects.create(
        monitor=monitor,
        period="day",
        bucket_start=yesterday,
        checks=1440,
        up_checks=1340,
        degraded_checks=60,
        down_checks=40,
    )
    # (1340 up + 60 degraded) of 1440 answered: 97.22 %, on both.
    assert "97.22% uptime over 1 day with data" in get("/status/")[1]
    assert round(storage.uptime(monitor_ids=[monitor.pk])[monitor.pk]["90d"], 2) == 97.22


def _down_now(checkout, *, up_today: int) -> Monitor:
    """A monitor fully up yesterday (rolled up) that is down right now, with today's
    checks still raw (not rolled up yet)."""
    monitor = Monitor.objects.create(
        name="checkout", target="https://x", component=checkout, state="down"
    )
    now = timezone.now()
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    CheckRollup.objects.create(
        monitor=monitor,
        period="day",
        bucket_start=midnight - timedelta(days=1),
        checks=1440,
        up_checks=1440,
    )
    for second in range(up_today):
        CheckResult.objects.create(
            monitor=monitor, status="up", checked_at=now - timedelta(seconds=second + 2)
        )
    CheckResult.objects.create(monitor=monitor, status="down", checked_at=now)
    return monitor


def test_todays_cell_counts_the_checks_not_rolled_up_yet(a_page, checkout):
    _down_now(checkout, up_today=3)
    today = timezone.now().astimezone(UTC).strftime("%b %d")

    body = get("/status/")[1]

    # 3 up and 1 down today, all raw: 75 %, and the component is down now.
    assert f'<li class="down" title="{today}: 75.00% uptime; down now">' in body


def test_a_component_down_right_now_never_reads_100_percent(a_page, checkout):
    _down_now(checkout, up_today=0)
    today = timezone.now().astimezone(UTC).strftime("%b %d")
    rollups, results = CheckRollup.objects.count(), CheckResult.objects.count()

    body = get("/status/")[1]

    # 1440 up yesterday + 1 down check now: 99.93 %, not 100 %; today is red.
    assert "99.93% uptime over 2 days with data (last 90 days)" in body
    assert f'<li class="down" title="{today}: 0.00% uptime; down now">' in body
    # Rendering reads only: nothing was rolled up or written.
    assert (CheckRollup.objects.count(), CheckResult.objects.count()) == (rollups, results)


def test_a_failed_check_among_many_shows_below_100_not_rounded_up(a_page, checkout):
    monitor = _down_now(checkout, up_today=0)
    CheckRollup.objects.filter(monitor=monitor).update(checks=100000, up_checks=100000)

    body = get("/status/")[1]

    assert "99.99% uptime over 2 days with data (last 90 days)" in body
