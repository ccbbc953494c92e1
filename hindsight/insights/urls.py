from django.urls import path

from hindsight.insights import views

app_name = "insights"
urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("insights/", views.dashboard, name="dashboard"),
    path("insights/report.html", views.report, name="report"),
    path("insights/report.pdf", views.report_pdf, name="report_pdf"),
    path("insights/<slug:table>.svg", views.chart, name="chart"),
    path("insights/<slug:table>.csv", views.table_csv, name="csv"),
]
