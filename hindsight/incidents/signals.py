"""Signals other domains listen to; sent inside the change's transaction, so a
receiver that writes rows (e.g. the notification outbox) commits with it."""

from django.dispatch import Signal

# Sent with sender=Incident, incident=<Incident> and reason=<str>: why it opened (the
# check's error text, the alert's summary, or who declared it).
incident_opened = Signal()
# Sent when an open incident is resolved or closed, with actor=<User or None>.
incident_resolved = Signal()
# Sent the first time someone acknowledges an incident, with actor=<User or None>.
incident_acknowledged = Signal()
# Sent when the severity really changes, with old=<str>, new=<str>, actor=<User or None>.
incident_severity_changed = Signal()
# Sent when the commander really changes, with old=<User or None>, new=<User or None>,
# actor=<User or None>.
incident_commander_changed = Signal()
# Sent when a public status update is posted on the incident, with status=<str>,
# message=<str> and actor=<User or None>.
incident_public_update = Signal()
# Sent when a monitor or an alert puts status-page components in trouble on an
# incident, with components=<list of Component>; the status page may tell customers.
components_affected = Signal()
# Sent when an incident's customer-facing post-mortem is published, with
# incident=<Incident>, title=<str>, markdown=<the customer version> and first=<bool>: the
# status page shows it, and tells its subscribers the first time only.
postmortem_published_for_customers = Signal()
