"""The request guard: query parameters and posted values that no page can use.

Filters and searches read query parameters straight from the request, and some views read a
posted value without a form. A NUL byte there reaches the database (PostgreSQL refuses it:
a 500), and so can a megabyte of text. This middleware answers 400 with a page that names
the parameter, before any view runs:

- a NUL byte or another control character in a query parameter's name or value, or one
  longer than PARAM_TEXT;
- a NUL byte in a posted field's name or value (forms say the rest field by field, with the
  form still filled in: parcours.core.forms).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.core import inputs

# How the pages' query parameters read to a user (the raw name otherwise).
PARAM_LABELS = {
    "q": gettext_lazy("Search terms"),
    "page": gettext_lazy("Page"),
    "day": gettext_lazy("Day"),
    "start": gettext_lazy("From"),
    "end": gettext_lazy("Until"),
    "status": gettext_lazy("Status"),
    "stage": gettext_lazy("Stage"),
    "channel": gettext_lazy("Channel"),
    "neighbourhood": gettext_lazy("Neighbourhood"),
    "household": gettext_lazy("Household"),
    "group": gettext_lazy("Group"),
}


def _problem(name: str, value: str, *, posted: bool) -> str | None:
    label = PARAM_LABELS.get(name, name)
    if posted:
        if "\x00" in name or "\x00" in value:
            return _("%(field)s: remove %(what)s, it cannot be saved.") % {
                "field": label, "what": _("a NUL byte"),
            }  # fmt: skip
        return None
    try:
        inputs.check_text(name, label=_("Parameter name"), max_length=inputs.PARAM_TEXT)
        inputs.check_text(value, label=label, max_length=inputs.PARAM_TEXT)
    except inputs.ValidationError as exc:
        return exc.messages[0]
    return None


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problems = [
            p
            for source, posted in ((request.GET, False), (request.POST, True))
            for name, values in source.lists()
            for value in values
            if (p := _problem(name, value, posted=posted))
        ]
        if problems and request.path_info.startswith("/api/"):  # the API answers JSON
            errors = [{"field": p.split(":")[0], "message": p} for p in problems[:5]]
            detail = _("The request is not valid; nothing was saved.")
            return JsonResponse({"detail": detail, "errors": errors}, status=422)
        if problems:
            return render(request, "bad_input.html", {"problems": problems[:5]}, status=400)
        return self.get_response(request)
