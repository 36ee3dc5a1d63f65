"""Writes on the team: invitations, roles, deactivation, email addresses. Each is audited.

Rules kept here, whatever page calls them:
- only the roles of TEAM_ROLES are given from the team page (a peer family's account is tied
  to its household, which is set up with the household);
- the association always keeps an active administrator;
- an email address names one account (invitations and password resets are sent to it), and
  the team page changes it only for a person who belongs to no other association (an
  administrator of one association never redirects the mail of another's member).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.models import Association, Membership
from parcours.accounts.roles import Role
from parcours.accounts.services import user_sessions_end
from parcours.accounts.signin import second_factor_required
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_event, audit_record
from parcours.team import tokens
from parcours.team.models import Invitation

TEAM_ROLES = [Role.ADMIN, Role.COORDINATOR, Role.SOCIAL_WORKER, Role.VOLUNTEER, Role.BOARD]


class InvitationUnusable(Exception):
    """The link cannot be used; `reason` is one of Invitation.State or "invalid"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _check_role(role: str) -> None:
    if role not in TEAM_ROLES:
        raise ValidationError({"role": _("Role: choose one of the proposed roles.")})


def account_with_email(email: str):
    return get_user_model().objects.filter(email__iexact=email.strip()).first()


# --- invitations --------------------------------------------------------------------------


@transaction.atomic
def invitation_send(
    *, actor, association: Association, email: str, role: str, link_for: Callable[[str], str]
) -> Invitation:
    """Invite `email` to join the association with `role`; the email carries the link that
    `link_for(token)` makes. An earlier pending invitation of the same address is withdrawn
    (only the newest link works)."""
    _check_role(role)
    email = email.strip()
    already = Membership.objects.filter(
        association=association, is_active=True, user__email__iexact=email
    )
    if already.exists():
        raise ValidationError(
            {"email": _("Email address: this person is already a member of the team.")}
        )
    now = timezone.now()
    for earlier in Invitation.objects.with_scopes_disabled().filter(
        association=association, email__iexact=email, accepted_at=None, revoked_at=None
    ):
        _revoke(actor, earlier, now)
    invitation = Invitation(
        association=association,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=now + timedelta(days=settings.PARCOURS_INVITATION_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=invitation, fields=["email", "role"]
    )
    _mail_invitation(invitation, link_for(tokens.make_token(invitation)))
    return invitation


def _mail_invitation(invitation: Invitation, link: str) -> None:
    membership = Membership(role=invitation.role)
    context = {
        "invitation": invitation,
        "association": invitation.association.name,
        "inviter": invitation.invited_by.get_username() if invitation.invited_by else "",
        "role": invitation.get_role_display(),
        "link": link,
        "days": settings.PARCOURS_INVITATION_DAYS,
        "second_factor": second_factor_required(membership),
    }
    subject = " ".join(render_to_string("team/email/invitation_subject.txt", context).split())
    body = render_to_string("team/email/invitation_message.txt", context)
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
    EmailMessage(prefix + subject, body, to=[invitation.email]).send()


def _revoke(actor, invitation: Invitation, now) -> None:
    invitation.revoked_at = now
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=invitation, fields=["revoked_at"]
    )


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> None:
    if invitation.state != Invitation.State.PENDING:
        raise ValidationError(_("This invitation is no longer waiting for an answer."))
    _revoke(actor, invitation, timezone.now())


def invitation_for_token(token: str, *, for_update: bool = False) -> Invitation:
    """The pending invitation a link names; raises InvitationUnusable saying why not."""
    try:
        content = tokens.read_token(token)
    except tokens.ExpiredToken:
        raise InvitationUnusable(Invitation.State.EXPIRED) from None
    except tokens.InvalidToken:
        raise InvitationUnusable("invalid") from None
    # The person following the link belongs to no association yet: no scope to read in.
    rows = Invitation.objects.with_scopes_disabled().select_related("association")
    if for_update:
        rows = rows.select_for_update()
    invitation = rows.filter(pk=content.get("invitation")).first()
    if invitation is None or invitation.email != content.get("email"):
        raise InvitationUnusable("invalid")
    if invitation.state != Invitation.State.PENDING:
        raise InvitationUnusable(invitation.state)
    return invitation


