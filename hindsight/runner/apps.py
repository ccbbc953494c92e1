from django.apps import AppConfig


class RunnerConfig(AppConfig):
    name = "hindsight.runner"
    label = "runner"
    default_auto_field = "django.db.models.BigAutoField"
