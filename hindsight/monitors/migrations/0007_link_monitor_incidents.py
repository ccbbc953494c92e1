"""Link monitors to the incidents they opened by a column, not by parsing
their fingerprint text ("monitor:<pk>" or "monitor:<pk>:tls")."""

import re
from typing import Any

from django.db import migrations

FINGERPRINT = re.compile(r"^monitor:(\d+)(:tls)?$")


def link(apps: Any, schema_editor: Any) -> None:
    IncidentFingerprint = apps.get_model("incidents", "IncidentFingerprint")
    Monitor = apps.get_model("monitors", "Monitor")
    MonitorIncident = apps.get_model("monitors", "MonitorIncident")
    existing = set(Monitor.objects.values_list("pk", flat=True))
    for held in IncidentFingerprint.objects.filter(source="monitor"):
        found = FINGERPRINT.match(held.fingerprint)
        if found is None or int(found.group(1)) not in existing:
            continue  # not a monitor's, or the monitor was deleted
        MonitorIncident.objects.get_or_create(
            fingerprint_id=held.pk,
            defaults={
                "monitor_id": int(found.group(1)),
                "incident_id": held.incident_id,
                "tls": bool(found.group(2)),
                "created_at": held.first_seen_at,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("monitors", "0006_flip_leases_and_monitor_incidents")]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
