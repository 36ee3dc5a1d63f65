"""The invitation link's token: Django's signing (HMAC with the secret key, timestamped).

The token names the invitation and is refused once older than the invitation's validity, or
if tampered with; whether the invitation is still pending is the record's business.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

SALT = "parcours.team.invitation"


class InvalidToken(Exception):
    """The link is not one that Parcours made (tampered with or truncated)."""


class ExpiredToken(InvalidToken):
    """The link is genuine but older than the invitation's validity."""


def validity_seconds() -> int:
    return settings.PARCOURS_INVITATION_DAYS * 24 * 3600


def make_token(invitation) -> str:
    return signing.dumps({"invitation": invitation.pk, "email": invitation.email}, salt=SALT)


def read_token(token: str) -> dict:
    """The signed content ({"invitation": pk, "email": ...}); raises InvalidToken/ExpiredToken."""
    try:
        return signing.loads(token, salt=SALT, max_age=validity_seconds())
    except signing.SignatureExpired as exc:
        raise ExpiredToken from exc
    except signing.BadSignature as exc:
        raise InvalidToken from exc
