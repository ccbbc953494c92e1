from django.apps import AppConfig


class PostmortemsConfig(AppConfig):
    name = "hindsight.postmortems"
    label = "postmortems"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hindsight.postmortems import (  # noqa: F401  (receivers, the invite sender)
            meeting,
            receivers,
        )
