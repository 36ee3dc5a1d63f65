from django.urls import path

from parcours.agenda import views

app_name = "agenda"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("links/", views.feeds, name="feeds"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
