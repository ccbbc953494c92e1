from django.urls import path

from hindsight.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/notes/", views.add_note, name="add_note"),
]
