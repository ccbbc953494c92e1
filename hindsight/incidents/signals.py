"""Signals other domains listen to; sent inside the change's transaction, so a
receiver that writes rows (e.g. the notification outbox) commits with it."""

from django.dispatch import Signal

# Sent with sender=Incident, incident=<Incident>.
incident_opened = Signal()
# Sent when an open incident is resolved or closed, with actor=<User or None>.
incident_resolved = Signal()
# Sent the first time someone acknowledges an incident, with actor=<User or None>.
incident_acknowledged = Signal()
# Sent when a monitor or an alert puts status-page components in trouble on an
# incident, with components=<list of Component>; the status page may tell customers.
components_affected = Signal()
