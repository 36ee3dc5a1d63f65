from django.urls import path

from parcours.compliance import views

app_name = "compliance"
urlpatterns = [
    path("retention/", views.retention_settings, name="retention"),
    path("households/<int:pk>/", views.household_retention, name="household"),
    path("archive/", views.archive_list, name="archive"),
    path("archive/<int:archived_pk>/", views.archive_read, name="archive_read"),
    path("register/", views.register, name="register"),
    path("register.pdf", views.register_pdf, name="register_pdf"),
    path("processors/<int:processor_pk>/delete/", views.processor_delete, name="processor_delete"),
]
