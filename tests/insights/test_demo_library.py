"""The demo's year of earlier incidents gives the library and the dashboard something to show."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hindsight.insights import rollup
from hindsight.web.demo import seed

pytestmark = pytest.mark.django_db


def test_the_demo_ranks_its_recurring_factors_first():
    seed(web_url="http://127.0.0.1:8000/")
    data = rollup.compute(now=timezone.now(), include_restricted=False)
    assert data["factors"][:2] == [
        {"tag": "capacity", "incidents": 11},
        {"tag": "deploy", "incidents": 11},
    ]
