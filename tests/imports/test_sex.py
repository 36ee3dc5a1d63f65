"""An optional sex column: read in the usual writings, "not stated" when empty, an unknown
value refused naming its line and the accepted ones (nothing written)."""

from __future__ import annotations

from django_scopes import scopes_disabled

from parcours.households.models import Person
from parcours.imports import services
from tests.imports.conftest import BASIS

ROWS = [
    "Foyer;Prénom;Sexe",
    "Famille Diallo;Awa;F",
    "Famille Diallo;Moussa;Homme",
    "Famille Diallo;Sam;",
    "Famille Roux;Léa;féminin",
]


def test_a_sex_column_is_imported_and_empty_cells_stay_not_stated(association, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("\n".join(ROWS) + "\n", encoding="utf-8")
    with scopes_disabled():
        _layout, plan = services.read_plan(path)
        assert plan.mapping == ["household", "first_name", "sex"]
        assert plan.ok, plan.problems
        services.import_commit(
            actor=None, association=association, plan=plan, decisions={}, lawful_basis=BASIS
        )
        got = dict(Person.objects.filter(association=association).values_list("first_name", "sex"))
    assert got == {"Awa": "female", "Moussa": "male", "Sam": "not_stated", "Léa": "female"}


def test_an_unknown_sex_is_refused_with_its_line(association, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("\n".join([*ROWS, "Famille Roux;Tom;peut-être"]) + "\n", encoding="utf-8")
    with scopes_disabled():
        _layout, plan = services.read_plan(path)
    assert not plan.ok
    [problem] = plan.problems
    assert (problem.line, problem.column, problem.value) == (6, "Sexe", "peut-être")
    assert "Femme" in problem.reason and "Non renseigné" in problem.reason
