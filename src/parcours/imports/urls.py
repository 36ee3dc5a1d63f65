from django.urls import path

from parcours.imports import logviews, views

app_name = "imports"
urlpatterns = [
    path("", views.start, name="start"),
    path("<int:import_pk>/columns/", views.columns, name="columns"),
    path("<int:import_pk>/check/", views.check, name="check"),
    path("<int:import_pk>/", views.report, name="report"),
    path("event-log/", logviews.event_log, name="event_log"),
]
