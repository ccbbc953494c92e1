"""Republish the snapshot when anything a status page shows changes, wherever it
changed (admin, API, another app's services)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from hindsight.statuspage.publishing import schedule_publish


def _changed(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixtures being loaded
    if kwargs.get("action", "post_").startswith("pre_"):
        return
    instance = kwargs.get("instance")
    if instance is None:
        return
    name = sender.__name__
    if (
        name == "PostMortem"
        and getattr(instance, "status", "") != "published"
        and getattr(instance, "public_published_at", None) is None
    ):
        return  # drafts are edited often and never shown
    if name == "Incident":
        schedule_publish(incident_ids={instance.pk})
    elif name in ("StatusUpdate", "PostMortem"):
        schedule_publish(incident_ids={instance.incident_id})
    elif name == "StatusPage" or name.startswith("StatusPage_"):
        schedule_publish()  # look, components or domain: everything changes
    else:
        schedule_publish(incident_ids=set())  # component or maintenance: page-wide documents


def connect() -> None:
    from hindsight.catalog.models import Component
    from hindsight.incidents.models import Incident
    from hindsight.postmortems.models import PostMortem
    from hindsight.statuspage.models import ScheduledMaintenance, StatusPage, StatusUpdate

    for model in (Component, Incident, PostMortem, StatusPage, ScheduledMaintenance, StatusUpdate):
        post_save.connect(_changed, sender=model, dispatch_uid=f"statuspage-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"statuspage-del-{model.__name__}")
    for through in (StatusPage.components.through, ScheduledMaintenance.components.through):
        m2m_changed.connect(
            _changed, sender=through, dispatch_uid=f"statuspage-m2m-{through.__name__}"
        )
