"""/api/v1: the REST API (django-ninja), its OpenAPI 3 schema and its documentation page.

Every operation authenticates with a personal token (parcours.api.auth) and names the
capability it needs (parcours.api.access.endpoint); what a role may learn inside it is
decided by parcours.accounts.visibility, as for the pages. docs/api.md describes it.
"""

from __future__ import annotations

from django.urls import path
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from parcours.api import activities, errors, figures, households
from parcours.api.auth import TokenAuth


class ParcoursAPI(NinjaAPI):
    def _get_urls(self):
        """/api/v1/ itself is the documentation page (ninja's root answers 404 outside DEBUG)."""
        urls = super()._get_urls()
        docs = next(u for u in urls if getattr(u, "name", "") == "openapi-view")
        return [*urls[:-1], path("", docs.callback, name="api-root")]


api = ParcoursAPI(
    title="Parcours",
    version="1",
    description=(
        "The households an association accompanies along its journey, with the same roles "
        "and visibility as the pages. Authenticate with a personal token: "
        "`Authorization: Bearer <token>` (created on your account page, « API tokens »)."
    ),
    auth=TokenAuth(),
    urls_namespace="api_v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    # Swagger UI from the app's own static files (ninja ships them), no validator badge
    # fetched from swagger.io: the page keeps the Content-Security-Policy of every page.
    docs=Swagger(settings={"validatorUrl": None}),
)
errors.install(api)
api.add_router("", households.router)
api.add_router("", activities.router)
api.add_router("", figures.router)
