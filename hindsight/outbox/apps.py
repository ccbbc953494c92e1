from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "hindsight.outbox"
    label = "outbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hindsight.outbox import jobs  # noqa: F401  (registers the delivery job)
