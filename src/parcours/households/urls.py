from django.urls import path

from parcours.familylist.views import household_list
from parcours.households import views

app_name = "households"
urlpatterns = [
    path("", household_list, name="list"),
    path("new/", views.household_create, name="create"),
    path("<int:pk>/", views.household_detail, name="detail"),
    path("<int:pk>/edit/", views.household_edit, name="edit"),
    path("<int:pk>/persons/new/", views.person_add, name="person_add"),
    path("<int:pk>/touchpoints/new/", views.touchpoint_add, name="touchpoint_add"),
]
