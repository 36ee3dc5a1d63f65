"""A double submit of a create form writes one record (parcours.core.submissions)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from parcours.core.models import Submission
from parcours.frontdesk.models import IntakeVisit
from parcours.households.models import Household, Person, Touchpoint
from tests.basis import COVERED

TODAY = timezone.localdate
BASIS = {"purposes": "follow_up", "consent_day": "2026-01-01", "allow_duplicate": "1"}


def _token(client, url) -> str:
    page = client.get(url).content.decode()
    tokens = re.findall(r'name="submission" value="([0-9a-f]{32})"', page)
    assert tokens, url
    return tokens[0]


def _count(model, **filters):
    with scopes_disabled():
        return model.objects.filter(**filters).count()


def test_a_household_sent_twice_is_created_once(world, login):
    client = login(world.user("coordinator"))
    token = _token(client, "/households/new/")
    data = {"name": "Famille Double", "submission": token, **BASIS}
    first = client.post("/households/new/", data)
    second = client.post("/households/new/", data)
    assert first.status_code == 302 and second.status_code == 302
    assert second["Location"] == first["Location"]
    assert _count(Household, name="Famille Double") == 1
    follow = client.get(second["Location"])
    assert "déjà été envoyé" in follow.content.decode()
    # a new rendering of the form is a new submission
    client.post("/households/new/", {"name": "Famille Double", **BASIS, "submission": _token(
        client, "/households/new/")})  # fmt: skip
    assert _count(Household, name="Famille Double") == 2


def test_a_form_sent_back_with_errors_can_be_corrected_and_sent_again(world, login):
    client = login(world.user("coordinator"))
    url = f"/households/{world.household_a.pk}/persons/new/"
    token = _token(client, url)
    r = client.post(
        url, {"first_name": "", "relation": "child", "coverage": COVERED, "submission": token}
    )
    assert "first_name" in r.context["form"].errors
    assert r.status_code == 200 and _count(Submission) == 0
    r = client.post(
        url, {"first_name": "Lina", "relation": "child", "coverage": COVERED, "submission": token}
    )
    assert r.status_code == 302 and _count(Person, first_name="Lina") == 1
    client.post(
        url, {"first_name": "Lina", "relation": "child", "coverage": COVERED, "submission": token}
    )
    assert _count(Person, first_name="Lina") == 1


@pytest.mark.parametrize(
    ("url", "data", "model", "filters"),
    [
        (
            "/frontdesk/welcome-visits/new/?household={pk}",
            {"day": "{yesterday}", "household": "{pk}", "reception": "Accueil"},
            IntakeVisit, {},
        ),
        (
            "/households/{pk}/touchpoints/new/",
            {"day": "{yesterday}", "kind": "info_request"},
            Touchpoint, {"kind": "info_request"},
        ),
    ],
)  # fmt: skip
def test_a_welcome_visit_and_a_touchpoint_sent_twice_count_once(
    world, login, url, data, model, filters
):
    client = login(world.user("coordinator"))
    values = {"pk": world.household_a.pk, "yesterday": (TODAY() - timedelta(days=1)).isoformat()}
    url = url.format(**values)
    data = {k: v.format(**values) for k, v in data.items()}
    token = _token(client, url)
    before = _count(model, **filters)
    for _ in range(3):
        r = client.post(url, {**data, "submission": token})
        assert r.status_code == 302, r.content.decode()[:2000]
    assert _count(model, **filters) == before + 1


def test_a_post_without_token_or_with_a_bad_one_runs_as_before(world, login):
    client = login(world.user("coordinator"))
    for token in ("", "not-a-token", "\u00e9" * 32):
        r = client.post("/households/new/", {"name": "Famille Sans", "submission": token, **BASIS})
        assert r.status_code == 302
    assert _count(Household, name="Famille Sans") == 3
    assert _count(Submission) == 0


def test_the_daily_run_forgets_tokens_older_than_a_day(world):
    from django.core.management import call_command

    old = Submission.objects.create(token="a" * 32, path="/households/new/")
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    recent = Submission.objects.create(token="b" * 32, path="/households/new/")
    call_command("daily", "--no-digests")
    assert list(Submission.objects.values_list("pk", flat=True)) == [recent.pk]
