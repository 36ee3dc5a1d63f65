from django.urls import path

from parcours.support import views

app_name = "support"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_open, name="open"),
    path("<int:case_pk>/", views.case_detail, name="detail"),
    path("<int:case_pk>/follow-ups/new/", views.followup_add, name="followup_add"),
    path("<int:case_pk>/close/", views.case_close, name="close"),
]
