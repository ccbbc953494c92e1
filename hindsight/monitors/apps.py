from django.apps import AppConfig


class MonitorsConfig(AppConfig):
    name = "hindsight.monitors"
    label = "monitors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from hindsight.monitors import jobs, outages  # noqa: F401  (registers the monitor jobs)
        from hindsight.monitors.models import Monitor

        pre_delete.connect(
            outages.on_monitor_deleted, sender=Monitor, dispatch_uid="monitors-detach-on-delete"
        )
