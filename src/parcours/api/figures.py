"""Tasks, and the measures of the dashboard (small counts hidden, never a name)."""

from datetime import date
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from parcours.accounts.roles import ROLE_CAPABILITIES, Capability
from parcours.analytics.measures import MEASURES
from parcours.analytics.panel_base import TITLES, vocab_words
from parcours.analytics.panels_people import TITLES as PEOPLE_TITLES
from parcours.analytics.panels_support import TITLE as SUPPORT_TITLE
from parcours.analytics.privacy import EXPORT, audience_for
from parcours.analytics.views import dashboard_kinds, panels_for
from parcours.api.access import MAX_ID, PageQuery, endpoint, filtered, page
from parcours.api.errors import ERRORS, ApiError
from parcours.api.schemas import MeasureOut, MeasureRef, TaskPage
from parcours.audit.services import audit_export
from parcours.journey.definitions import definition_for
from parcours.journey.reasons import current_language
from parcours.worklists.models import Task
from parcours.worklists.selectors import tasks_readable

router = Router()


class TaskFilters(Schema):
    state: Literal["open", "done", "snoozed", "dismissed", "closed"] | None = None
    household: int | None = Field(None, ge=1, le=MAX_ID)


@router.get("/tasks", response={200: TaskPage, **ERRORS}, tags=["tasks"])
@endpoint(Capability.WORK_ON_TASKS)
def tasks_list(request, filters: Query[TaskFilters], paging: Query[PageQuery]):
    """The tasks this member may see: all of the association's for those who assign them,
    their own otherwise (as on the task pages); never a task that tells of support to a role
    that does not see support."""
    qs = tasks_readable(request.membership).order_by("due", "id")
    qs = filtered(qs, state=filters.state, household_id=filters.household)
    fields = (
        "id", "household_id", "rule", "stage", "state", "since", "due", "assignee_kind",
        "assignee_user_id", "assignee_household_id", "snoozed_until",
    )  # fmt: skip
    return page(qs, paging, lambda t: {f: getattr(t, f) for f in fields})


assert set(Task.State.values) == {"open", "done", "snoozed", "dismissed", "closed"}

MeasureKey = Literal[tuple(MEASURES)]  # type: ignore[valid-type]


@router.get("/measures", response={200: list[MeasureRef], **ERRORS}, tags=["measures"])
@endpoint(Capability.VIEW_AGGREGATES)
def measures_list(request):
    """The measures of the dashboard this role sees (support ones only for the roles that see
    support)."""
    definition = definition_for(request.association)
    lang = current_language()
    words = vocab_words(lambda w: definition.vocabulary.word(w, lang))
    titles = {**TITLES, **PEOPLE_TITLES, "relapse": SUPPORT_TITLE}
    return [
        {"key": k, "title": str(titles[k]) % words} for k in dashboard_kinds(request.membership)
    ]


class Period(Schema):
    start: date | None = Field(None, description="first day; default: the last twelve months")
    end: date | None = Field(None, description="last day")


def _cell(value):
    if value is None or isinstance(value, int | float):
        return value
    return str(value)


@router.get("/measures/{key}", response={200: MeasureOut, **ERRORS}, tags=["measures"])
@endpoint(Capability.VIEW_AGGREGATES)
def measure_detail(request, period: Query[Period], key: MeasureKey):
    """One measure's table, as its CSV export gives it: counts under 5 hidden (« < 5 ») and
    the others rounded down to a multiple of 5, whoever asks; never a name. The board's
    period is whole months."""
    if key not in dashboard_kinds(request.membership):
        raise Http404
    if period.start and period.end and period.start > period.end:
        raise ApiError(
            422,
            _("The request is not valid; nothing was saved."),
            [{"field": "end", "message": _("The end of the period must come after its start.")}],
        )
    association = request.association
    board = audience_for(ROLE_CAPABILITIES[request.membership.role]).hide_small
    _form, query, panels, _words = panels_for(request, association, [key], EXPORT, months=board)
    panel = panels[0]
    audit_export(request, object_type=f"analytics.{key}", fields=[key, "api"])
    return {
        "key": key,
        "title": str(panel.title),
        "start": query.period.start,
        "end": query.period.end,
        "columns": [str(c) for c in panel.columns],
        "rows": [[_cell(v) for v in row] for row in panel.rows],
        "small_cells_hidden": True,
    }
