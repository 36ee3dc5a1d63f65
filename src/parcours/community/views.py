"""Community pages. Groups, sponsorships, referrals, roles and projects: coordinators, social
workers, administrators (EDIT_HOUSEHOLDS). Communications: whoever records touchpoints.
Visits to absent families: RECORD_PEER_VISITS; a peer family records them for its own
household only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability, Role
from parcours.community import forms, selectors, services
from parcours.community.models import CommunityRole, Group, GroupMembership, Sponsorship
from parcours.core.forms import posted
from parcours.directory.forms import use_picker
from parcours.outreach.shared import (
    DuplicateHousehold,
    apply_errors,
    household_from_request,
    household_or_404,
    household_search,
)

CAN_MANAGE = Capability.EDIT_HOUSEHOLDS


def _get(model, pk):
    qs = model.objects.all()
    if any(f.name == "household" for f in model._meta.fields):  # the archive is read-only
        qs = qs.filter(household__archived_at__isnull=True)
    try:
        return qs.get(pk=pk)
    except model.DoesNotExist as exc:  # another association's row looks the same
        raise Http404 from exc


def _page(request, template, **context):
    q = request.GET.get("q", "")
    household = context.get("household")
    context.setdefault("pick_household", True)
    context |= {
        "q": q,
        "results": household_search(q, membership=request.membership) if household is None else [],
    }
    return render(request, template, context)


def _end_form(request, *, obj, form_class, end, done_url, title):
    """Close an episode (group membership, sponsorship, role) with its end date and reason."""
    form = form_class(posted(request), initial={"end": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            end(**form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            return redirect(done_url)
    return render(
        request, "community/form.html",
        {"form": form, "pick_household": False, "ended": obj.end is not None, "title": title},
    )  # fmt: skip


def _household_form(request, *, title, form_class, service, form_kwargs=None, initial=None,
                    needs_household=True):  # fmt: skip
    """A form about one household chosen with ?household= (searched first if not given)."""
    household = household_from_request(request)
    kwargs = dict(form_kwargs or {})
    if form_class in (forms.SponsorshipForm, forms.ReferralForm, forms.RoleForm):
        kwargs["household"] = household
    form = form_class(posted(request), initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        if household is None and needs_household:
            form.add_error(None, _("Household: choose the family first."))
        else:
            try:
                service(actor=request.user, household=household, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(exc, form)
            else:
                messages.success(request, _("Recorded for %(name)s.") % {"name": household.name})
                return redirect("households:detail", pk=household.pk)
    return _page(request, "community/form.html", title=title, form=form, household=household)


@require(CAN_MANAGE)
def home(request):
    return render(
        request, "community/home.html",
        {
            "groups": selectors.group_list(), "sponsorships": selectors.active_sponsorships(),
            "roles": selectors.active_roles(), "referrals": selectors.recent_referrals(),
            "visits": selectors.recent_absent_visits(), "projects": selectors.recent_projects(),
        },
    )  # fmt: skip


# Groups --------------------------------------------------------------------------------------


@require(CAN_MANAGE)
def group_create(request):
    form = forms.GroupForm(
        posted(request), users=services.sponsor_candidates(association=request.association)
    )
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(
                actor=request.user, association=request.association, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            return redirect("community:group_detail", group_pk=group.pk)
    return render(
        request, "community/form.html",
        {"title": gettext_lazy("New group of families"), "form": form, "pick_household": False},
    )  # fmt: skip


@require(CAN_MANAGE)
def group_detail(request, group_pk: int):
    try:
        group = selectors.group_detail(pk=group_pk)
    except Group.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request, "community/group_detail.html",
        {"group": group, "memberships": selectors.group_memberships(group=group),
         "communications": group.communications.order_by("-day", "-id")[:10]},
    )  # fmt: skip


@require(CAN_MANAGE)
def group_join(request, group_pk: int):
    group = _get(Group, group_pk)
    household = household_from_request(request)
    form = forms.JoinForm(posted(request), initial={"start": timezone.localdate()})
    if request.method == "POST" and form.is_valid() and household is not None:
        try:
            services.group_join(
                actor=request.user, group=group, household=household, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("%(name)s joined the group.") % {"name": household.name})
            return redirect("community:group_detail", group_pk=group.pk)
    return _page(
        request, "community/form.html", form=form, household=household, group=group,
        title=_("Add a family to %(group)s") % {"group": group.name},
    )  # fmt: skip


@require(CAN_MANAGE)
def membership_end(request, membership_pk: int):
    membership = _get(GroupMembership, membership_pk)
    return _end_form(
        request, obj=membership, form_class=forms.LeaveForm,
        end=lambda **data: services.group_leave(actor=request.user, membership=membership, **data),
        done_url=reverse("community:group_detail", kwargs={"group_pk": membership.group_id}),
        title=_("%(name)s leaves %(group)s")
        % {"name": membership.household.name, "group": membership.group.name},
    )  # fmt: skip


# Sponsorships ----------------------------------------------------------------------------------


@require(CAN_MANAGE)
def sponsorship_create(request):
    return _household_form(
        request, title=gettext_lazy("Assign a sponsor"), form_class=forms.SponsorshipForm,
        service=services.sponsorship_start, initial={"start": timezone.localdate()},
        form_kwargs={"users": services.sponsor_candidates(association=request.association)},
    )  # fmt: skip


@require(CAN_MANAGE)
def sponsorship_end(request, sponsorship_pk: int):
    sponsorship = _get(Sponsorship, sponsorship_pk)
    return _end_form(
        request, obj=sponsorship, form_class=forms.SponsorshipEndForm,
        end=lambda **data: services.sponsorship_end(
            actor=request.user, sponsorship=sponsorship, **data
        ),
        done_url=reverse("households:detail", kwargs={"pk": sponsorship.household_id}),
        title=_("End the sponsorship of %(name)s") % {"name": sponsorship.household.name},
    )  # fmt: skip


# Referrals and absent visits ------------------------------------------------------------------


@require(CAN_MANAGE)
def referral_create(request):
    """The referrer is ?household=; the family brought is chosen or quick-added."""
    from parcours.outreach.forms import QuickHouseholdForm

    referrer = household_from_request(request)
    form = forms.ReferralForm(
        posted(request), household=referrer, initial={"day": timezone.localdate()}
    )
    new_form = QuickHouseholdForm(posted(request), prefix="new", association=request.association)
    matches = []
    is_post = request.method == "POST"
    if is_post and referrer is None:
        form.is_valid()
        form.add_error(None, _("Household: choose the family first."))
    elif is_post and form.is_valid():
        chosen = form.cleaned_data["referred"]
        if request.POST.get("referred_choice"):  # "It is this family" after a duplicate
            chosen = household_or_404(request.POST["referred_choice"], request.membership)
        if chosen is not None or new_form.is_valid():
            try:
                services.referral_record(
                    actor=request.user, referrer=referrer, day=form.cleaned_data["day"],
                    referred=chosen, new_household=None if chosen else new_form.cleaned_data,
                    allow_duplicate=request.POST.get("allow_duplicate") == "1",
                    note=form.cleaned_data["note"],
                )  # fmt: skip
            except DuplicateHousehold as dup:
                matches = dup.matches
            except ValidationError as exc:
                apply_errors(exc, form, new_form)
            else:
                messages.success(request, _("Referral recorded."))
                return redirect("households:detail", pk=referrer.pk)
    return _page(
        request, "community/referral_form.html", form=form, new_form=new_form,
        household=referrer, matches=matches, title=_("A family brought another one"),
    )  # fmt: skip


def _visitor(request):
    """The visiting household: a peer family's own; for staff, the one chosen."""
    m = request.membership
    if m.role == Role.PEER_FAMILY:
        return m.household, True
    return household_from_request(request), False


