from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hindsight.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from hindsight.accounts.audit import record_admin_change

        def copy_admin_change(
            sender: Any, instance: LogEntry, created: bool, **kwargs: Any
        ) -> None:
            if created:
                record_admin_change(instance)

        post_save.connect(copy_admin_change, sender=LogEntry, weak=False)
