from django.urls import path

from parcours.community import views

app_name = "community"
urlpatterns = [
    path("", views.home, name="home"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:group_pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:group_pk>/join/", views.group_join, name="group_join"),
    path("memberships/<int:membership_pk>/end/", views.membership_end, name="membership_end"),
    path("sponsorships/new/", views.sponsorship_create, name="sponsorship_create"),
    path("sponsorships/<int:sponsorship_pk>/end/", views.sponsorship_end, name="sponsorship_end"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path("absent-visits/new/", views.absent_visit_create, name="absent_visit"),
    path("roles/new/", views.role_create, name="role_create"),
    path("roles/<int:role_pk>/end/", views.role_end, name="role_end"),
    path("projects/new/", views.project_create, name="project_create"),
    path("communications/", views.communication_list, name="communications"),
    path("communications/new/", views.communication_create, name="communication_create"),
]
