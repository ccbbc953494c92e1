from django.urls import path

from hindsight.actions import report_views, views
from hindsight.actions.trackers import views as trackers

app_name = "actions"
urlpatterns = [
    path("", views.board, name="board"),
    path("mine/", views.mine, name="mine"),
    path("bulk/", views.bulk, name="bulk"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("import/", views.import_csv, name="import_csv"),
    path("report/", report_views.report_page, name="report"),
    path("report.csv", report_views.report_csv, name="report_csv"),
    path("reminders/", report_views.preferences, name="preferences"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/update/", views.update, name="update"),
    path("<int:pk>/track/", trackers.track, name="track"),
    path("<int:pk>/settle/", trackers.settle, name="settle"),
    path("trackers/", trackers.trackers, name="trackers"),
    path("trackers/<int:pk>/toggle/", trackers.toggle, name="tracker_toggle"),
    path("trackers/<int:pk>/webhook/", trackers.webhook, name="tracker_webhook"),
]
