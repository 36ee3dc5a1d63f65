from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from parcours.accounts import visibility
from parcours.accounts.permissions import require
from parcours.accounts.roles import Capability
from parcours.activities import grid as grids
from parcours.activities import selectors, services
from parcours.activities.forms import (
    ActivityForm,
    GridAddForm,
    MarkForm,
    MembersForm,
    NewcomerForm,
    ScheduleForm,
    SessionForm,
)
from parcours.activities.models import Activity, Attendance, Session
from parcours.core.forms import posted
from parcours.core.inputs import day_param
from parcours.households.duplicates import DuplicateHousehold
from parcours.households.models import Household

MANAGE = Capability.MANAGE_ACTIVITIES
TAKE_ATTENDANCE = Capability.RECORD_TOUCHPOINTS


def _get_activity(pk: int) -> Activity:
    try:
        return selectors.activity_detail(pk=pk)
    except Activity.DoesNotExist as exc:  # another association's activity looks the same
        raise Http404 from exc


def _get_session(pk: int) -> Session:
    try:
        return selectors.session_detail(pk=pk)
    except Session.DoesNotExist as exc:
        raise Http404 from exc


def _apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, on the field it names when it does."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- activities ---------------------------------------------------------------------------


@require(TAKE_ATTENDANCE)
def activity_list(request):
    activities = selectors.activity_list()
    return render(request, "activities/list.html", {"activities": activities})


@require(MANAGE)
def activity_create(request):
    form = ActivityForm(posted(request), association=request.association)
    if request.method == "POST" and form.is_valid():
        activity = services.activity_create(
            actor=request.user, association=request.association, **form.cleaned_data
        )
        return redirect("activities:detail", activity_pk=activity.pk)
    return render(request, "activities/activity_form.html", {"form": form})


@require(TAKE_ATTENDANCE)
def activity_detail(request, activity_pk: int):
    activity = _get_activity(activity_pk)
    context = {
        "activity": activity,
        "schedules": selectors.activity_schedules(activity=activity),
        "upcoming": selectors.activity_sessions(activity=activity, upcoming=True),
        "past": selectors.activity_sessions(activity=activity, upcoming=False),
    }
    return render(request, "activities/detail.html", context)


@require(MANAGE)
def activity_edit(request, activity_pk: int):
    activity = _get_activity(activity_pk)
    form = ActivityForm(posted(request), instance=activity, association=request.association)
    if request.method == "POST" and form.is_valid():
        fresh = _get_activity(activity_pk)
        services.activity_update(actor=request.user, activity=fresh, **form.cleaned_data)
        return redirect("activities:detail", activity_pk=activity_pk)
    return render(request, "activities/activity_form.html", {"form": form, "activity": activity})


