"""Alert sources are registered once; the model, the page, the URL and the docs read it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hindsight.integrations.models import Integration
from hindsight.integrations.services import create_integration
from hindsight.integrations.views import IntegrationForm
from hindsight.integrations.webhooks.registry import SOURCES, source_choices

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrations.md"


def test_the_docs_table_lists_every_registered_source() -> None:
    table = DOC.read_text().split("| kind | source |")[1].split("\n\n")[0]
    rows = re.findall(r"^\| `(\w+)` \| (.+) \|$", table, re.M)
    assert rows == source_choices()


def test_the_model_and_the_page_offer_the_registry() -> None:
    field = Integration._meta.get_field("kind")
    assert list(field.choices) == source_choices()  # type: ignore[arg-type]
    assert list(IntegrationForm().fields["kind"].choices) == source_choices()


@pytest.mark.django_db
def test_an_unknown_kind_is_refused_and_nothing_is_stored() -> None:
    with pytest.raises(ValueError, match="Unknown kind 'nagios'; use one of alertmanager, "):
        create_integration(name="old", kind="nagios")
    assert Integration.objects.count() == 0


def test_every_source_labels_its_timeline_events() -> None:
    assert {kind: source.timeline_source for kind, source in SOURCES.items()} == {
        "alertmanager": "alertmanager",
        "grafana": "grafana",
        "pagerduty": "pagerduty",
        "generic": "webhook",
    }
