"""URL routes. Every view requires a login unless marked public with
``login_not_required``; tests enumerate these patterns to prove it."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from hindsight.api import urlpatterns as api_urlpatterns
from hindsight.web import metrics
from hindsight.web import views as web_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incidents:list"), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("incidents/", include("hindsight.incidents.urls")),
    path("incidents/", include("hindsight.integrations.chat.urls")),
    path("integrations/", include("hindsight.integrations.urls")),
    path("postmortems/", include("hindsight.postmortems.urls")),
    path("actions/", include("hindsight.actions.urls")),
    path("monitors/", include("hindsight.monitors.urls")),
    path("outbox/", include("hindsight.outbox.urls")),
    path("", include("hindsight.insights.urls")),
    path("healthz", web_views.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("", include("hindsight.statuspage.urls")),  # status pages and /api/v2/, before api/
    path("api/", include((api_urlpatterns(), "api"), namespace="api")),
    path("admin/", admin.site.urls),
]
