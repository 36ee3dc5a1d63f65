from django.urls import path

from parcours.api import views

app_name = "api"
urlpatterns = [
    path("", views.tokens, name="tokens"),
    path("<int:token_pk>/revoke/", views.token_revoke, name="token_revoke"),
]
