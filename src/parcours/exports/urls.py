from django.urls import path

from parcours.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.index, name="index"),
    path("households/", views.households, name="households"),
    path("persons/", views.persons, name="persons"),
    path("touchpoints/", views.touchpoints, name="touchpoints"),
    path("attendance/", views.attendance, name="attendance"),
    path("attendance/summary/", views.attendance_summary, name="attendance_summary"),
    path("event-log.xes", views.event_log_xes, name="event_log_xes"),
    path("event-log.jsonocel", views.event_log_ocel, name="event_log_ocel"),
]
