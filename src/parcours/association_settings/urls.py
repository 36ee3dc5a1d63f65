from django.urls import path

from parcours.association_settings import views

app_name = "association_settings"
urlpatterns = [
    path("", views.settings_page, name="page"),
    path("logo/", views.logo_upload, name="logo"),
    path("logo/remove/", views.logo_remove, name="logo_remove"),
    path("logo/<int:logo_of>/", views.logo_image, name="logo_image"),
    path("neighbourhoods/add/", views.neighbourhood_add, name="neighbourhood_add"),
    path(
        "neighbourhoods/<int:neighbourhood_pk>/",
        views.neighbourhood_edit,
        name="neighbourhood_edit",
    ),
    path(
        "neighbourhoods/<int:neighbourhood_pk>/delete/",
        views.neighbourhood_delete,
        name="neighbourhood_delete",
    ),
    path("activity-types/add/", views.activity_type_add, name="activity_type_add"),
    path(
        "activity-types/<int:activity_type_pk>/",
        views.activity_type_edit,
        name="activity_type_edit",
    ),
    path("contact-channels/add/", views.contact_channel_add, name="contact_channel_add"),
    path(
        "contact-channels/<int:contact_channel_pk>/",
        views.contact_channel_edit,
        name="contact_channel_edit",
    ),
]
