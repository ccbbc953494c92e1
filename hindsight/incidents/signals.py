"""Signals other domains listen to; sent inside the change's transaction, so a
receiver that writes rows (e.g. the notification outbox) commits with it."""

from django.dispatch import Signal

# Sent with sender=Incident, incident=<Incident>.
incident_opened = Signal()
incident_resolved = Signal()
