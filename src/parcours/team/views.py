"""The team page (Members), invitations and their acceptance, and the association switcher."""

from __future__ import annotations

from allauth.account.internal.flows.password_reset import request_password_reset
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parcours.accounts import selectors as account_selectors
from parcours.accounts.middleware import SESSION_ASSOCIATION
from parcours.accounts.models import Membership
from parcours.accounts.permissions import member_required, require
from parcours.accounts.roles import Capability
from parcours.accounts.signin import second_factor_required
from parcours.core.forms import posted
from parcours.team import forms, services
from parcours.team.models import Invitation


def _errors_into(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def _member(request, member_pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"),
        pk=member_pk,
        association=request.membership.association,
    )


@require(Capability.MANAGE_MEMBERS)
def members(request):
    """The team: who has which role, who is active, their two-factor authentication, and the
    invitations still waiting for an answer."""
    association = request.membership.association
    rows = account_selectors.members_with_second_factor(association=association)
    for row in rows:
        row.second_factor_required = second_factor_required(row)
    invitations = [
        i
        for i in Invitation.objects.filter(association=association, accepted_at=None)
        .select_related("invited_by")
        .order_by("-created_at")[:50]
        if i.state == Invitation.State.PENDING
    ]
    return render(request, "team/members.html", {"members": rows, "invitations": invitations})


@require(Capability.MANAGE_MEMBERS)
def invite(request):
    form = forms.InvitationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_send(
                actor=request.user,
                association=request.membership.association,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                link_for=lambda token: request.build_absolute_uri(
                    reverse("team:accept", args=[token])
                ),
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link is good for %(days)d days.")
                % {"email": invitation.email, "days": settings.PARCOURS_INVITATION_DAYS},
            )
            return redirect("accounts:members")
    context = {"form": form, "invitation_days": settings.PARCOURS_INVITATION_DAYS}
    return render(request, "team/invite.html", context)


@require(Capability.MANAGE_MEMBERS)
@require_POST
def invitation_revoke(request, invitation_pk: int):
    invitation = get_object_or_404(Invitation, pk=invitation_pk)  # scoped to the association
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
        )
    return redirect("accounts:members")


@require(Capability.MANAGE_MEMBERS)
def member(request, member_pk: int):
    """One member: role and email address; deactivate, reactivate, password reset."""
    membership = _member(request, member_pk)
    initial = {"role": membership.role, "email": membership.user.email}
    form = forms.MemberForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                changed = services.member_role_set(
                    actor=request.user, membership=membership, role=form.cleaned_data["role"]
                )
                changed |= services.member_email_set(
                    actor=request.user, membership=membership, email=form.cleaned_data["email"]
                )
        except ValidationError as exc:
            membership.refresh_from_db()
            _errors_into(form, exc)
        else:
            if changed:
                messages.success(
                    request, _("%(name)s is saved.") % {"name": membership.user.get_username()}
                )
            return redirect("team:member", member_pk=membership.pk)
    context = {
        "form": form,
        "member": membership,
        "is_self": membership.user_id == request.user.pk,
        "has_totp": _has_totp(membership.user),
    }
    return render(request, "team/member.html", context)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _done(request, membership, exc: ValidationError | None, success: str):
    if exc is not None:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success % {"name": membership.user.get_username()})
    return redirect("team:member", member_pk=membership.pk)


@require(Capability.MANAGE_MEMBERS)
@require_POST
def member_deactivate(request, member_pk: int):
    membership = _member(request, member_pk)
    try:
        services.member_deactivate(actor=request.user, membership=membership)
    except ValidationError as exc:
        return _done(request, membership, exc, "")
    return _done(
        request,
        membership,
        None,
        _(
            "%(name)s is deactivated: their sessions are ended and they can no longer work "
            "in this association. Their history stays."
        ),
    )


@require(Capability.MANAGE_MEMBERS)
@require_POST
def member_reactivate(request, member_pk: int):
    membership = _member(request, member_pk)
    services.member_reactivate(actor=request.user, membership=membership)
    return _done(request, membership, None, _("%(name)s is active again."))


@require(Capability.MANAGE_MEMBERS)
@require_POST
def password_reset(request, member_pk: int):
    """Send allauth's password reset email to the member's address."""
    membership = _member(request, member_pk)
    user = membership.user
    try:
        with transaction.atomic():
            services.password_reset_record(actor=request.user, membership=membership)
            request_password_reset(request, user.email, [user], None)
    except ValidationError as exc:
        return _done(request, membership, exc, "")
    return _done(
        request,
        membership,
        None,
        _("A password reset link is sent to %(name)s's email address."),
    )


# --- the invited person -------------------------------------------------------------------

UNUSABLE = {
    "invalid": gettext_lazy("This invitation link is not valid: check that it was copied whole."),
    Invitation.State.EXPIRED: gettext_lazy(
        "This invitation has expired. Ask the association's administrator for a new one."
    ),
    Invitation.State.ACCEPTED: gettext_lazy(
        "This invitation has already been used. Sign in with the account it created."
    ),
    Invitation.State.REVOKED: gettext_lazy(
        "This invitation was withdrawn by the association. Ask its administrator if needed."
    ),
}


def accept(request, token: str):
    """The link of an invitation email: create an account (or join with one's own account)."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationUnusable as exc:
        return render(request, "team/invitation_unusable.html", {"reason": UNUSABLE[exc.reason]})
    existing = services.account_with_email(invitation.email)
    context = {
        "invitation": invitation,
        "second_factor": second_factor_required(Membership(role=invitation.role)),
        "existing": existing,
    }
    if request.user.is_authenticated or existing is not None:
        return _accept_with_account(request, token, invitation, context)
    form = forms.AcceptForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept_new_account(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationUnusable as exc:
            return render(
                request, "team/invitation_unusable.html", {"reason": UNUSABLE[exc.reason]}
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(
                request,
                _("Your account is ready: sign in with the username %(name)s.")
                % {"name": user.get_username()},
            )
            return redirect("account_login")
    context["form"] = form
    return render(request, "team/accept.html", context)


def _accept_with_account(request, token, invitation, context):
    if not request.user.is_authenticated:
        context["login_url"] = reverse("account_login") + "?next=" + request.path
        return render(request, "team/accept_existing.html", context)
    context["error"] = None
    if request.method == "POST":
        try:
            services.invitation_accept_existing_account(token=token, user=request.user)
        except services.InvitationUnusable as exc:
            context["error"] = UNUSABLE[exc.reason]
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
        else:
            request.session[SESSION_ASSOCIATION] = invitation.association_id
            messages.success(
                request,
                _("You joined %(association)s.") % {"association": invitation.association.name},
            )
            return redirect("accounts:home")
    return render(request, "team/accept_existing.html", context)


# --- switcher -----------------------------------------------------------------------------


@member_required
@require_POST
def switch(request):
    """Work in another of one's associations (kept in the session; the scope middleware uses
    it only among the person's active memberships)."""
    wanted = request.POST.get("association", "")
    chosen = next((m for m in request.memberships if str(m.association_id) == wanted.strip()), None)
    if chosen is None:
        messages.error(request, _("Association: choose one of your associations."))
        return redirect("accounts:home")
    request.session[SESSION_ASSOCIATION] = chosen.association_id
    messages.success(
        request, _("You now work in %(association)s.") % {"association": chosen.association.name}
    )
    return redirect("accounts:home")