@require(Capability.RECORD_PEER_VISITS)
def absent_visit_create(request):
    visitor, own = _visitor(request)
    if own and visitor is None:
        raise PermissionDenied  # a peer family account not linked to its household
    # A peer family sees only the absent families assigned to it, never the whole list.
    visited_qs = (
        selectors.absent_households(membership=request.membership, exclude=visitor)
        if own
        else forms._households(visitor)
    )
    form = forms.AbsentVisitForm(
        posted(request), visited_queryset=visited_qs, initial={"day": timezone.localdate()}
    )
    if not own:  # any family of the association: searched, not listed
        use_picker(form.fields["visited"], exclude=visitor)
    if request.method == "POST" and form.is_valid() and visitor is not None:
        try:
            services.absent_visit_record(actor=request.user, visitor=visitor, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Visit recorded. Thank you!"))
            return redirect("community:absent_visit")
    return _page(
        request, "community/absent_visit.html", form=form, household=visitor,
        pick_household=not own, own=own,
        visits=selectors.recent_absent_visits(visitor=visitor, limit=10) if visitor else [],
        title=_("Visit to an absent family"),
    )  # fmt: skip


# Roles and projects ----------------------------------------------------------------------------


@require(CAN_MANAGE)
def role_create(request):
    return _household_form(
        request, title=gettext_lazy("A role in the association"), form_class=forms.RoleForm,
        service=services.role_start, initial={"start": timezone.localdate()},
    )  # fmt: skip


@require(CAN_MANAGE)
def role_end(request, role_pk: int):
    role = _get(CommunityRole, role_pk)
    return _end_form(
        request, obj=role, form_class=forms.EndForm,
        end=lambda **data: services.role_end(actor=request.user, role=role, **data),
        done_url=reverse("households:detail", kwargs={"pk": role.household_id}),
        title=_("End the role %(role)s of %(name)s")
        % {"role": role.get_kind_display(), "name": role.household.name},
    )  # fmt: skip


@require(CAN_MANAGE)
def project_create(request):
    return _household_form(
        request, title=gettext_lazy("A project proposed by a family"),
        form_class=forms.ProjectForm, service=services.project_propose,
        initial={"day": timezone.localdate()},
    )  # fmt: skip


# Communications -----------------------------------------------------------------------------


@require(Capability.RECORD_TOUCHPOINTS)
def communication_list(request):
    page = Paginator(selectors.communication_list(), 25).get_page(request.GET.get("page"))
    return render(request, "community/communication_list.html", {"page": page})


@require(Capability.RECORD_TOUCHPOINTS)
def communication_create(request):
    household = household_from_request(request)
    form = forms.CommunicationForm(
        posted(request), household=household,
        initial={"day": timezone.localdate(), "group": request.GET.get("group")},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.communication_record(
                actor=request.user, association=request.association, household=household,
                **form.cleaned_data,
            )  # fmt: skip
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Communication recorded."))
            return redirect("community:communications")
    return render(
        request, "community/form.html",
        {"title": _("Record a communication"), "form": form, "household": household,
         "pick_household": False},
    )  # fmt: skip
