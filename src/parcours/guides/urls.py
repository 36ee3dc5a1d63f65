from django.urls import path

from parcours.guides import views

app_name = "guides"
urlpatterns = [
    path("", views.guide, name="guide"),
]
