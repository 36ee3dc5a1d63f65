"""The dashboard and its CSV through HTTP: roles, privacy, languages, filters, query count."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from parcours.accounts.roles import Role
from parcours.exports.formats import neutralise
from tests.basis import BASIS
from tests.journal import log_touchpoint

URL = "/analytics/"
PERIOD = "?start=2026-01-01&end=2026-06-30"


@pytest.fixture
def many(world):
    """Six more households of association A that came to the welcome visit, so some counts
    reach 5; one of them named with a formula."""
    from datetime import date

    from django_scopes import scopes_disabled

    from parcours.households import services

    coordinator = world.user(Role.COORDINATOR)
    with scopes_disabled():
        for i in range(6):
            name = "=HYPERLINK(1)" if i == 0 else f"Famille Test{i}"
            h = services.household_create(
                actor=coordinator, association=world.a, name=name, neighbourhood="Le Centre",
                heard_from="peer", lawful_basis=BASIS,
            )  # fmt: skip
            log_touchpoint(
                actor=coordinator, household=h, day=date(2026, 2, 2), kind="intake_visit"
            )
    return world


def test_board_sees_small_counts_hidden_and_no_names(many, client):
    client.force_login(many.user(Role.BOARD))
    response = client.get(URL + PERIOD)
    assert response.status_code == 200
    body = response.content.decode()
    assert "&lt; 5" in body
    assert "Famille Martin" not in body and "Famille Test1" not in body
    assert "households/" not in body.split("<main", 1)[1]  # no link to a household page
    # the six welcome visits make a count of 6, shown rounded down to a multiple of 5
    assert "<td>5</td>" in body and "<td>6</td>" not in body


def test_staff_see_the_households_behind_the_bars(many, client):
    client.force_login(many.user(Role.COORDINATOR))
    body = client.get(URL + PERIOD).content.decode()
    assert "Famille Martin" in body and "Famille Test1" in body
    assert f'href="/households/{many.household_a.pk}/"' in body


def test_volunteers_and_peer_families_are_refused(world, client):
    for role in (Role.VOLUNTEER, Role.PEER_FAMILY):
        client.force_login(world.user(role))
        assert client.get(URL).status_code == 403
        assert client.get(URL + "export/").status_code == 403


def test_french_by_default_and_english_on_request(world, client):
    client.force_login(world.user(Role.BOARD))
    fr = client.get(URL).content.decode()
    assert "Tableau de bord" in fr and "Découverte" in fr
    assert 'src="/static/vendor/echarts/i18n/langFR.js"' in fr
    client.cookies["django_language"] = "en"
    en = client.get(URL).content.decode()
    assert "Dashboard" in en and "Discovery" in en


def test_filters_change_the_figures_and_bad_dates_are_named(many, client):
    client.force_login(many.user(Role.COORDINATOR))
    everyone = client.get(URL + PERIOD).context["panels"][0].rows[0][1]
    centre = client.get(URL + PERIOD + "&neighbourhood=Le+Centre").context["panels"][0].rows[0][1]
    assert (everyone, centre) == (7, 6)
    response = client.get(URL + "?start=2026-05-01&end=2026-01-01")
    assert response.status_code == 200
    assert response.context["form"].errors["end"]


def test_csv_hides_small_counts_for_everyone_and_neutralises_formulas(many, client):
    client.force_login(many.user(Role.COORDINATOR))
    response = client.get(URL + "export/" + PERIOD + "&measure=funnel")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[2][0] == "Étape"
    by_stage = {r[0]: r for r in rows[3:]}
    assert by_stage["Sensibilisation"][1] == "5"  # 7, rounded down to a multiple of 5
    assert by_stage["Découverte"][1] == "< 5"
    assert "Famille Test" not in text and "Famille Martin" not in text
    assert "HYPERLINK" not in text
    assert client.get(URL + "export/?measure=nope").status_code == 404


def test_every_measure_exports(many, client):
    from parcours.analytics.measures import MEASURES

    client.force_login(many.user(Role.SOCIAL_WORKER))
    for kind in MEASURES:
        assert client.get(URL + "export/" + PERIOD + f"&measure={kind}").status_code == 200
    client.force_login(many.user(Role.BOARD))  # support and relapses: not for the board
    for kind in MEASURES:
        status = client.get(URL + "export/" + PERIOD + f"&measure={kind}").status_code
        assert status == (404 if kind == "relapse" else 200), kind


@pytest.mark.parametrize("cell", ["=1+1", "+33 6", "-2", "@SUM(A1)"])
def test_neutralise_prefixes_formula_cells(cell):
    assert neutralise(cell) == "'" + cell
    assert neutralise("Famille") == "Famille" and neutralise(5) == "5"


def test_dashboard_query_count_does_not_grow_with_households(
    many, client, django_assert_max_num_queries
):
    client.force_login(many.user(Role.COORDINATOR))
    client.get(URL)  # warm the session
    # + 5: persons, sessions held, present marks, members unticked (attendance per person),
    # committee seats (engagement)
    with django_assert_max_num_queries(21):
        assert client.get(URL + PERIOD).status_code == 200
    # + 2: the association's neighbourhood list (priority flags) and its settings
    with django_assert_max_num_queries(19):
        assert client.get(reverse("analytics:export") + PERIOD).status_code == 200


def test_nav_link_for_aggregate_roles_only(world, client):
    client.force_login(world.user(Role.BOARD))
    assert 'href="/analytics/"' in client.get("/").content.decode()
    client.force_login(world.user(Role.VOLUNTEER))
    assert 'href="/analytics/"' not in client.get("/").content.decode()


def test_the_customer_vocabulary_gives_the_same_figures_in_its_words(many, client):
    from django_scopes import scopes_disabled

    client.force_login(many.user(Role.COORDINATOR))
    beneficiary = client.get(URL + PERIOD).context["panels"]
    with scopes_disabled():
        many.a.vocabulary = "customer"
        many.a.save()
    response = client.get(URL + PERIOD)
    body = response.content.decode()
    assert "Notoriété" in body and "clients" in body
    assert "Sensibilisation" not in body and "familles" not in body.split("<main", 1)[1]
    customer = response.context["panels"]
    numbers = {"funnel": 1, "entry_points": 1, "time_in_stage": 1, "cohorts": 1}
    for a, b in zip(beneficiary, customer, strict=True):
        if a.kind in numbers:
            assert a.rows, a.kind
            n = numbers[a.kind]
            assert [r[n:] for r in a.rows] == [r[n:] for r in b.rows], a.kind


def test_long_dropout_lists_are_cut_with_a_note(many, client, monkeypatch):
    from parcours.analytics import panels_journey, views

    monkeypatch.setattr(panels_journey, "DROPOUT_NAMES", 2)
    monkeypatch.setattr(views, "DROPOUT_NAMES", 2)
    client.force_login(many.user(Role.COORDINATOR))
    body = client.get(URL + PERIOD).content.decode()
    assert "The first 2 of 6 are listed" in body or "Les 2 premiers sur 6" in body
