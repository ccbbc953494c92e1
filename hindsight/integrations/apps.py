from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "hindsight.integrations"
    label = "integrations"
    default_auto_field = "django.db.models.BigAutoField"
