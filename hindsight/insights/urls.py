from django.urls import path

from hindsight.insights import views

app_name = "insights"
urlpatterns = [
    path("search/", views.search_page, name="search"),
]