@require(MANAGE)
def schedule_add(request, activity_pk: int):
    activity = _get_activity(activity_pk)
    form = ScheduleForm(
        posted(request),
        association=request.association,
        initial={"place": activity.place, "starts_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            schedule = services.schedule_create(
                actor=request.user, activity=activity, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            count = schedule.sessions.count()
            messages.success(
                request, _("Weekly schedule saved: %(count)d sessions planned.") % {"count": count}
            )
            return redirect("activities:detail", activity_pk=activity_pk)
    return render(request, "activities/schedule_form.html", {"form": form, "activity": activity})


@require(MANAGE)
def session_add(request, activity_pk: int):
    activity = _get_activity(activity_pk)
    form = SessionForm(
        posted(request),
        association=request.association,
        initial={"place": activity.place, "day": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                actor=request.user, activity=activity, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("activities:sheet", session_pk=session.pk)
    return render(request, "activities/session_form.html", {"form": form, "activity": activity})


@require(MANAGE)
def session_edit(request, session_pk: int):
    session = _get_session(session_pk)
    form = SessionForm(
        posted(request),
        association=request.association,
        editing=True,
        instance=session,
        initial={
            "facilitator_user": session.facilitator_user_id,
            "facilitator_household": session.facilitator_household_id,
            "cancelled": session.cancelled,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("activities:sheet", session_pk=session_pk)
    context = {"form": form, "activity": session.activity, "session": session}
    return render(request, "activities/session_form.html", context)


# --- the attendance sheet -----------------------------------------------------------------


@require(TAKE_ATTENDANCE)
def today(request):
    day, problem = day_param(request.GET, "day", label=_("Day"), default=timezone.localdate())
    if problem:
        messages.error(request, _("%(problem)s Here are today's sessions.") % {"problem": problem})
    sessions = selectors.sessions_on(day=day)
    context = {
        "sessions": sessions,
        "day": day,
        "is_today": day == timezone.localdate(),
        "prev_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
    }
    return render(request, "activities/today.html", context)


def _sheet_context(request, session: Session, **extra) -> dict:
    rows = selectors.sheet_rows(session=session)
    return {
        "session": session,
        "rows": rows,
        "since": selectors.sheet_since(rows),
        "present_count": sum(r.status == Attendance.Status.PRESENT for r in rows),
        "statuses": _STATUSES,
        "markable": not session.cancelled and session.day <= timezone.localdate(),
        "newcomer_form": NewcomerForm(association=request.association),
        **extra,
    }


_STATUSES = [
    (Attendance.Status.PRESENT, Attendance.Status.PRESENT.label),
    (Attendance.Status.ABSENT, Attendance.Status.ABSENT.label),
    (Attendance.Status.EXCUSED, Attendance.Status.EXCUSED.label),
]


@require(TAKE_ATTENDANCE)
def sheet(request, session_pk: int):
    session = _get_session(session_pk)
    search = request.GET.get("q", "")
    found = selectors.sheet_search(session=session, search=search)
    markable = not session.cancelled and session.day <= timezone.localdate()
    if request.htmx and request.htmx.target == "search-results":
        context = {"session": session, "found": found, "q": search, "statuses": _STATUSES,
                   "markable": markable}  # fmt: skip
        return render(request, "activities/_search_results.html", context)
    context = _sheet_context(request, session, found=found, q=search)
    return render(request, "activities/sheet.html", context)


@require(TAKE_ATTENDANCE)
@require_http_methods(["GET", "POST"])
def marks(request, session_pk: int):
    """GET: the sheet's rows (the page polls it). POST: one household's mark (one tap)."""
    session = _get_session(session_pk)
    if request.method == "GET":
        return _rows(request, session)
    form = MarkForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()
                           if f in form.fields)  # fmt: skip
        return _mark_error(request, session, errors, status=400)
    data = form.cleaned_data
    try:
        result = services.attendance_mark(
            actor=request.user, session=session, household=data["household"],
            status=data["status"], mark_id=data["mark_id"], base_version=data["base_version"],
            intent_at=data["intent_at"],
        )  # fmt: skip
    except ValidationError as exc:
        return _mark_error(request, session, " ".join(exc.messages), status=409)
    if not request.htmx:
        if result.outcome == "stale":
            messages.warning(
                request, _("Someone else changed this mark meanwhile; theirs is kept.")
            )
        return redirect("activities:sheet", session_pk=session.pk)
    row = selectors.with_photo_flags([selectors.SheetRow(data["household"], result.attendance)])[0]
    response = render(
        request,
        "activities/_row.html",
        {"session": session, "row": row, "statuses": _STATUSES, "markable": True,
         "outcome": result.outcome},
    )  # fmt: skip
    response["X-Mark-Outcome"] = result.outcome
    return response


def _rows(request, session: Session):
    """The sheet's rows for its poll: with ``?since=`` (the version the page holds, from its
    data-since or the last poll's X-Sheet-Since), only the marks changed since; without it,
    every row. X-Sheet-Since says the version the client holds after applying the answer."""
    held = _since_param(request.GET.get("since", ""))
    if held is None:
        rows = selectors.sheet_rows(session=session)
    else:
        rows = selectors.sheet_changes(session=session, since=held)
    markable = not session.cancelled and session.day <= timezone.localdate()
    context = {"session": session, "rows": rows, "statuses": _STATUSES, "markable": markable}
    response = render(request, "activities/_rows.html", context)
    response["X-Sheet-Since"] = str(selectors.sheet_since(rows, held or 0))
    return response


def _since_param(value: str) -> int | None:
    """A sheet version (microseconds since 1970), or None when absent or not one."""
    if not (value.isascii() and value.isdigit()) or len(value) > 17:
        return None
    return int(value)


@require(TAKE_ATTENDANCE)
@require_http_methods(["POST"])
def members(request, session_pk: int):
    """Who of a household marked present came (the others are unticked): everyone by default."""
    session = _get_session(session_pk)
    form = MembersForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()
                           if f in form.fields)  # fmt: skip
        return _mark_error(request, session, errors, status=400)
    household = form.cleaned_data["household"]
    try:
        services.attendance_members_set(
            actor=request.user, session=session, household=household,
            present=form.cleaned_data["present"],
        )  # fmt: skip
    except ValidationError as exc:
        return _mark_error(request, session, " ".join(exc.messages), status=409)
    if not request.htmx:
        messages.success(request, _("Saved: who of %(name)s came.") % {"name": household})
        return redirect("activities:sheet", session_pk=session.pk)
    row = selectors.sheet_row(session=session, household=household)
    context = {"session": session, "row": row, "statuses": _STATUSES, "markable": True}
    return render(request, "activities/_row.html", context)


def _mark_error(request, session, message: str, *, status: int):
    if not request.htmx:
        messages.error(request, message)
        return redirect("activities:sheet", session_pk=session.pk)
    return render(request, "activities/_mark_error.html", {"message": message}, status=status)


@require(TAKE_ATTENDANCE)
def newcomer(request, session_pk: int):
    session = _get_session(session_pk)
    form = NewcomerForm(posted(request), association=request.association)
    template = "activities/_newcomer.html" if request.htmx else "activities/newcomer.html"
    matches = []
    if request.method == "POST" and request.POST.get("household"):
        # "It is this family" after the duplicate check: mark the known household present.
        form = NewcomerForm(association=request.association)
        household = _known_household(request.POST["household"])
        result = services.attendance_mark(
            actor=request.user, session=session, household=household,
            status=Attendance.Status.PRESENT, mark_id=request.POST.get("mark_id", "")[:64],
            base_version=None,
        )  # fmt: skip
        return _newcomer_done(request, session, household, result)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            household, result = services.newcomer_add(
                actor=request.user, session=session,
                allow_duplicate=request.POST.get("allow_duplicate") == "1", **data,
            )  # fmt: skip
        except DuplicateHousehold as dup:
            matches = dup.matches
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return _newcomer_done(request, session, household, result)
    context = {"session": session, "newcomer_form": form, "matches": matches}
    return render(request, template, context)


def _known_household(pk) -> Household:
    try:
        return Household.objects.get(pk=int(pk))
    except (Household.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def _newcomer_done(request, session, household, result):
    if not request.htmx:
        messages.success(
            request, _("%(name)s is on the sheet, marked present.") % {"name": household}
        )
        return redirect("activities:sheet", session_pk=session.pk)
    context = {
        "session": session,
        "newcomer_form": NewcomerForm(association=request.association),
        "added": household,
        "row": selectors.with_photo_flags([selectors.SheetRow(household, result.attendance)])[0],
        "statuses": _STATUSES,
        "markable": True,
    }
    response = render(request, "activities/_newcomer.html", context)
    response["X-Mark-Outcome"] = result.outcome
    return response


# --- the attendance grid: several paper sheets at once --------------------------------------


@require(TAKE_ATTENDANCE)
@require_http_methods(["GET", "POST"])
def grid(request, activity_pk: int):
    """Families x the activity's sessions of one month; saving writes every changed box
    through the attendance service, all or nothing (parcours.activities.grid)."""
    activity = _get_activity(activity_pk)
    today = timezone.localdate()
    first, problem = grids.month_param(request.GET.get("month", ""), today=today)
    if problem:
        messages.error(request, problem)
    last = grids.month_end(first)
    month = f"{first:%Y-%m}"
    visible = visibility.households(request.membership).filter(archived_at__isnull=True)
    post = request.POST if request.method == "POST" else None
    add_form = GridAddForm(visible=visible)
    added = grids.posted_household_ids(post) if post else []
    problems: list = []
    if post is not None and post.get("action") == "add":
        add_form = GridAddForm(post, visible=visible)
        chosen = add_form.cleaned_data.get("household") if add_form.is_valid() else None
        if chosen is None and add_form.is_valid():
            add_form.add_error("household", _("Search for the family, then choose it below."))
        if chosen is not None:
            added.append(chosen.pk)
            add_form = GridAddForm(visible=visible)
    elif post is not None:
        sessions = grids.grid_sessions(activity=activity, first=first, last=last)
        households = {h.pk: h for h in visible.filter(pk__in=added)}
        changes = grids.parse_cells(post, sessions=sessions, household_ids=added)
        try:
            saved = grids.grid_save(
                actor=request.user, activity=activity, sessions=sessions, households=households,
                changes=changes, token=post.get("token", ""),
            )  # fmt: skip
        except grids.GridRefused as refused:
            problems = refused.problems
        else:
            messages.success(request, _grid_saved_message(saved))
            return redirect(f"{reverse('activities:grid', args=[activity.pk])}?month={month}")
    the_grid = grids.grid_read(
        activity=activity, first=first, last=last, visible=visible, added=added
    )
    if post is not None:
        grids.keep_posted(the_grid, post)
    context = {
        "activity": activity,
        "grid": the_grid,
        "month": month,
        "previous": f"{first - timedelta(days=1):%Y-%m}",
        "following": f"{last + timedelta(days=1):%Y-%m}",
        "this_month": f"{today:%Y-%m}",
        "token": (post or {}).get("token") or grids.new_grid_token(),
        "add_form": add_form,
        "problems": problems,
        "counts": the_grid.present_counts(),
    }
    return render(request, "activities/grid.html", context, status=400 if problems else 200)


def _grid_saved_message(saved) -> str:
    if not (saved.added or saved.removed):
        return _("Nothing to save: the sheets already hold this grid.")
    parts = []
    if saved.added:
        parts.append(
            ngettext("%(n)d presence added", "%(n)d presences added", saved.added)
            % {"n": saved.added}
        )
    if saved.removed:
        parts.append(
            ngettext("%(n)d presence removed", "%(n)d presences removed", saved.removed)
            % {"n": saved.removed}
        )
    return _("Grid saved: %(changes)s.") % {"changes": ", ".join(parts)}
