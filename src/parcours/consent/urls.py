from django.urls import path

from parcours.consent import views

app_name = "consent"
urlpatterns = [
    path("households/<int:pk>/", views.household_consent, name="household"),
    path("households/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("policy/", views.policy, name="policy"),
]
