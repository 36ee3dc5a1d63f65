"""The shared input checks: characters, lengths, dates and numbers, with the field named."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from parcours.core import inputs
from parcours.core.forms import GuardedForm
from parcours.households.models import Household, Person


class Sample(GuardedForm):
    name = forms.CharField(label="Nom", max_length=200)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)
    day = forms.DateField(label="Jour", required=False)
    count = forms.IntegerField(label="Nombre", required=False)


def _errors(data, language="fr"):
    with translation.override(language):
        form = Sample(data)
        form.is_valid()
        return {k: [str(e) for e in v] for k, v in form.errors.items()}


@pytest.mark.parametrize(
    ("value", "multiline", "bad"),
    [
        ("Famille Martin", False, None),
        ("Famille Mar\u200btin", False, "\u200b"),
        ("Famille\u202eMartin", False, "\u202e"),
        ("Ab\x00cd", True, "\x00"),
        ("bell\x07", True, "\x07"),
        ("deux\nlignes", True, None),
        ("deux\nlignes", False, "\n"),
        ("\u0645\u0647\u200c\u0633\u0627", False, None),  # a joiner after a non-Latin letter
        ("Mar\u200dtin", False, "\u200d"),
        ("famille 👨\u200d👩\u200d👧", False, None),
    ],
)
def test_bad_characters(value, multiline, bad):
    assert inputs.bad_character(value, multiline=multiline) == bad


def test_text_errors_name_the_field_in_french_and_english():
    assert _errors({"name": "Mar\u200btin"}) == {
        "name": ["Nom : retirez un caractère invisible (U+200B), il ne peut pas être enregistré."]
    }
    assert _errors({"name": "Mar\u200btin"}, "en") == {
        "name": ["Nom: remove an invisible character (U+200B), it cannot be saved."]
    }
    too_long = _errors({"name": "Martin", "note": "x" * 1_000_000})["note"][0]
    assert too_long.startswith("Note : 10 000 caractères au plus")
    assert _errors({"name": "a" * 201}, "en")["name"]  # the field's own limit still holds


def test_missing_fields_and_wrong_types_name_the_field():
    assert _errors({}) == {"name": ["Nom : ce champ est obligatoire."]}
    assert _errors({}, "en") == {"name": ["Nom: this field is required."]}
    errors = _errors({"name": "Martin", "day": "demain", "count": "trois"}, "en")
    assert errors == {
        "day": ["Jour: enter a valid date (day/month/year)."],
        "count": ["Nombre: enter a whole number."],
    }


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "9999-12-31"])
def test_implausible_dates_are_refused(day):
    assert list(_errors({"name": "Martin", "day": day})) == ["day"]
    message = _errors({"name": "Martin", "day": day}, "en")["day"][0]
    assert message.startswith("Jour: enter a date between 01/01/1900 and 12/31/")


def test_numbers_fit_the_database():
    assert list(_errors({"name": "Martin", "count": str(2**63)})) == ["count"]
    assert _errors({"name": "Martin", "count": str(2**63 - 1), "day": "1900-01-01"}) == {}


def test_day_param_reads_a_plausible_day_or_says_why_not():
    today = timezone.localdate()
    assert inputs.day_param({"day": "2026-03-02"}, "day", label="Jour", default=today) == (
        date(2026, 3, 2), None,
    )  # fmt: skip
    for raw in ("9999-12-31", "0001-01-01", "hier"):
        day, problem = inputs.day_param({"day": raw}, "day", label="Jour", default=today)
        assert day == today and problem.startswith("Jour")


def test_the_request_guard_answers_400_naming_the_parameter(world, login):
    client = login(world.user("coordinator"))
    r = client.get("/households/?q=Mar%00tin")
    assert r.status_code == 400
    assert "Termes de recherche : retirez un octet NUL" in r.content.decode()
    client.cookies["django_language"] = "en"
    r = client.get("/households/?q=Mar%00tin")
    assert "Search terms: remove a NUL byte" in r.content.decode()
    r = client.get("/households/?q=" + "x" * 600)
    assert r.status_code == 400 and "at most 500 characters" in r.content.decode()
    with scopes_disabled():
        before = Household.objects.count()
    r = client.post("/households/new/", {"name": "Mar\x00tin"})
    assert r.status_code == 400 and "name: remove a NUL byte" in r.content.decode()
    with scopes_disabled():
        assert Household.objects.count() == before


def test_an_empty_post_reports_missing_fields_and_writes_nothing(world, login):
    client = login(world.user("social_worker"))
    with scopes_disabled():
        before = Household.objects.count(), Person.objects.count()
    for url in (
        "/households/new/",
        f"/households/{world.household_a.pk}/persons/new/",
        "/support/new/",
        "/community/referrals/new/",
        f"/support/new/?household={world.household_a.pk}",
    ):
        r = client.post(url, {})
        assert r.status_code == 200, url
        body = r.content.decode()
        assert "obligatoire" in body or "hoisissez d’abord la famille" in body, url
    with scopes_disabled():
        assert (Household.objects.count(), Person.objects.count()) == before


def test_a_household_name_with_an_invisible_character_is_refused(world, login):
    client = login(world.user("coordinator"))
    r = client.post("/households/new/", {"name": "Famille Mar\u200btin"})
    assert r.status_code == 200
    assert r.context["form"].errors["name"][0].startswith("Nom : retirez un caractère invisible")
    with scopes_disabled():
        assert not Household.objects.filter(name__contains="Mar").exclude(pk=world.household_a.pk)


def test_bad_dates_in_a_service_form_are_refused_before_the_service(world, login):
    client = login(world.user("social_worker"))
    for day in ("0001-01-01", "9999-12-31"):
        r = client.post(
            f"/support/new/?household={world.household_a.pk}",
            {"opened_on": day, "reason": "Logement", "household": world.household_a.pk},
        )
        assert r.status_code == 200
        assert "opened_on" in r.context["form"].errors
    assert client.get("/activities/today/?day=9999-12-31").status_code == 200
    assert client.get("/activities/today/?day=0001-01-01").status_code == 200


def test_validation_error_is_a_plain_validation_error():
    with pytest.raises(ValidationError):
        inputs.check_text("a\x00", label="x", multiline=True)


def test_an_id_no_integer_can_hold_is_not_a_choice(world, login):
    client = login(world.user("coordinator"))
    r = client.post(
        "/outreach/new/",
        {"day": "2026-01-02", "place": "Marché", "channel": "street_stand",
         "team": "99999999999999999999"},
    )  # fmt: skip
    assert r.status_code == 200
    assert "choisissez l’une des valeurs proposées" in r.context["form"].errors["team"][0]
