"""One rule for a component's status: its inputs and their precedence (catalog/status.py)."""

from __future__ import annotations

import pytest

from hindsight.catalog import status
from hindsight.catalog.models import Component


def test_it_is_operational_with_no_input() -> None:
    assert status.compute() == "operational"


def test_the_monitors_decide_when_nobody_else_speaks() -> None:
    assert status.compute(monitors="major_outage") == "major_outage"


def test_maintenance_in_progress_comes_before_the_monitors() -> None:
    assert status.compute(maintenance=True, monitors="major_outage") == "under_maintenance"


def test_a_responder_on_an_active_incident_comes_first() -> None:
    assert (
        status.compute(responder="partial_outage", maintenance=True, monitors="operational")
        == "partial_outage"
    )


def test_a_responder_may_say_operational_over_a_failing_monitor() -> None:
    assert status.compute(responder="operational", monitors="major_outage") == "operational"


def test_worst_of_several_statuses() -> None:
    assert status.worst(["operational", "degraded_performance", "partial_outage"]) == (
        "partial_outage"
    )
    assert status.worst([]) == ""


@pytest.mark.django_db
def test_a_monitor_recovery_does_not_overwrite_what_a_responder_set() -> None:
    component = Component.objects.create(name="Checkout")
    status.set_inputs(component_ids=[component.pk], monitors="major_outage")
    status.set_inputs(component_ids=[component.pk], responder="partial_outage")
    status.set_inputs(component_ids=[component.pk], monitors="operational")
    component.refresh_from_db()
    assert component.status == "partial_outage"


@pytest.mark.django_db
def test_the_monitors_speak_again_once_the_responder_input_is_cleared() -> None:
    component = Component.objects.create(name="Checkout")
    status.set_inputs(
        component_ids=[component.pk], responder="partial_outage", monitors="degraded_performance"
    )
    status.set_inputs(component_ids=[component.pk], responder="")
    component.refresh_from_db()
    assert component.status == "degraded_performance"


@pytest.mark.django_db
def test_an_unknown_status_is_refused_and_the_inputs_are_kept() -> None:
    component = Component.objects.create(name="Checkout")
    status.set_inputs(component_ids=[component.pk], monitors="degraded_performance")
    with pytest.raises(ValueError, match="Unknown component status 'down'"):
        status.set_inputs(component_ids=[component.pk], responder="down")
    component.refresh_from_db()
    assert (component.status, component.responder_status) == ("degraded_performance", "")
