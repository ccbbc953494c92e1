"""Every model of every domain can be seen in the admin."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib import admin


def test_every_domain_model_is_registered_or_inline_in_its_parent():
    inlines = {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }
    missing = [
        f"{model._meta.app_label}.{model.__name__}"
        for app in settings.DOMAIN_APPS
        for model in apps.get_app_config(app.rsplit(".", 1)[1]).get_models()
        if not admin.site.is_registered(model) and model not in inlines
    ]
    assert missing == []


def test_the_admin_pages_open_for_an_admin(client, an_admin):
    client.force_login(an_admin)
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        if model._meta.app_label in ("auth",):
            continue
        assert client.get(url).status_code == 200, url
