from django.urls import path

from hindsight.incidents import lifecycle_views, views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("declare/", views.declare, name="declare"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/notes/", views.add_note, name="add_note"),
    path("<int:pk>/status/", lifecycle_views.change_status, name="change_status"),
    path("<int:pk>/acknowledge/", lifecycle_views.acknowledge, name="acknowledge"),
    path("<int:pk>/severity/", lifecycle_views.change_severity, name="change_severity"),
    path("<int:pk>/commander/", lifecycle_views.change_commander, name="change_commander"),
    path("<int:pk>/services/", lifecycle_views.change_services, name="change_services"),
    path("<int:pk>/moments/", lifecycle_views.correct_moment, name="correct_moment"),
    path("<int:pk>/events/<int:event_id>/", lifecycle_views.edit_event, name="edit_event"),
    path(
        "<int:pk>/events/<int:event_id>/toggle/",
        lifecycle_views.toggle_event,
        name="toggle_event",
    ),
]
