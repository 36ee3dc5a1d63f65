from django.urls import path

from parcours.background import views

app_name = "background"
urlpatterns = [
    path("<int:job_pk>/", views.job, name="job"),
]
