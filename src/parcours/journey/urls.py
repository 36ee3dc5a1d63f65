from django.urls import path

from parcours.journey import views

app_name = "journey"
urlpatterns = [
    path("households/<int:pk>/place/", views.place, name="place"),
]
