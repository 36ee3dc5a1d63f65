"""The search-as-you-type household picker: homonyms told apart, the reader's visibility
respected (no support data for a volunteer, never another association), indexed search."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from parcours.accounts.roles import Role
from parcours.directory import search
from parcours.households import services as hs
from parcours.support import services as support
from tests.basis import BASIS, COVERED

PICKER = "/households/picker/?field=household&box=id_household"


@pytest.fixture
def barres(world):
    """Three "Famille Barre" in Moulins, told apart by address and members."""
    made = []
    with scope(association=[world.a.pk]):
        for address, first in (("3 rue Roubaix", "Awa"), ("12 rue Solférino", "Kevin"),
                               ("40 boulevard de Belfort", "Yasmine")):  # fmt: skip
            h = hs.household_create(actor=None, association=world.a, lawful_basis=BASIS,
                                    name="Famille Barre", neighbourhood="Moulins",
                                    address=address, allow_duplicate=True)  # fmt: skip
            hs.person_add(actor=None, household=h, first_name=first, relation="reference",
                          lawful_basis=COVERED)  # fmt: skip
            made.append(h)
        support.support_case_open(
            actor=None, household=made[1], opened_on=made[1].created_at.date(), reason="Expulsion"
        )
    world.barres = made
    return world


def _options(html: str) -> list[str]:
    return re.findall(r'<label class="picker-option">(.*?)</label>', html, re.S)


def test_homonyms_are_told_apart(barres, client):
    client.force_login(barres.user(Role.COORDINATOR))
    html = client.get(PICKER + "&household_search=barre").content.decode()
    options = _options(html)
    assert len(options) == 3
    for address, first in (("3 rue Roubaix", "Awa"), ("12 rue Solférino", "Kevin"),
                           ("40 boulevard de Belfort", "Yasmine")):  # fmt: skip
        assert sum(address in o and first in o and "Moulins" in o for o in options) == 1
    assert 'type="radio" name="household"' in html


@pytest.mark.parametrize(
    "query,expected",
    [
        ("bar", 3),  # a prefix of the name
        ("BARRÉ", 3),  # case and accents ignored
        ("famille barre", 3),  # the "Famille" prefix is not a word to match
        ("barre solf", 1),  # name and street
        ("moul kev", 1),  # neighbourhood and a member's first name
        ("barre durand", 0),
        ("b", 0),  # too short to search
    ],
)
def test_search_matches_word_prefixes(barres, client, query, expected):
    client.force_login(barres.user(Role.VOLUNTEER))
    html = client.get(PICKER, {"household_search": query}).content.decode()
    assert len(_options(html)) == expected


def test_volunteer_picker_reveals_no_support_data(barres, client):
    """The household with a support case answers the volunteer as the two without one."""
    client.force_login(barres.user(Role.VOLUNTEER))
    html = client.get(PICKER + "&household_search=barre").content.decode()
    options = _options(html)
    assert len(options) == 3
    masks = ["3 rue Roubaix", "12 rue Solférino", "40 boulevard de Belfort", "Awa", "Kevin",
             "Yasmine", *(str(h.pk) for h in barres.barres)]  # fmt: skip
    shapes = set()
    for option in options:
        for mask in masks:
            option = option.replace(mask, "X")
        shapes.add(option)
    assert len(shapes) == 1, shapes
    for word in ("Expulsion", "accompagnement", "support", "Logement"):
        assert word not in html


def test_another_associations_households_never_appear(world, client):
    client.force_login(world.user(Role.COORDINATOR))
    html = client.get(PICKER + "&household_search=durand").content.decode()
    assert _options(html) == []
    client.force_login(world.user(Role.COORDINATOR, "b"))
    html = client.get(PICKER + "&household_search=durand").content.decode()
    assert len(_options(html)) == 1
    html = client.get(PICKER + f"&household_search=martin&household={world.household_a.pk}")
    assert "Martin" not in html.content.decode()  # even when asked for as the chosen one


def test_archived_and_excluded_households_leave_the_picker(barres, client):
    from parcours.directory.services import household_archive

    with scope(association=[barres.a.pk]):
        household_archive(actor=None, household=barres.barres[0])
    client.force_login(barres.user(Role.COORDINATOR))
    url = PICKER + f"&exclude={barres.barres[1].pk}&household_search=barre"
    options = _options(client.get(url).content.decode())
    assert len(options) == 1 and "Yasmine" in options[0]


def test_chosen_household_stays_first_and_checked(barres, client):
    client.force_login(barres.user(Role.COORDINATOR))
    chosen = barres.barres[2]
    html = client.get(PICKER + f"&household_search=zzz&household={chosen.pk}").content.decode()
    options = _options(html)
    assert len(options) == 1 and "checked" in options[0] and "Yasmine" in options[0]


def test_index_follows_edits(barres):
    with scope(association=[barres.a.pk]):
        h = barres.barres[0]
        hs.household_update(actor=None, household=h, name="Famille Lemaire")
        assert list(search.matching(h.__class__.objects.all(), "lemai")) == [h]
        assert h not in search.matching(h.__class__.objects.all(), "barre")


def test_search_uses_the_word_index(barres):
    with scope(association=[barres.a.pk]), CaptureQueriesContext(connection) as queries:
        from parcours.households.models import Household

        list(search.matching(Household.objects.all(), "barre moul")[:10])
    sql = queries.captured_queries[-1]["sql"]
    assert """U0."word" >= 'barre'""" in sql and """U0."word" < 'barrf'""" in sql
    assert "LIKE" not in sql.upper()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " ".join(str(row) for row in cursor.fetchall())
        assert "directory_word_prefix" in plan, plan


@pytest.mark.parametrize(
    "prefix,upper", [("bar", "bas"), ("az", "b"), ("a9", "aa"), ("zz", None), ("b", "c")]
)
def test_upper_bound_of_a_prefix(prefix, upper):
    assert search._upper_bound(prefix) == upper


def test_picker_in_a_form_replaces_the_dropdown(barres, client):
    """The sponsorship form: a search box and no <select> listing every family."""
    client.force_login(barres.user(Role.COORDINATOR))
    html = client.get(f"/community/sponsorships/new/?household={barres.household_a.pk}")
    html = html.content.decode()
    assert 'name="sponsor_household_search"' in html
    assert "<select" not in html.split('name="sponsor_household_search"')[1].split("</fieldset>")[0]
    assert "Barre" not in html  # nothing listed before typing


def test_search_words_are_written_for_existing_households(world):
    with scopes_disabled():
        from parcours.directory.models import SearchWord

        words = set(SearchWord.objects.filter(household=world.household_a).values_list(
            "word", flat=True))  # fmt: skip
    assert {"martin", "tilleuls", "amina"} <= words


def test_reindex_command_rebuilds_the_words(world):
    from django.core.management import call_command

    from parcours.directory.models import SearchWord

    with scopes_disabled():
        SearchWord.objects.all().delete()
    call_command("directory_reindex", stdout=io.StringIO())
    with scopes_disabled():
        assert SearchWord.objects.filter(household=world.household_a, word="martin").exists()


def test_an_erased_member_is_no_longer_found(world):
    from parcours.households.models import Household
    from parcours.privacy.services import person_erase

    with scope(association=[world.a.pk]):
        assert world.household_a in search.matching(Household.objects.all(), "amina")
        person_erase(actor=None, person=world.person_a, reason="Demande de la personne")
        assert world.household_a not in search.matching(Household.objects.all(), "amina")


@pytest.mark.parametrize("query", ["barre", "bar moul", "moul kev", "rue", "zz", "barre solf"])
def test_broad_and_narrow_plans_give_the_same_answers(barres, monkeypatch, query):
    """A broad word is searched by walking the households in name order (EXISTS), a narrow one
    from the word index (IN): the same households either way."""
    from parcours.households.models import Household

    with scope(association=[barres.a.pk]):
        narrow = list(search.matching(Household.objects.all(), query).order_by("name", "id"))
        monkeypatch.setattr(search, "BROAD", 0)
        broad_qs = search.matching(Household.objects.all(), query).order_by("name", "id")
        assert "EXISTS" in str(broad_qs.query) or not narrow  # (a word nobody has: IN)
        assert list(broad_qs) == narrow
