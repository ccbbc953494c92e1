"""The three-way merge of synced fields, without a database."""

from __future__ import annotations

from hindsight.actions.trackers.merge import merge

BASE = {"status": "open", "assignee": "rita", "due": "2026-04-01"}


def test_a_change_upstream_only_is_taken() -> None:
    result = merge(BASE, BASE, BASE | {"due": "2026-04-20"})
    assert (result.take, result.conflicts) == ({"due": "2026-04-20"}, {})


def test_a_change_here_only_is_pushed() -> None:
    result = merge(BASE, BASE | {"status": "done"}, BASE)
    assert (result.take, result.push) == ({}, {"status": "done"})


def test_different_changes_on_both_sides_conflict_with_both_values() -> None:
    result = merge(BASE, BASE | {"assignee": "ed"}, BASE | {"assignee": "sam"})
    assert result.conflicts == {"assignee": {"here": "ed", "there": "sam"}}


def test_the_same_change_on_both_sides_is_agreed() -> None:
    result = merge(BASE, BASE | {"status": "done"}, BASE | {"status": "done"})
    assert (result.clean, result.agreed["status"]) == (True, "done")


def test_a_field_the_tracker_lacks_is_left_alone() -> None:
    result = merge(BASE, BASE | {"due": "2026-05-01"}, {"status": "open", "assignee": "rita"})
    assert "due" not in result.push and "due" not in result.take
