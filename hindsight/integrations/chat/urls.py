"""Chat imports, mounted under /incidents/ beside the incident they fill."""

from django.urls import path

from hindsight.integrations.chat import views

app_name = "chat"
urlpatterns = [
    path("<int:pk>/import/slack/", views.upload_slack, name="import_slack"),
    path("<int:pk>/imports/<int:import_id>/", views.import_progress, name="import_progress"),
]
