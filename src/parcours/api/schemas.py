"""What the API answers: one schema per resource, a page of each (access.paged)."""

from datetime import date, datetime

from ninja import Field, Schema

from parcours.api.access import paged


class HouseholdOut(Schema):
    id: int
    name: str
    neighbourhood: str
    address: str
    phone: str
    languages: list[str]
    composition: str
    heard_from: str
    needs: str | None = Field(description="only for roles that see sensitive data, else null")
    created_at: datetime
    stage: str | None = Field(description="current stage key, as this role may learn it")
    stage_label: str | None
    statuses: list[str]


class PersonOut(Schema):
    id: int
    household_id: int
    first_name: str
    last_name: str
    birth_year: int | None
    relation: str
    is_contact: bool


class TouchpointOut(Schema):
    id: int
    household_id: int
    day: date
    kind: str
    kind_label: str
    activity_id: int | None
    note: str | None = Field(description="only for roles that see sensitive data, else null")


class StageSpanOut(Schema):
    id: int
    household_id: int
    stage: str
    stage_label: str
    start: date
    end: date | None = Field(description="first day out of the stage; null: current")
    predicted_end: date | None
    regression: bool
    skipped: list[str]
    sentence: str
    reasons: list[str]
    reason_codes: list[str]


class PlacementOut(Schema):
    """A household's placement after a touchpoint: its stage and why."""

    touchpoint_id: int
    household_id: int
    stage: str | None
    stage_label: str | None
    sentence: str | None
    reasons: list[str]
    statuses: list[str]
    predicted_end: date | None


class ActivityOut(Schema):
    id: int
    name: str
    category: str
    description: str
    place: str


class SessionOut(Schema):
    id: int
    activity_id: int
    day: date
    start_time: str
    end_time: str | None
    place: str
    cancelled: bool


class AttendanceOut(Schema):
    id: int
    session_id: int
    household_id: int
    status: str
    absent_person_ids: list[int]


class TaskOut(Schema):
    id: int
    household_id: int
    rule: str
    stage: str
    state: str
    since: date
    due: date
    assignee_kind: str
    assignee_user_id: int | None
    assignee_household_id: int | None
    snoozed_until: date | None


class MeasureRef(Schema):
    key: str
    title: str


class MeasureOut(Schema):
    key: str
    title: str
    start: date
    end: date
    columns: list[str]
    rows: list[list[str | int | float | None]]
    small_cells_hidden: bool = Field(description="counts under 5 are shown as « < 5 »")


HouseholdPage = paged(HouseholdOut)
PersonPage = paged(PersonOut)
TouchpointPage = paged(TouchpointOut)
StageSpanPage = paged(StageSpanOut)
ActivityPage = paged(ActivityOut)
SessionPage = paged(SessionOut)
AttendancePage = paged(AttendanceOut)
TaskPage = paged(TaskOut)
