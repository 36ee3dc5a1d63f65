from django.urls import path

from parcours.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("members/", views.members, name="members"),
    path(
        "members/<int:member_pk>/second-factor/reset/",
        views.second_factor_reset,
        name="second_factor_reset",
    ),
]
