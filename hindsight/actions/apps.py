from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "hindsight.actions"
    label = "actions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hindsight.actions import jobs, sync  # noqa: F401  (the jobs, the receivers)
        from hindsight.actions.trackers import sync as trackers  # noqa: F401  (the sender)
