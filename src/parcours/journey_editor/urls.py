from django.urls import path

from parcours.journey_editor import views

app_name = "journey_editor"
urlpatterns = [
    path("", views.edit, name="edit"),
    path("versions/", views.versions, name="versions"),
    path("versions/<int:version_pk>/", views.version, name="version"),
    path("versions/<int:version_pk>/restore/", views.restore, name="restore"),
]
