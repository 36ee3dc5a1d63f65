from django.urls import path

from parcours.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.action_list, name="list"),
    path("new/", views.action_create, name="create"),
    path("<int:action_pk>/", views.action_detail, name="detail"),
    path("<int:action_pk>/reached/", views.contact_add, name="contact_add"),
]
