from django.urls import path

from hindsight.integrations import channels, views

app_name = "integrations"
urlpatterns = [
    path("", views.integration_list, name="list"),
    path("<int:pk>/toggle/", views.toggle, name="toggle"),
    path("notifications/", channels.channel_list, name="channels"),
    path("notifications/<int:pk>/test/", channels.send_test, name="send_test"),
    path("hooks/<str:kind>/<str:token>/", views.receive, name="receive"),
]
