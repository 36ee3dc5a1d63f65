from django.urls import path

from parcours.frontdesk import views

app_name = "frontdesk"
urlpatterns = [
    path("", views.home, name="home"),
    path("requests/new/", views.info_request_create, name="info_request"),
    path("peer-contacts/new/", views.peer_contact_create, name="peer_contact"),
    path("appointments/new/", views.appointment_create, name="appointment"),
    path("welcome-visits/new/", views.intake_create, name="intake"),
    path("welcome-visits/<int:visit_pk>/", views.intake_detail, name="intake_detail"),
]
