from django.apps import AppConfig


class MonitorsConfig(AppConfig):
    name = "hindsight.monitors"
    label = "monitors"
    default_auto_field = "django.db.models.BigAutoField"
