"""The API's errors: JSON, in the language of Accept-Language (French by default), naming the
field and the reason. Every operation documents them (ERRORS), so a client, and schemathesis,
know each answer it may get.

    {"detail": "…", "errors": [{"field": "day", "message": "Day: …"}]}
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class ApiError(HttpError):
    """An answer other than 2xx, with its message and the fields at fault."""

    def __init__(self, status: int, detail: str, errors: list[dict] | None = None):
        super().__init__(status, detail)
        self.detail = detail
        self.errors = errors or []


class RateLimited(ApiError):
    def __init__(self, retry_after: int):
        super().__init__(
            429,
            _("Too many requests with this token: wait %(seconds)s seconds.")
            % {"seconds": retry_after},
        )
        self.retry_after = retry_after


def _reason(error: dict) -> str:
    """A pydantic error in the user's language; the common kinds by name, others generally."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("this field is required")
    if kind.startswith("int_") or kind == "int_type":
        return _("a whole number is expected")
    if kind.startswith(("date_", "datetime_")):
        return _("a date is expected, as YYYY-MM-DD")
    if kind in ("greater_than_equal", "greater_than"):
        return _("must be at least %(limit)s") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("must be at most %(limit)s") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind == "string_too_long":
        return _("at most %(n)s characters") % {"n": ctx.get("max_length")}
    if kind in ("literal_error", "enum"):
        return _("must be one of: %(choices)s") % {"choices": ctx.get("expected", "")}
    if kind.startswith("string_") or kind == "string_type":
        return _("a text is expected")
    if kind.startswith("bool"):
        return _("true or false is expected")
    if kind in ("json_invalid", "model_attributes_type", "dict_type", "model_type"):
        return _("the body must be a JSON object")
    return _("this value is not valid")


def _field(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "filters")]
    return ".".join(parts) or "body"


def validation_errors(exc: NinjaValidationError) -> list[dict]:
    out = []
    for error in exc.errors:
        field = _field(error.get("loc", ()))
        message = _("%(field)s: %(reason)s") % {"field": field, "reason": _reason(error)}
        out.append({"field": field, "message": message})
    return out


def install(api) -> None:
    """The handlers of the API's errors (all JSON, all translated)."""

    def answer(request, status: int, detail: str, errors=(), headers=None):
        response = api.create_response(
            request, {"detail": detail, "errors": list(errors)}, status=status
        )
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    @api.exception_handler(NinjaValidationError)
    def invalid(request, exc):
        errors = validation_errors(exc)
        return answer(request, 422, _("The request is not valid; nothing was saved."), errors)

    @api.exception_handler(HttpError)
    def unreadable(request, exc):
        """ninja's own refusals: a body that is no JSON (400 there) is a 422 here."""
        if exc.status_code != 400:
            return answer(request, exc.status_code, str(exc))
        reason = _reason({"type": "json_invalid"})
        errors = [
            {
                "field": "body",
                "message": _("%(field)s: %(reason)s") % {"field": "body", "reason": reason},
            }
        ]
        return answer(request, 422, _("The request is not valid; nothing was saved."), errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        detail = _(
            "A valid API token is needed: send « Authorization: Bearer <token> ». Tokens are "
            "created on your account page; a revoked or expired token is refused."
        )
        return answer(request, 401, detail, headers={"WWW-Authenticate": "Bearer"})

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return answer(request, 403, _("Your role does not give access to this."))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return answer(request, 404, _("Not found."))

    @api.exception_handler(ApiError)
    def api_error(request, exc):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return answer(request, exc.status_code, exc.detail, exc.errors, headers=headers)
