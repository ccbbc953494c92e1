"""The full-text index and the triggers that keep it in step (see hindsight.insights.schema),
and the contributing factors of the post-mortems already stored."""

from typing import Any

from django.db import migrations


def install_index(apps: Any, schema_editor: Any) -> None:
    """Installed by 0003 now: the index reads the facets column it adds."""


def uninstall_index(apps: Any, schema_editor: Any) -> None:
    from hindsight.insights import schema

    schema.uninstall(schema_editor.connection)


def derive_factors(apps: Any, schema_editor: Any) -> None:
    from hindsight.core.factors import factors_of

    PostMortem = apps.get_model("postmortems", "PostMortem")
    PostMortemFactor = apps.get_model("insights", "PostMortemFactor")
    rows = [
        PostMortemFactor(postmortem_id=pm.pk, incident_id=pm.incident_id, tag=tag)
        for pm in PostMortem.objects.only("id", "incident_id", "body").iterator()
        for tag in factors_of(pm.body)
    ]
    PostMortemFactor.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_initial"),
        ("actions", "0001_initial"),
        ("incidents", "0002_fingerprints_and_key_index"),
        ("postmortems", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install_index, uninstall_index),
        migrations.RunPython(derive_factors, migrations.RunPython.noop),
    ]
