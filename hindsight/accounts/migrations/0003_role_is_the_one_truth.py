"""Staff and superuser flags follow the role; an admin demoted in the Django admin loses them."""

from typing import Any

from django.db import migrations

import hindsight.accounts.models


def sync_flags(apps: Any, schema_editor: Any) -> None:
    User = apps.get_model("accounts", "User")
    User.objects.filter(role="admin").update(is_staff=True, is_superuser=True)
    User.objects.exclude(role="admin").update(is_staff=False, is_superuser=False)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_rate_windows")]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[("objects", hindsight.accounts.models.HindsightUserManager())],
        ),
        migrations.RunPython(sync_flags, migrations.RunPython.noop),
    ]
