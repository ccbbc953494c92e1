"""Admin saves of incidents change only what the admin changed, through the lifecycle services."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from hindsight.accounts.models import User
from hindsight.incidents import lifecycle
from hindsight.incidents.models import EventKind, Incident
from hindsight.incidents.services import declare_incident

pytestmark = pytest.mark.django_db


class FormValues(HTMLParser):
    """The values a browser would submit from the page's main form."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.values.append((name, a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = name
            self.values.append((name, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, text = self.values.pop()
            self.values.append((name, text + data.lstrip("\n") if not text else text + data))


def opened_form(client: Client, incident: Incident) -> dict[str, list[str]]:
    parser = FormValues()
    parser.feed(client.get(f"/admin/incidents/incident/{incident.pk}/change/").content.decode())
    form: dict[str, list[str]] = {}
    for name, value in parser.values:
        form.setdefault(name, []).append(value)
    return form


@pytest.fixture
def admin_browser(an_admin: User) -> Client:
    client = Client()
    client.force_login(an_admin)
    return client


def test_a_title_fix_keeps_a_severity_change_made_meanwhile(admin_browser, an_editor):
    incident = declare_incident(title="Chekout down", severity="SEV3")
    form = opened_form(admin_browser, incident)
    lifecycle.change_severity(incident=incident, severity="SEV1", actor=an_editor)
    form["title"] = ["Checkout down"]
    saved = admin_browser.post(f"/admin/incidents/incident/{incident.pk}/change/", form)
    assert saved.status_code == 302
    incident.refresh_from_db()
    assert (incident.title, incident.severity) == ("Checkout down", "SEV1")


def test_a_severity_change_in_the_admin_is_recorded_on_the_timeline(admin_browser):
    incident = declare_incident(title="Checkout down", severity="SEV3")
    form = opened_form(admin_browser, incident)
    form["severity"] = ["SEV2"]
    admin_browser.post(f"/admin/incidents/incident/{incident.pk}/change/", form)
    change = incident.events.get(kind=EventKind.SEVERITY_CHANGE)
    assert "SEV3 → SEV2" in change.text
    assert Incident.objects.get(pk=incident.pk).severity == "SEV2"
