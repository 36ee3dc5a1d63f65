from django.urls import include, path
from django.views.i18n import set_language

from parcours.api.v1 import api

urlpatterns = [
    path("", include("parcours.accounts.urls")),
    path("", include("parcours.accounts.signin_urls")),
    path("", include("parcours.team.urls")),
    path("households/", include("parcours.households.urls")),
    path("households/", include("parcours.directory.urls")),
    path("consent/", include("parcours.consent.urls")),
    path("activities/", include("parcours.activities.urls")),
    path("journey/", include("parcours.journey.urls")),
    path("journey/rules/", include("parcours.journey_editor.urls")),
    path("analytics/", include("parcours.analytics.urls")),
    path("reports/", include("parcours.reports.urls")),
    path("outreach/", include("parcours.outreach.urls")),
    path("frontdesk/", include("parcours.frontdesk.urls")),
    path("support/", include("parcours.support.urls")),
    path("community/", include("parcours.community.urls")),
    path("tasks/", include("parcours.worklists.urls")),
    path("calendar/", include("parcours.agenda.urls")),
    path("audit/", include("parcours.audit.urls")),
    path("privacy/", include("parcours.privacy.urls")),
    path("data-protection/", include("parcours.compliance.urls")),
    path("jobs/", include("parcours.background.urls")),
    path("import/", include("parcours.imports.urls")),
    path("exports/", include("parcours.exports.urls")),
    path("settings/", include("parcours.association_settings.urls")),
    path("help/", include("parcours.guides.urls")),
    path("federation/", include("parcours.federation.urls")),
    path("account/api-tokens/", include("parcours.api.urls")),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
]

handler404 = "parcours.api.views.page_not_found"  # JSON under /api/, the page elsewhere
