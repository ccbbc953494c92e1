"""Filters as words in the index: the facets column, and the index rebuilt to read it."""

from typing import Any

from django.db import migrations, models


def install_index(apps: Any, schema_editor: Any) -> None:
    from hindsight.insights import schema

    schema.install(schema_editor.connection)


def uninstall_index(apps: Any, schema_editor: Any) -> None:
    from hindsight.insights import schema

    schema.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("insights", "0002_search_index")]

    operations = [
        migrations.RunPython(uninstall_index, migrations.RunPython.noop),
        migrations.AddField(
            model_name="searchdocument",
            name="facets",
            field=models.TextField(db_default="", default=""),
        ),
        migrations.RunPython(install_index, uninstall_index),
    ]
