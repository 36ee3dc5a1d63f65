from django.urls import path

from parcours.federation import views

app_name = "federation"
urlpatterns = [
    path("", views.federation_dashboard, name="dashboard"),
    path("export.csv", views.federation_export, name="export"),
]
