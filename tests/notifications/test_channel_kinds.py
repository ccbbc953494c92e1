"""Channel kinds are registered once; the model, the admin, the docs and an extension read it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hindsight.catalog.models import Service
from hindsight.incidents.services import declare_incident
from hindsight.integrations.admin import ChannelForm
from hindsight.integrations.models import NotificationChannel
from hindsight.integrations.notifiers import CHANNEL_KINDS, channel_kind_choices, register
from hindsight.outbox.services import deliver_due

from ..docs_examples import defined, isolate_registries

DOC = Path(__file__).resolve().parents[2] / "docs" / "notifications.md"
pytestmark = pytest.mark.django_db


@pytest.fixture
def with_ntfy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The extension example of docs/notifications.md, registered for this test only."""
    isolate_registries(monkeypatch)
    defined("notifications.md", "send_ntfy")


def documented_kinds() -> list[str]:
    table = DOC.read_text().split("| kind | target | what is sent |")[1].split("\n\n")[0]
    return re.findall(r"^\| `(\w+)` \|", table, re.M)


def test_the_docs_table_lists_every_registered_kind() -> None:
    assert sorted(documented_kinds()) == sorted(CHANNEL_KINDS)


def test_the_models_choices_are_the_registry() -> None:
    field = NotificationChannel._meta.get_field("kind")
    assert list(field.choices) == channel_kind_choices()  # type: ignore[arg-type]


def test_a_kind_cannot_be_registered_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_registries(monkeypatch)
    with pytest.raises(ValueError, match="'slack' is already registered"):
        register("slack")(lambda target, secret, message: None)


def test_the_admin_offers_the_extension_kind(with_ntfy: None, recorder) -> None:
    form = ChannelForm(data={"name": "phones", "kind": "ntfy", "target": recorder.url + "/ops"})
    assert "ntfy" in [value for value, _ in form.fields["kind"].choices]
    assert form.is_valid(), form.errors
    assert form.save().get_kind_display() == "ntfy topic (https://ntfy.sh/TOPIC)"


def test_the_extension_example_delivers_through_the_outbox(
    with_ntfy: None, recorder, settings
) -> None:
    settings.BASE_URL = "https://hindsight.example.com"
    NotificationChannel.objects.create(name="phones", kind="ntfy", target=recorder.url + "/ops")
    checkout = Service.objects.create(name="Checkout API", slug="checkout-api")
    incident = declare_incident(
        title="Checkout errors", severity="SEV2", services=[checkout], summary="38% fail."
    )
    assert deliver_due() == (1, 0)
    (request,) = recorder.requests
    assert request["path"] == "/"
    assert request["json"] == {
        "topic": "ops",
        "title": f"[SEV2] Incident #{incident.pk} opened: Checkout errors",
        "message": "38% fail.",
        "click": f"https://hindsight.example.com/incidents/{incident.pk}/",
    }


def test_an_unknown_kind_is_refused_with_the_known_ones() -> None:
    form = ChannelForm(data={"name": "x", "kind": "pager", "target": "http://127.0.0.1:9/"})
    assert not form.is_valid()
    assert "pager is not one of the available choices" in str(form.errors["kind"])
