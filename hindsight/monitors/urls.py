from django.urls import path

from hindsight.monitors import views

app_name = "monitors"
urlpatterns = [
    path("", views.monitor_list, name="list"),
    path("new/", views.monitor_edit, name="create"),
    path("<int:pk>/", views.monitor_detail, name="detail"),
    path("<int:pk>/edit/", views.monitor_edit, name="edit"),
    path("<int:pk>/pause/", views.monitor_pause, name="pause"),
    path("<int:pk>/resume/", views.monitor_resume, name="resume"),
    path("<int:pk>/maintenance/", views.add_window, name="add_window"),
]
