"""The insights report: every figure of the dashboard on one printable page, and as PDF."""

from __future__ import annotations

import io
import sys
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from hindsight.insights import rollup
from hindsight.insights.models import MetricsSnapshot
from hindsight.insights.views import CHARTS
from hindsight.postmortems import printing

from .conftest import incident

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}svg"


def _charts(page: str) -> list[ET.Element]:
    """The inline SVG charts of the report page, each parsed as XML."""
    pieces = page.split("<svg")[1:]
    return [ET.fromstring("<svg" + piece.split("</svg>")[0] + "</svg>") for piece in pieces]


def test_the_report_draws_every_chart_inline(viewer_client):
    page = viewer_client.get("/insights/report.html").content.decode()
    assert [chart.tag for chart in _charts(page)] == [SVG] * len(CHARTS)


def test_the_report_carries_each_chart_s_numbers(viewer_client):
    page = viewer_client.get("/insights/report.html").content.decode()
    month = f"{timezone.now():%Y-%m}"
    row = f"<tr><td>{month}</td><td>0</td><td>1</td><td>0</td><td>0</td><td>1</td></tr>"
    assert row in page  # incidents per month: SEV1..SEV4, total


def test_the_report_fetches_nothing_from_elsewhere(viewer_client):
    response = viewer_client.get("/insights/report.html")
    page = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert ("default-src 'none'" in policy, "frame-ancestors 'none'" in policy) == (True, True)
    assert ("<img" not in page, "<link" not in page, "<script" not in page) == (True, True, True)


def test_the_report_leaves_restricted_incidents_out_for_a_viewer(viewer_client, client, an_editor):
    now = timezone.now()
    incident("Checkout down", services=("checkout",), started=now - timedelta(days=2))
    incident("Secret breach", services=("checkout",), restricted=True, started=now)
    rollup.refresh()  # the secret incident repeats the visible one's service
    page = viewer_client.get("/insights/report.html").content.decode()
    client.force_login(an_editor)
    editors = client.get("/insights/report.html").content.decode()
    assert ("restricted incidents left out" in page, "Secret breach" in page) == (True, False)
    assert "Secret breach" in editors


def test_the_report_writes_nothing(viewer_client):
    viewer_client.get("/insights/report.html")
    assert MetricsSnapshot.objects.count() == 0


def test_the_dashboard_links_the_report(viewer_client):
    page = viewer_client.get("/insights/").content.decode()
    assert 'href="/insights/report.html"' in page


def test_the_report_prints_as_pdf_with_its_charts(viewer_client):
    from tests.system import require

    require(not printing.missing(), printing.missing())
    from pypdf import PdfReader

    response = viewer_client.get("/insights/report.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert response.content[:5] == b"%PDF-"
    assert response["Content-Disposition"].startswith('attachment; filename="hindsight-insights-')
    # The charts are drawn in the PDF, their text as text: "minutes" is a duration axis's label.
    assert "Time to resolve" in text and "minutes" in text


def test_without_pango_the_report_pdf_says_what_to_install(
    viewer_client, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    answer = viewer_client.get("/insights/report.pdf")
    page = viewer_client.get("/insights/").content.decode()
    assert (answer.status_code, answer.json()["code"]) == (501, "pdf_unavailable")
    assert "No PDF here: PDF output needs WeasyPrint" in page
    assert 'href="/insights/report.pdf"' not in page
