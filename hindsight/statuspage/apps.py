from django.apps import AppConfig


class StatuspageConfig(AppConfig):
    name = "hindsight.statuspage"
    label = "statuspage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hindsight.statuspage import jobs, receivers, signals, subscribers  # noqa: F401

        signals.connect()
