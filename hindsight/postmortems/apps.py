from django.apps import AppConfig


class PostmortemsConfig(AppConfig):
    name = "hindsight.postmortems"
    label = "postmortems"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hindsight.postmortems import receivers  # noqa: F401  (connects the receivers)
