from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from parcours.audit.models import AuditEvent
from parcours.households.models import Touchpoint
from parcours.support import services
from parcours.support.models import FollowUp, SupportCase

TODAY = timezone.localdate


@pytest.fixture
def ctx(world):
    with scope(association=[world.a.pk]):
        yield world


def _open(world, days_ago=10, **kw):
    return services.support_case_open(
        actor=world.user("social_worker"), household=world.household_a,
        opened_on=TODAY() - timedelta(days=days_ago), reason="Perte d'emploi", **kw,
    )  # fmt: skip


def test_open_writes_support_opened_with_case_ref(ctx):
    case = _open(ctx)
    tp = case.opened_touchpoint
    assert (tp.kind, tp.ref, tp.day, tp.household) == (
        "support_opened", case.pk, case.opened_on, ctx.household_a,
    )  # fmt: skip
    assert tp.note == ""  # the reason stays in the case, never copied to the timeline
    event = AuditEvent.objects.get(object_type="support.supportcase")
    assert "reason" in event.fields and "emploi" not in str(event.fields)


def test_second_open_case_is_refused(ctx):
    _open(ctx)
    with pytest.raises(ValidationError):
        _open(ctx, days_ago=1)
    assert SupportCase.objects.count() == 1
    assert Touchpoint.objects.filter(kind="support_opened").count() == 1


def test_followup_and_next_review(ctx):
    case = _open(ctx)
    review = TODAY() + timedelta(days=14)
    services.support_followup_add(
        actor=None, case=case, day=TODAY(), note="Appel", next_review=review
    )
    case.refresh_from_db()
    assert case.next_review == review
    assert not Touchpoint.objects.filter(kind="support_closed").exists()


@pytest.mark.parametrize(
    "day,field",
    [(lambda: TODAY() + timedelta(days=1), "day"), (lambda: TODAY() - timedelta(days=30), "day")],
)
def test_followup_day_is_checked(ctx, day, field):
    case = _open(ctx)
    with pytest.raises(ValidationError) as exc:
        services.support_followup_add(actor=None, case=case, day=day(), note="x")
    assert field in exc.value.error_dict
    assert not FollowUp.objects.exists()


def test_close_writes_support_closed_and_updates_the_case(ctx):
    case = _open(ctx)
    closed = services.support_case_close(
        actor=None, case=case, closed_on=TODAY(), outcome="resolved", outcome_note="Emploi"
    )
    assert (closed.closed_on, closed.outcome) == (TODAY(), "resolved")
    tp = closed.closed_touchpoint
    assert (tp.kind, tp.ref, tp.day) == ("support_closed", case.pk, TODAY())
    # a closed case can be followed by a new one
    assert _open(ctx, days_ago=0).pk != case.pk


@pytest.mark.parametrize(
    "closed_on,outcome,field",
    [
        (lambda: TODAY() + timedelta(days=1), "resolved", "closed_on"),
        (lambda: TODAY() - timedelta(days=11), "resolved", "closed_on"),
        (lambda: TODAY(), "nonsense", "outcome"),
    ],
)
def test_bad_close_stores_nothing(ctx, closed_on, outcome, field):
    case = _open(ctx)
    with pytest.raises(ValidationError) as exc:
        services.support_case_close(actor=None, case=case, closed_on=closed_on(), outcome=outcome)
    assert field in exc.value.error_dict
    case.refresh_from_db()
    assert case.closed_on is None and case.outcome == ""
    assert not Touchpoint.objects.filter(kind="support_closed").exists()


def test_close_cannot_precede_the_last_followup(ctx):
    case = _open(ctx)
    services.support_followup_add(actor=None, case=case, day=TODAY() - timedelta(days=2), note="x")
    with pytest.raises(ValidationError) as exc:
        services.support_case_close(
            actor=None, case=case, closed_on=TODAY() - timedelta(days=5), outcome="resolved"
        )
    assert "closed_on" in exc.value.error_dict


def test_closing_twice_is_refused(ctx):
    case = _open(ctx)
    services.support_case_close(actor=None, case=case, closed_on=TODAY(), outcome="other")
    with pytest.raises(ValidationError):
        services.support_case_close(actor=None, case=case, closed_on=TODAY(), outcome="other")
    assert Touchpoint.objects.filter(kind="support_closed").count() == 1
