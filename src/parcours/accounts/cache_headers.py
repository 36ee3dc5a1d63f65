"""``Cache-Control: no-store`` on every response to a signed-in user.

Pages, fragments and CSV files seen by a signed-in user may carry personal data (names, listening
notes, support details). No browser cache, shared computer or proxy may keep them: the simplest
rule that cannot miss a page is "every response to an authenticated user". Static files never
reach this middleware (WhiteNoise answers them before), so they stay cacheable.
"""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response
