from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "hindsight.outbox"
    label = "outbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hindsight.outbox import jobs, mail  # noqa: F401  (the delivery job, the email sender)
