from django.urls import path

from hindsight.actions import report_views, views

app_name = "actions"
urlpatterns = [
    path("", views.board, name="board"),
    path("mine/", views.mine, name="mine"),
    path("bulk/", views.bulk, name="bulk"),
    path("report/", report_views.report_page, name="report"),
    path("report.csv", report_views.report_csv, name="report_csv"),
    path("reminders/", report_views.preferences, name="preferences"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/update/", views.update, name="update"),
]
