from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "hindsight.integrations"
    label = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connect notifications to the incident signals; register their outbox sender.
        from hindsight.integrations import jobs, notify  # noqa: F401  (registrations)
        from hindsight.integrations.chat import views as chat_views

        chat_views.register_importer()