def _accepted(invitation: Invitation, user) -> Membership:
    membership = Membership.objects.filter(user=user, association=invitation.association).first()
    if membership is not None and membership.is_active:
        raise ValidationError(_("You are already a member of this association's team."))
    if membership is None:
        membership = Membership(user=user, association=invitation.association)
    membership.role = invitation.role
    membership.is_active = True
    membership.full_clean()
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user, action=AuditEvent.Action.CREATE, obj=membership, fields=["role", "is_active"]
    )
    audit_record(
        actor=user, action=AuditEvent.Action.UPDATE, obj=invitation, fields=["accepted_at"]
    )
    return membership


@transaction.atomic
def invitation_accept_new_account(*, token: str, username: str, password: str):
    """The invited person creates their account (username and password) and joins the team."""
    invitation = invitation_for_token(token, for_update=True)
    User = get_user_model()
    if account_with_email(invitation.email) is not None:
        raise ValidationError(
            _("An account already uses this email address: sign in, then open the link again.")
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Username: this username is already taken.")})
    user = User(username=username, email=invitation.email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from None
    user.set_password(password)
    user.full_clean()
    user.save()
    _accepted(invitation, user)
    return user


@transaction.atomic
def invitation_accept_existing_account(*, token: str, user) -> Membership:
    """A person who already has an account (another association) joins this team too."""
    invitation = invitation_for_token(token, for_update=True)
    if (user.email or "").lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation was sent to another email address: sign out, then open the link.")
        )
    return _accepted(invitation, user)


# --- members ------------------------------------------------------------------------------


def _keeps_an_admin(membership: Membership) -> None:
    """Refuse a change that would leave the association without an active administrator."""
    others = Membership.objects.filter(
        association_id=membership.association_id, role=Role.ADMIN, is_active=True
    ).exclude(pk=membership.pk)
    if membership.role == Role.ADMIN and membership.is_active and not others.exists():
        raise ValidationError(_("The association must keep at least one active administrator."))


@transaction.atomic
def member_role_set(*, actor, membership: Membership, role: str) -> bool:
    """Give `membership` another role; False if it already had it. A role that needs
    two-factor authentication sends the person to enrol an app at their next page."""
    _check_role(role)
    if membership.role == role:
        return False
    if role != Role.ADMIN:
        _keeps_an_admin(membership)
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=membership, fields=["role"])
    return True


@transaction.atomic
def member_deactivate(*, actor, membership: Membership) -> int:
    """The person left: their history stays, they can no longer work in this association, their
    open tasks go back unassigned, and their sessions end. An account with no active
    membership left can no longer sign in. Returns the number of sessions ended."""
    if not membership.is_active:
        return 0
    _keeps_an_admin(membership)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    user = membership.user
    if not Membership.objects.filter(user=user, is_active=True).exists():
        user.is_active = False
        user.save(update_fields=["is_active"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=membership, fields=["is_active"])
    from parcours.worklists.services import tasks_release

    tasks_release(actor=actor, membership=membership)  # nothing waits on someone who left
    return user_sessions_end(user)


@transaction.atomic
def member_reactivate(*, actor, membership: Membership) -> None:
    if membership.is_active:
        return
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    user = membership.user
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=membership, fields=["is_active"])


@transaction.atomic
def member_email_set(*, actor, membership: Membership, email: str) -> bool:
    """Set the address invitations and password resets go to; False if unchanged."""
    user = membership.user
    email = email.strip()
    if (user.email or "") == email:
        return False
    elsewhere = Membership.objects.filter(user=user).exclude(
        association_id=membership.association_id
    )
    if elsewhere.exists():
        raise ValidationError(
            {
                "email": _(
                    "Email address: this person also belongs to another association; "
                    "only they can change it, from their account."
                )
            }
        )
    if email and get_user_model().objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": _("Email address: another account already uses it.")})
    user.email = email
    user.full_clean()
    user.save(update_fields=["email"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=membership, fields=["email"])
    return True


def password_reset_record(*, actor, membership: Membership) -> None:
    """Check that a password reset can be sent to the member, and audit it. The caller sends
    allauth's reset email in the same transaction."""
    if not membership.is_active:
        raise ValidationError(_("This person is deactivated: reactivate them first."))
    if not membership.user.email:
        raise ValidationError(
            _("This person has no email address: set one before sending a password reset.")
        )
    audit_event(
        actor=actor,
        association_id=membership.association_id,
        action=AuditEvent.Action.UPDATE,
        obj=membership,
        fields=["password_reset_sent"],
    )
