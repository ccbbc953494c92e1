from django.apps import AppConfig


class MonitorsConfig(AppConfig):
    name = "hindsight.monitors"
    label = "monitors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hindsight.monitors import jobs  # noqa: F401  (registers the monitor jobs)
