from django.urls import path

from parcours.directory import views

app_name = "directory"
urlpatterns = [
    path("picker/", views.picker, name="picker"),
    path("archived/", views.archived, name="archived"),
    path("<int:pk>/merge/", views.household_merge, name="merge"),
    path("<int:pk>/archive/", views.household_archive, name="archive"),
    path("<int:pk>/restore/", views.household_restore, name="restore"),
    path("<int:pk>/persons/<int:person_pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/persons/<int:person_pk>/remove/", views.person_remove, name="person_remove"),
]
