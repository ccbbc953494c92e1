from django.urls import path

from hindsight.outbox import views

app_name = "outbox"
urlpatterns = [
    path("", views.delivery_list, name="list"),
    path("<uuid:pk>/retry/", views.retry, name="retry"),
    path("<uuid:pk>/discard/", views.discard, name="discard"),
]
