from django.urls import path

from parcours.worklists import matching_views, views

app_name = "worklists"
urlpatterns = [
    path("", views.my_tasks, name="mine"),
    path("board/", views.board, name="board"),
    path("bulk/", views.bulk_action, name="bulk"),
    path("recontact/", views.recontact, name="recontact"),
    path("<int:task_pk>/", views.task_detail, name="task"),
    path("preferences/", views.preferences, name="preferences"),
    path("matching/", matching_views.matching_page, name="matching"),
]
