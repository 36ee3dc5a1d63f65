from django.urls import path

from parcours.accounts import views
from parcours.home import views as home_views
from parcours.team import views as team_views

app_name = "accounts"
urlpatterns = [
    path("", home_views.home, name="home"),
    path("members/", team_views.members, name="members"),  # the team page (parcours.team)
    path(
        "members/<int:member_pk>/second-factor/reset/",
        views.second_factor_reset,
        name="second_factor_reset",
    ),
]
