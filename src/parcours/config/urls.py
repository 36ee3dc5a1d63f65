from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("parcours.accounts.urls")),
    path("households/", include("parcours.households.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
]
