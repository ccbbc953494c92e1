from django.urls import path

from hindsight.postmortems import views

app_name = "postmortems"
urlpatterns = [
    path("", views.due, name="list"),
]
