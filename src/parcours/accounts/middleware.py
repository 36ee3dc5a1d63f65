"""Scope every query of a request to the user's association, by construction.

Scoped models use django-scopes' ScopedManager: a query on them outside an active scope raises
ScopeError instead of returning rows of every association. This middleware activates the scope
of the logged-in user's membership. A request without a membership gets an empty scope, so it
sees nothing (fail closed).

A person may belong to several associations: the one they chose in the header's switcher is
kept in their session (SESSION_ASSOCIATION), and used only while they hold an active
membership in it; otherwise their first active membership is used.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation
from django_scopes import scope

from parcours.accounts.selectors import active_memberships, chosen_membership

NO_ASSOCIATION: list[int] = []
SESSION_ASSOCIATION = "parcours_association"  # the association chosen in the switcher


class AssociationScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        memberships = active_memberships(request.user) if request.user.is_authenticated else []
        chosen = request.session.get(SESSION_ASSOCIATION) if memberships else None
        membership = chosen_membership(memberships, chosen)
        request.memberships = memberships
        request.membership = membership
        request.association = membership.association if membership else None
        active = [membership.association_id] if membership else NO_ASSOCIATION
        if membership is None:
            with scope(association=active):
                return self.get_response(request)
        association = membership.association
        # The association's settings: its days are counted in its zone ("today", journey
        # windows, sessions), and a member who chose no language reads its default language.
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            translation.activate(association.default_language)
            request.LANGUAGE_CODE = translation.get_language()
        timezone.activate(zoneinfo.ZoneInfo(association.time_zone))
        try:
            with scope(association=active):
                return self.get_response(request)
        finally:
            timezone.deactivate()


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """French unless the user chose otherwise (language cookie), whatever the browser says.

    Many users borrow a phone or a public computer set to another language; the association
    works in French, and English is one click away in the header.
    """

    def process_request(self, request):
        # The API is used by programs, which say their language (Accept-Language).
        if not request.path_info.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
