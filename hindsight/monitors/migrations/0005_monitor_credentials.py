"""Credentials move out of the target and the config into an encrypted field."""

from urllib.parse import unquote, urlsplit, urlunsplit

from typing import Any

from django.db import migrations

import hindsight.accounts.secretbox


def move_credentials(apps: Any, schema_editor: Any) -> None:
    Monitor = apps.get_model("monitors", "Monitor")
    for monitor in Monitor.objects.all().iterator():
        found: dict[str, Any] = {}
        target = monitor.target or ""
        if "://" in target and "@" in target:
            parts = urlsplit(target)
            if parts.username is not None or parts.password is not None:
                found["username"] = unquote(parts.username or "")
                found["password"] = unquote(parts.password or "")
                host = parts.netloc.rpartition("@")[2]
                monitor.target = urlunsplit(
                    (parts.scheme, host, parts.path, parts.query, parts.fragment)
                )
        config = monitor.config if isinstance(monitor.config, dict) else {}
        headers = config.pop("headers", None)
        if isinstance(headers, dict) and headers:
            found["headers"] = {str(k): str(v) for k, v in headers.items()}
        if found:
            monitor.credentials = {k: v for k, v in found.items() if v}
            monitor.config = config
            monitor.save(update_fields=["target", "config", "credentials"])


class Migration(migrations.Migration):
    dependencies = [("monitors", "0004_drop_monitor_level_leases")]

    operations = [
        migrations.AddField(
            model_name="monitor",
            name="credentials",
            field=hindsight.accounts.secretbox.EncryptedJSONField(blank=True, default=dict),
        ),
        migrations.RunPython(move_credentials, migrations.RunPython.noop),
    ]
