"""The association's settings page (administrators), and its logo (every member)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import member_required, require
from parcours.accounts.roles import Capability
from parcours.association_settings import forms, selectors, services
from parcours.association_settings.models import ActivityType, ContactChannel, Neighbourhood
from parcours.core.forms import posted

SETTINGS = Capability.MANAGE_SETTINGS
PAGE = "association_settings:page"
LISTS = {
    "activity_type": (ActivityType, gettext_lazy("Activity types"), "activity_type"),
    "contact_channel": (ContactChannel, gettext_lazy("Contact channels"), "contact_channel"),
}


def _errors_into(form, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def _general_initial(association) -> dict:
    return {name: getattr(association, name) for name in services.ASSOCIATION_FIELDS}


@require(SETTINGS)
def settings_page(request):
    association = request.membership.association
    form = forms.AssociationForm(posted(request), initial=_general_initial(association))
    if request.method == "POST" and form.is_valid():
        try:
            services.association_update(
                actor=request.user, association=association, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("The association's settings are saved."))
            return redirect(PAGE)
    context = {
        "form": form,
        "logo_form": forms.LogoForm(prefix="logo"),
        "logo": selectors.association_logo(association),
        "neighbourhoods": selectors.neighbourhoods(association),
        "neighbourhood_form": forms.NeighbourhoodForm(prefix="neighbourhood"),
        "activity_types": selectors.activity_types(association),
        "activity_type_form": forms.EntryForm(prefix="activity_type"),
        "contact_channels": selectors.contact_channels(association),
        "contact_channel_form": forms.EntryForm(prefix="contact_channel"),
    }
    return render(request, "association_settings/page.html", context)


# --- logo -----------------------------------------------------------------------------------


@require(SETTINGS)
def logo_upload(request):
    association = request.membership.association
    form = forms.LogoForm(posted(request), request.FILES or None, prefix="logo")
    if request.method == "POST" and form.is_valid():
        try:
            services.logo_set(
                actor=request.user, association=association, upload=form.cleaned_data["logo"]
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("The logo is saved."))
            return redirect(PAGE)
    context = {"form": form, "logo": selectors.association_logo(association)}
    return render(request, "association_settings/logo.html", context)


@require(SETTINGS)
@require_POST
def logo_remove(request):
    services.logo_remove(actor=request.user, association=request.membership.association)
    messages.success(request, _("The logo is removed."))
    return redirect(PAGE)


@member_required
def logo_image(request, logo_of: int):
    """An association's logo (``logo_of``: its id), to its members only (404 to others)."""
    association = request.membership.association
    logo = selectors.association_logo(association) if association.pk == logo_of else None
    if logo is None:
        raise Http404
    response = HttpResponse(bytes(logo.image), content_type=logo.content_type)
    response["Content-Disposition"] = 'inline; filename="logo.png"'
    return response


def _page_url() -> str:
    from django.urls import reverse

    return reverse(PAGE)


def _saved(request, form, write, message: str, anchor: str):
    """A valid POST runs `write(cleaned_data)`; on success, `message` (formatted with the
    saved object's name) and back to the settings page, else None (the form shows why)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        obj = write(form.cleaned_data)
    except ValidationError as exc:
        _errors_into(form, exc)
        return None
    messages.success(request, message % {"name": str(obj)})
    return redirect(f"{_page_url()}#{anchor}")


# --- neighbourhoods -------------------------------------------------------------------------


def _neighbourhood(request, pk: int) -> Neighbourhood:
    found = selectors.neighbourhoods(request.membership.association).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@require(SETTINGS)
def neighbourhood_add(request):
    form = forms.NeighbourhoodForm(posted(request), prefix="neighbourhood")
    association = request.membership.association

    def write(data):
        return services.neighbourhood_add(actor=request.user, association=association, **data)

    done = _saved(request, form, write, _("%(name)s is added."), "neighbourhoods")
    return done or render(
        request, "association_settings/neighbourhood.html", {"form": form, "neighbourhood": None}
    )


@require(SETTINGS)
def neighbourhood_edit(request, neighbourhood_pk: int):
    n = _neighbourhood(request, neighbourhood_pk)
    form = forms.NeighbourhoodForm(
        posted(request), prefix="neighbourhood", initial={"name": n.name, "priority": n.priority}
    )

    def write(data):
        return services.neighbourhood_update(actor=request.user, neighbourhood=n, **data)

    done = _saved(request, form, write, _("%(name)s is saved."), "neighbourhoods")
    return done or render(
        request, "association_settings/neighbourhood.html", {"form": form, "neighbourhood": n}
    )


@require(SETTINGS)
@require_POST
def neighbourhood_delete(request, neighbourhood_pk: int):
    n = _neighbourhood(request, neighbourhood_pk)
    try:
        services.neighbourhood_delete(actor=request.user, neighbourhood=n)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("%(name)s is removed from the list.") % {"name": n.name})
    return redirect(f"{_page_url()}#neighbourhoods")


# --- activity types and contact channels ----------------------------------------------------


def _entry_add(request, kind: str):
    model, title, prefix = LISTS[kind]
    form = forms.EntryForm(posted(request), prefix=prefix)
    association = request.membership.association

    def write(data):
        return services.list_entry_add(
            actor=request.user, model=model, association=association, label=data["label"]
        )

    done = _saved(request, form, write, _("%(name)s is added."), kind)
    context = {"form": form, "title": title, "entry": None, "kind": kind}
    return done or render(request, "association_settings/entry.html", context)


def _entry_edit(request, kind: str, pk: int):
    model, title, prefix = LISTS[kind]
    entry = model.objects.filter(association=request.membership.association, pk=pk).first()
    if entry is None:
        raise Http404
    form = forms.EntryEditForm(
        posted(request),
        prefix=prefix,
        initial={"label": entry.display, "active": entry.active},
    )

    def write(data):
        return services.list_entry_update(actor=request.user, entry=entry, **data)

    done = _saved(request, form, write, _("%(name)s is saved."), kind)
    context = {"form": form, "title": title, "entry": entry, "kind": kind}
    return done or render(request, "association_settings/entry.html", context)


@require(SETTINGS)
def activity_type_add(request):
    return _entry_add(request, "activity_type")


@require(SETTINGS)
def activity_type_edit(request, activity_type_pk: int):
    return _entry_edit(request, "activity_type", activity_type_pk)


@require(SETTINGS)
def contact_channel_add(request):
    return _entry_add(request, "contact_channel")


@require(SETTINGS)
def contact_channel_edit(request, contact_channel_pk: int):
    return _entry_edit(request, "contact_channel", contact_channel_pk)
