from django.urls import path

from parcours.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("today/", views.today, name="today"),
    path("<int:activity_pk>/", views.activity_detail, name="detail"),
    path("<int:activity_pk>/grid/", views.grid, name="grid"),
    path("<int:activity_pk>/edit/", views.activity_edit, name="edit"),
    path("<int:activity_pk>/schedules/new/", views.schedule_add, name="schedule_add"),
    path("<int:activity_pk>/sessions/new/", views.session_add, name="session_add"),
    path("sessions/<int:session_pk>/", views.sheet, name="sheet"),
    path("sessions/<int:session_pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:session_pk>/marks/", views.marks, name="marks"),
    path("sessions/<int:session_pk>/newcomer/", views.newcomer, name="newcomer"),
    path("sessions/<int:session_pk>/members/", views.members, name="members"),
]
