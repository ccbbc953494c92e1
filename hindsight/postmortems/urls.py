from django.urls import path

from hindsight.postmortems import (
    customer_views,
    editor_views,
    meeting_views,
    views,
    workflow_views,
)

app_name = "postmortems"
urlpatterns = [
    path("", views.postmortem_list, name="list"),
    path("due/", views.due, name="due"),
    path("start/<int:incident_id>/", workflow_views.start, name="start"),
    path("<int:pk>/", views.workspace, name="workspace"),
    path("<int:pk>/save/", editor_views.save, name="save"),
    path("<int:pk>/autosave/", editor_views.autosave, name="autosave"),
    path("<int:pk>/review/", editor_views.review_panel, name="review"),
    path("<int:pk>/preview/", editor_views.preview, name="preview"),
    path("<int:pk>/upload/", editor_views.upload, name="upload"),
    path("<int:pk>/mine.md", editor_views.download_mine, name="download_mine"),
    path("<int:pk>/transition/", workflow_views.transition, name="transition"),
    path("<int:pk>/comments/", workflow_views.add_comment, name="add_comment"),
    path(
        "<int:pk>/comments/<int:comment_id>/resolve/",
        workflow_views.resolve_comment,
        name="resolve_comment",
    ),
    path("<int:pk>/revisions/", workflow_views.revisions, name="revisions"),
    path("<int:pk>/diff/", workflow_views.diff, name="diff"),
    path("<int:pk>/export.<str:fmt>", workflow_views.export_file, name="export"),
    path("<int:pk>/diagram/<str:kind>.svg", views.diagram, name="diagram"),
    path("<int:pk>/customer/", customer_views.customer_version, name="customer"),
    path("<int:pk>/meeting.ics", meeting_views.meeting_ics, name="meeting_ics"),
    path("<int:pk>/meeting/", meeting_views.schedule, name="meeting"),
]
