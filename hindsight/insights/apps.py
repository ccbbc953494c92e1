from typing import Any

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "hindsight.insights"
    label = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from hindsight.insights import jobs, receivers  # noqa: F401  (jobs registers the rollup)

        connection_created.connect(_sqlite_functions, dispatch_uid="insights-sqlite-functions")
        receivers.connect()
        post_migrate.connect(_check_index, sender=self, dispatch_uid="insights-check-index")


def _sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite has no regular expressions: its index triggers call this Python function."""
    if connection.vendor == "sqlite":
        from hindsight.core.search import search_text

        connection.connection.create_function(
            "hindsight_search_text", 1, search_text, deterministic=True
        )


def _check_index(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from hindsight.insights import schema

    schema.ensure_installed(connections[using])
