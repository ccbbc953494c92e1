"""Signals other domains listen to; sent inside the change's transaction, so a
receiver that writes rows (e.g. the notification outbox) commits with it."""

from django.dispatch import Signal

# Sent with sender=Incident, incident=<Incident>.
incident_opened = Signal()
# Sent when an open incident is resolved or closed, with actor=<User or None>.
incident_resolved = Signal()
# Sent once, when an incident's customer-facing post-mortem is first published, with
# incident=<Incident>, title=<str> and markdown=<the customer version>: the status page
# shows it and tells its subscribers.
postmortem_published_for_customers = Signal()
