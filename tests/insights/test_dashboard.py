"""The insights page, its SVG charts and CSV downloads."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from hindsight.insights import rollup
from hindsight.insights.models import MetricsSnapshot, PostMortemFactor
from hindsight.insights.views import CHARTS
from hindsight.postmortems.models import PostMortem

from .conftest import body, incident, postmortem

pytestmark = pytest.mark.django_db


def test_it_computes_the_figures_without_storing_them_when_there_is_no_snapshot(viewer_client):
    response = viewer_client.get("/insights/")
    assert (response.status_code, MetricsSnapshot.objects.count()) == (200, 0)
    assert "no snapshot stored yet" in response.content.decode()


def test_it_shows_the_stored_snapshot(viewer_client):
    rollup.refresh()
    incident("After the snapshot")
    page = viewer_client.get("/insights/").content.decode()
    assert "no snapshot stored yet" not in page and "restricted incidents left out" in page


@pytest.mark.parametrize("name", CHARTS)
def test_it_draws_each_chart_as_svg(viewer_client, name):
    response = viewer_client.get(f"/insights/{name}.svg")
    root = ET.fromstring(response.content)
    assert (response["Content-Type"], root.tag) == (
        "image/svg+xml",
        "{http://www.w3.org/2000/svg}svg",
    )


def test_it_downloads_a_chart_s_numbers_as_csv(viewer_client):
    response = viewer_client.get("/insights/incidents.csv")
    lines = response.content.decode().splitlines()
    assert (response["Content-Type"], lines[0], lines[-1]) == (
        "text/csv; charset=utf-8",
        "month,SEV1,SEV2,SEV3,SEV4,total",
        f"{timezone.now():%Y-%m},0,1,0,0,1",
    )


def test_it_answers_an_unknown_chart_with_404(viewer_client):
    assert viewer_client.get("/insights/nonsense.svg").status_code == 404


def test_it_lists_insights_in_the_navigation(viewer_client):
    assert 'href="/insights/"' in viewer_client.get("/incidents/").content.decode()


def test_the_rollup_job_re_derives_factors_changed_behind_its_back(viewer_client):
    pm = postmortem(incident("Expired"))
    rollup.run()
    PostMortem.objects.filter(pk=pm.pk).update(  # a save that sends no signal
        body=body("The certificate expired."), updated_at=timezone.now()
    )
    rollup.run()
    assert list(PostMortemFactor.objects.values_list("tag", flat=True)) == ["certificate-expiry"]
