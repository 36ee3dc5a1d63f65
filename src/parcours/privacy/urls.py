from django.urls import path

from parcours.privacy import views

app_name = "privacy"
urlpatterns = [
    path("households/<int:pk>/", views.household_rights, name="household"),
    path("households/<int:pk>/export/", views.household_export, name="household_export"),
    path("households/<int:pk>/erase/", views.household_erase, name="household_erase"),
    path("persons/<int:person_pk>/export/", views.person_export, name="person_export"),
    path("persons/<int:person_pk>/erase/", views.person_erase, name="person_erase"),
]
