from django.urls import path

from parcours.team import views

app_name = "team"
urlpatterns = [
    path("members/invite/", views.invite, name="invite"),
    path(
        "members/invitations/<int:invitation_pk>/withdraw/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("members/<int:member_pk>/", views.member, name="member"),
    path("members/<int:member_pk>/deactivate/", views.member_deactivate, name="deactivate"),
    path("members/<int:member_pk>/reactivate/", views.member_reactivate, name="reactivate"),
    path("members/<int:member_pk>/password-reset/", views.password_reset, name="password_reset"),
    path("invitation/<str:token>/", views.accept, name="accept"),
    path("association/switch/", views.switch, name="switch"),
]
