"""Switching to the customer vocabulary changes the words on every page that shows a stage, and
leaves every stored span as it was. Both vocabularies are complete in French and English."""

from __future__ import annotations

import tomllib

import pytest
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.engine.definition import journeys_dir, shipped_definition, shipped_vocabularies
from parcours.journey.models import HouseholdJourney, StageSpan, StatusSpan
from parcours.journey.recompute import journey_recompute
from tests.accounts.test_access import EXPECTED, POST_ONLY, SIGN_IN_FLOW, _url, all_routes


def _stage_words(vocabulary: str, language: str = "fr") -> dict[str, str]:
    d = shipped_definition("beneficiary", vocabulary)
    words = {("stage", k): d.stage_label(k, language) for k in d.stage_keys}
    words |= {("status", k): d.status_label(k, language) for k in ("absent", "dormant")}
    return words


def test_both_vocabularies_are_complete_in_french_and_english():
    assert set(shipped_vocabularies()) >= {"beneficiary", "customer"}
    files = {v: tomllib.loads((journeys_dir() / "vocabularies" / f"{v}.toml").read_text())
             for v in ("beneficiary", "customer")}  # fmt: skip
    for data in files.values():
        for section in ("words", "stages", "statuses"):
            assert set(data[section]) == set(files["beneficiary"][section]), section
        assert set(data["words"]["fr"]) == set(data["words"]["en"])
        assert all(
            data["words"][lang][w].strip() for lang in ("fr", "en") for w in data["words"]["fr"]
        )
        for stage in data["stages"].values():
            for lang in ("fr", "en"):
                assert all(
                    stage[lang][f].strip() for f in ("label", "description", "association_does")
                )
        for status in data["statuses"].values():
            assert status["fr"]["label"].strip() and status["en"]["label"].strip()
    for v in ("beneficiary", "customer"):
        shipped_definition("beneficiary", v)  # the loader validates every stage and status


def _rows(model, association):
    """Every stored column but the row id (a recompute may write the same rows anew)."""
    rows = model.objects.filter(association=association).values()
    return sorted(repr(sorted((k, v) for k, v in r.items() if k != "id")) for r in rows)


def _spans(association):
    with scopes_disabled():
        return (
            _rows(StageSpan, association),
            _rows(StatusSpan, association),
            sorted(
                HouseholdJourney.objects.filter(association=association).values_list(
                    "household_id", "audience", "stage", "statuses", "reasons", "valid_until"
                )
            ),
        )


def _pages(world, client):
    """Every page an administrator may open (GET), as text."""
    pages = {}
    for name in sorted(EXPECTED):
        if name in POST_ONLY or name in SIGN_IN_FLOW or name.startswith(("guides:", "set_")):
            continue
        if "<" in str(all_routes()[name].pattern) and not any(
            k in str(all_routes()[name].pattern) for k in ("<int:pk>",)
        ):
            continue  # pages about other objects than the household show no stage of it
        response = client.get(_url(name, world, role=Role.ADMIN))
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            pages[name] = response.content.decode()
    return pages


@pytest.mark.parametrize("language", ["fr"])
def test_customer_vocabulary_changes_every_stage_page_and_no_span(world, client, language):
    journey_recompute(association=world.a)
    before = _spans(world.a)
    client.force_login(world.user(Role.ADMIN))
    client.cookies["django_language"] = language
    beneficiary, customer = (
        _stage_words("beneficiary", language),
        _stage_words("customer", language),
    )
    differing = {k for k in beneficiary if beneficiary[k] != customer[k]}
    assert len(differing) >= 5
    old = _pages(world, client)
    stage_pages = {
        name for name, text in old.items()
        if any(f">{beneficiary[k]}<" in text or f" {beneficiary[k]}<" in text for k in differing)
    }  # fmt: skip
    # the pages that show a household's stage or the stages
    assert {"households:detail", "analytics:dashboard", "worklists:board"} <= stage_pages

    response = client.post(
        "/settings/",
        {"name": world.a.name, "default_language": "fr", "vocabulary": "customer",
         "time_zone": world.a.time_zone},
    )  # fmt: skip
    assert response.status_code == 302
    new = _pages(world, client)
    for name in stage_pages:
        shown = [k for k in differing if f">{beneficiary[k]}<" in old[name]]
        for k in shown:
            assert f">{beneficiary[k]}<" not in new[name], (name, beneficiary[k])
            assert customer[k] in new[name], (name, customer[k])
    # the stored journeys did not move, before and after a full recompute
    assert _spans(world.a) == before
    journey_recompute(association=world.a)
    assert _spans(world.a) == before
