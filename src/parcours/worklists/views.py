from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from parcours.accounts.permissions import member_required, require
from parcours.accounts.roles import Capability, Role, role_can
from parcours.core.forms import posted
from parcours.households.models import Household
from parcours.journey.definitions import definition_for
from parcours.journey.reasons import current_language
from parcours.worklists import bulk, forms, selectors, services
from parcours.worklists.models import DigestPreference, Task
from parcours.worklists.reasons import decorate

ACTIONS = ("done", "snooze", "dismiss", "assign", "visit")


def _task(request, pk: int) -> Task:
    try:
        return selectors.task_visible(pk, request.membership)
    except Task.DoesNotExist as exc:
        raise Http404 from exc


def _safe_next(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("worklists:mine")


def _visitor(request, task: Task) -> Household | None:
    """The household that records a visit: the peer family's own, else the assigned one."""
    m = request.membership
    if m.role == Role.PEER_FAMILY and m.household_id:
        return m.household
    if selectors.can_manage(m):
        return task.assignee_household
    return None


def _forms(request, task: Task, data=None, action: str = ""):
    m = request.membership
    out = {
        "done": forms.DoneForm(data if action == "done" else None, prefix="done"),
        "snooze": forms.SnoozeForm(data if action == "snooze" else None, prefix="snooze"),
        "dismiss": forms.DismissForm(data if action == "dismiss" else None, prefix="dismiss"),
    }
    if task.rule in services.VISIT_RULES and _visitor(request, task) is not None:
        out["visit"] = forms.VisitForm(data if action == "visit" else None, prefix="visit")
    if selectors.can_manage(m):
        members, families = selectors.assignable(m.association, task)
        out["assign"] = forms.AssignForm(
            data if action == "assign" else None,
            prefix="assign",
            members=members,
            families=families,
        )
    return out


def _apply(request, task: Task, action: str, form) -> None:
    actor = request.user
    d = form.cleaned_data
    if action == "done":
        services.task_done(actor=actor, task=task, note=d["note"])
    elif action == "snooze":
        services.task_snooze(actor=actor, task=task, until=d["until"])
    elif action == "dismiss":
        services.task_dismiss(actor=actor, task=task, reason=d["reason"])
    elif action == "assign":
        value = d["assignee"]
        if value.startswith("u"):
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(pk=int(value[1:])).first()
            services.task_assign(actor=actor, task=task, user=user)
        elif value.startswith("h"):
            household = Household.objects.active().filter(pk=int(value[1:])).first()
            if household is None:
                raise ValidationError({"assignee": _("Unknown family.")})
            services.task_assign(actor=actor, task=task, household=household)
        else:
            raise ValidationError({"assignee": _("Choose one person or one peer family.")})
    elif action == "visit":
        services.task_record_visit(
            actor=actor,
            task=task,
            visitor=_visitor(request, task),
            day=d["day"],
            outcome=d["outcome"],
            note=d["note"],
        )


@require(Capability.WORK_ON_TASKS)
@require_http_methods(["GET", "POST"])
def task_detail(request, task_pk: int):
    task = _task(request, task_pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and action not in ACTIONS:
        raise PermissionDenied
    all_forms = _forms(request, task, request.POST, action)
    if action:
        form = all_forms.get(action)
        if form is None:  # e.g. assigning without the right, or a visit by nobody
            raise PermissionDenied
        if form.is_valid():
            try:
                _apply(request, task, action, form)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for e in errors:
                        form.add_error(None if field not in form.fields else field, e)
            else:
                messages.success(request, _("Saved."))
                target = _safe_next(request)
                if request.htmx and request.POST.get("swap") == "card":
                    task = _task(request, task_pk)
                    decorate([task], request.membership)
                    return render(request, "worklists/_task.html", {"task": task, "card": True})
                if request.htmx:  # from the task page: go where the user came from
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
    decorate([task], request.membership)
    context = {
        "task": task,
        "forms": all_forms,
        "action": action,
        "can_manage": selectors.can_manage(request.membership),
        "show_contact": True,
    }
    status = 400 if action else 200
    if request.htmx and action:
        return render(request, "worklists/_actions.html", context, status=200)
    return render(request, "worklists/task.html", context, status=status)


def _page(request, qs):
    return Paginator(qs, selectors.PAGE_SIZE).get_page(request.GET.get("page"))


def _list_context(request, qs) -> dict:
    """A page of tasks (never more), the totals, and the bulk form."""
    m = request.membership
    today = timezone.localdate()
    page = _page(request, qs)
    tasks = list(page.object_list)
    return {
        "page": page,
        "tasks": tasks,
        "total": page.paginator.count,
        "overdue": selectors.overdue_count(qs, today),
        "bulk_form": forms.BulkForm(members=selectors.bulk_assignees(m), prefix="bulk"),
        "to_recontact": selectors.households_to_recontact(m, today=today).count()
        if role_can(m.role, Capability.VIEW_HOUSEHOLDS)
        else 0,
    }


@require(Capability.WORK_ON_TASKS)
def my_tasks(request):
    m = request.membership
    context = _list_context(request, selectors.tasks_for_member(m))
    closed = list(selectors.tasks_recently_closed(m))
    decorate(context["tasks"] + closed, m)
    context.update({"closed": closed, "can_manage": selectors.can_manage(m)})
    return render(request, "worklists/mine.html", context)


@require(Capability.WORK_ON_TASKS)
@require_http_methods(["POST"])
def bulk_action(request):
    """Several tasks ticked on a list: all done, snoozed or given to someone, or none."""
    m = request.membership
    form = forms.BulkForm(posted(request), members=selectors.bulk_assignees(m), prefix="bulk")
    target = _safe_next(request)
    try:
        pks = sorted({int(x) for x in request.POST.getlist("task")})
    except ValueError:
        pks = []
        form.add_error(None, _("The selection is not valid: tick the tasks again."))
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect(target)
    tasks = list(selectors.tasks_selectable(m, pks))
    if len(tasks) != len(pks):
        messages.error(request, _("Some selected tasks are not yours or no longer exist."))
        return redirect(target)
    d = form.cleaned_data
    user = None
    if d["action"] == "assign":
        user = next(
            (x.user for x in selectors.bulk_assignees(m) if str(x.user_id) == d["assignee"]), None
        )
    try:
        n = bulk.tasks_bulk(
            actor=request.user, tasks=tasks, action=d["action"], until=d.get("until"), user=user
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for e in errors:
                messages.error(request, e)
    else:
        messages.success(
            request, ngettext("%(n)d task updated.", "%(n)d tasks updated.", n) % {"n": n}
        )
    return redirect(target)


@require(Capability.VIEW_HOUSEHOLDS)
def recontact(request):
    """Families with no contact for the journey's dormant window: out of the task lists."""
    m = request.membership
    page = _page(request, selectors.households_to_recontact(m))
    return render(request, "worklists/recontact.html", {"page": page})


@require(Capability.MANAGE_TASKS)
def board(request):
    m = request.membership
    stage = request.GET.get("stage", "")
    neighbourhood = request.GET.get("neighbourhood", "")
    context = _list_context(
        request, selectors.board_tasks(membership=m, stage=stage, neighbourhood=neighbourhood)
    )
    tasks = context["tasks"]
    decorate(tasks, m)
    definition = definition_for(m.association)
    lang = current_language()
    by_stage: dict[str, list] = defaultdict(list)
    by_hood: dict[str, list] = defaultdict(list)
    for t in tasks:
        by_stage[t.stage].append(t)
        by_hood[t.household.neighbourhood or ""].append(t)
    stage_groups = [
        (definition.stage_label(k, lang), by_stage[k])
        for k in definition.stage_keys
        if k in by_stage
    ]
    if "" in by_stage:
        stage_groups.append((_("No stage"), by_stage[""]))
    hood_groups = sorted(by_hood.items(), key=lambda kv: (kv[0] == "", kv[0]))
    neighbourhoods = sorted(
        {n for n in Household.objects.active().values_list("neighbourhood", flat=True) if n}
    )
    by = request.GET.get("by", "stage")
    context["query"] = urlencode(
        {k: v for k, v in (("by", by), ("stage", stage), ("neighbourhood", neighbourhood)) if v}
    )
    return render(
        request,
        "worklists/board.html",
        context
        | {
            "by": by,
            "stage_groups": stage_groups,
            "hood_groups": hood_groups,
            "stages": [(k, definition.stage_label(k, lang)) for k in definition.stage_keys],
            "neighbourhoods": neighbourhoods,
            "stage": stage,
            "neighbourhood": neighbourhood,
            "today": timezone.localdate(),
        },
    )


@member_required
def preferences(request):
    m = request.membership
    pref = DigestPreference.objects.filter(user=m.user, association=m.association).first()
    initial = {"language": current_language()} if pref is None else None
    form = forms.PreferenceForm(posted(request), instance=pref, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.digest_preference_set(
            actor=request.user,
            membership=m,
            daily_digest=form.cleaned_data["daily_digest"],
            language=form.cleaned_data["language"],
        )
        messages.success(request, _("Your preferences are saved."))
        return redirect("worklists:mine")
    return render(
        request,
        "worklists/preferences.html",
        {"form": form, "has_email": bool(request.user.email)},
    )
