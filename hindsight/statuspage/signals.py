"""Republish the snapshot when anything a status page shows changes, wherever it
changed (admin, API, another app's services).

Most changes queue a rewrite for the worker (within a second). A change that
takes something *off* the public pages — an incident restricted or deleted,
a status update deleted or edited, a post-mortem unpublished or its public
text changed — is withdrawn from the snapshot at once as well, when its
transaction commits (``publishing.withdraw``): what was meant to be hidden
is not served until the next tick.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from hindsight.catalog.models import Component
from hindsight.incidents.models import Incident
from hindsight.postmortems.models import PostMortem
from hindsight.postmortems.signals import postmortem_transitioned
from hindsight.statuspage.models import ScheduledMaintenance, StatusPage, StatusUpdate
from hindsight.statuspage.publishing import schedule_publish, withdraw

PUBLISHED = "published"


def _changed(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixtures being loaded
    if kwargs.get("action", "post_").startswith("pre_"):
        return
    instance = kwargs.get("instance")
    if instance is None:
        return
    name = sender.__name__
    if name == "PostMortem" and getattr(instance, "status", "") != PUBLISHED:
        return  # drafts are edited often and never shown (unpublishing: _withdrawn_on_save)
    if name == "Incident":
        schedule_publish(incident_ids={instance.pk})
    elif name in ("StatusUpdate", "PostMortem"):
        schedule_publish(incident_ids={instance.incident_id})
    elif name == "StatusPage" or name.startswith("StatusPage_"):
        schedule_publish()  # look, components or domain: everything changes
    else:
        schedule_publish(incident_ids=set())  # component or maintenance: page-wide documents


def _withdrawn_on_save(sender: Any, instance: Model, raw: bool = False, **kwargs: Any) -> None:
    """Before a save: withdraw what the change takes off the public pages."""
    if raw or instance.pk is None:
        return
    if isinstance(instance, Incident):
        stored = Incident.objects.filter(pk=instance.pk, restricted=False)
        if instance.restricted and stored.exists():
            withdraw(incident_ids={instance.pk})
    elif isinstance(instance, StatusUpdate):
        if not StatusUpdate.objects.filter(pk=instance.pk, message=instance.message).exists():
            withdraw(incident_ids={instance.incident_id})
    elif isinstance(instance, PostMortem):  # no longer published, or its public text changed
        was = PostMortem.objects.filter(pk=instance.pk, status=PUBLISHED)
        if instance.status == PUBLISHED:
            was = was.exclude(public_body=instance.public_body)
        if was.exists():
            withdraw(incident_ids={instance.incident_id})


def _withdrawn_on_delete(sender: Any, instance: Model, **kwargs: Any) -> None:
    if isinstance(instance, Incident):
        withdraw(incident_ids={instance.pk})
    elif isinstance(instance, StatusUpdate) or (
        isinstance(instance, PostMortem) and instance.status == PUBLISHED
    ):
        withdraw(incident_ids={instance.incident_id})


def _postmortem_transitioned(
    sender: Any, postmortem: PostMortem, old: str, new: str, **kwargs: Any
) -> None:
    """The workflow changes status with an UPDATE (no post_save): follow it here."""
    if old == PUBLISHED:
        withdraw(incident_ids={postmortem.incident_id})
    elif new == PUBLISHED:
        schedule_publish(incident_ids={postmortem.incident_id})


def connect() -> None:
    for model in (Component, Incident, PostMortem, StatusPage, ScheduledMaintenance, StatusUpdate):
        post_save.connect(_changed, sender=model, dispatch_uid=f"statuspage-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"statuspage-del-{model.__name__}")
    for model in (Incident, PostMortem, StatusUpdate):
        uid = f"statuspage-withdraw-{model.__name__}"
        pre_save.connect(_withdrawn_on_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_withdrawn_on_delete, sender=model, dispatch_uid=uid)
    for through in (StatusPage.components.through, ScheduledMaintenance.components.through):
        m2m_changed.connect(
            _changed, sender=through, dispatch_uid=f"statuspage-m2m-{through.__name__}"
        )
    postmortem_transitioned.connect(_postmortem_transitioned, dispatch_uid="statuspage-pm-flow")
