from django.urls import path

from hindsight.integrations import views

app_name = "integrations"
urlpatterns = [
    path("", views.integration_list, name="list"),
    path("<int:pk>/toggle/", views.toggle, name="toggle"),
    path("hooks/<str:kind>/<str:token>/", views.receive, name="receive"),
]
