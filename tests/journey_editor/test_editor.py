"""The journey editor: thresholds edited in the browser, validated as the loader does, previewed
on the households, saved as versions with their recomputation, and rolled back exactly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.html import escape
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.audit.models import AuditEvent
from parcours.background.models import BackgroundJob
from parcours.engine import DefinitionError
from parcours.journey.definitions import definition_for, definition_from_rules
from parcours.journey.models import HouseholdJourney, StageSpan, StatusSpan
from parcours.journey_editor import rules as journey_rules
from parcours.journey_editor.models import JourneyVersion
from parcours.journey_editor.services import journey_version_restore, shipped_rules
from tests.journal import log_touchpoint

USAGE_COUNT = "stages-5-condition-conditions-0-min_count"
USAGE_WINDOW = "stages-5-condition-conditions-0-window_days"


@pytest.fixture
def regular(world):
    """Famille Martin of association A: three times at the Café des parents these 40 days."""
    today = timezone.localdate()
    with scopes_disabled():
        activity = world.touchpoint_a.activity
        for days in (40, 25, 10):
            log_touchpoint(
                household=world.household_a,
                day=today - timedelta(days=days),
                kind="attendance",
                activity=activity,
            )
    return world.household_a


def _stage(household) -> str:
    with scopes_disabled():
        return HouseholdJourney.objects.get(household=household, audience="all").stage


def _form(rules=None, **changes) -> dict:
    rules = rules or shipped_rules("beneficiary")
    data = {p.name: str(p.value) for p in journey_rules.parameters(rules)}
    data.update(changes)
    return data


def _spans(association):
    with scopes_disabled():
        return (
            [
                tuple(v for k, v in row.items() if k != "id")
                for row in StageSpan.objects.filter(association=association)
                .order_by("household_id", "audience", "start")
                .values()
            ],
            [
                tuple(v for k, v in row.items() if k != "id")
                for row in StatusSpan.objects.filter(association=association)
                .order_by("household_id", "audience", "status", "start")
                .values()
            ],
        )


def test_the_editor_shows_every_threshold_and_window_with_its_value(world, client):
    client.force_login(world.user(Role.COORDINATOR))
    html = client.get("/journey/rules/").content.decode()
    for p in journey_rules.parameters(shipped_rules("beneficiary")):
        assert f'name="{p.name}" value="{p.value}"' in html
    assert "Utilisation" in html and "au moins (nombre)" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_preview_then_save_then_the_households_stage_and_reason_change(world, regular, client):
    assert _stage(regular) == "usage"
    client.force_login(world.user(Role.COORDINATOR))
    preview = client.post("/journey/rules/", _form(**{USAGE_COUNT: "4", "action": "preview"}))
    html = preview.content.decode()
    assert "1 foyer sur 1 changerait d’étape." in html or "1 foyer sur 1 changerait" in html
    assert "Famille Martin" in html and 'name="previewed"' in html
    with scopes_disabled():
        assert not JourneyVersion.objects.exists()  # a preview writes nothing
    fingerprint = html.split('name="previewed" value="')[1].split('"')[0]
    saved = client.post(
        "/journey/rules/",
        _form(**{USAGE_COUNT: "4", "action": "save", "previewed": fingerprint,
                 "why": "Quatre présences pour l'utilisation"}),
    )  # fmt: skip
    with scopes_disabled():
        versions = list(JourneyVersion.objects.filter(association=world.a).order_by("number"))
        assert [(v.number, v.origin) for v in versions] == [(1, "shipped"), (2, "edited")]
        v2 = versions[1]
        assert saved.status_code == 302 and saved["Location"] == f"/journey/rules/versions/{v2.pk}/"
        assert v2.actor == world.user(Role.COORDINATOR) and v2.why.startswith("Quatre")
        assert v2.rules["stages"][5]["condition"]["conditions"][0]["min_count"] == 4
        job = BackgroundJob.objects.get(kind="journey_recompute")
        assert (job.state, job.done, job.total) == ("done", 1, 1) and v2.recompute_job == job
        assert AuditEvent.objects.filter(
            action="create", object_type__icontains="journeyversion", object_id=v2.pk
        ).exists()
        journey = HouseholdJourney.objects.get(household=regular, audience="all")
        assert journey.stage == "discovery"
        assert journey.definition_version == v2.definition_version
    assert definition_for(world.a).version == v2.definition_version
    page = client.get(f"/journey/rules/versions/{v2.pk}/").content.decode()
    assert 'data-job-state="done"' in page and "3 → <strong>4</strong>" in page


def test_save_needs_a_preview_of_the_same_values(world, regular, client):
    client.force_login(world.user(Role.COORDINATOR))
    response = client.post(
        "/journey/rules/", _form(**{USAGE_COUNT: "4", "action": "save", "why": "x"})
    )
    assert response.status_code == 200 and "Aperçu" in response.content.decode()
    with scopes_disabled():
        assert not JourneyVersion.objects.exists()


@pytest.mark.parametrize(
    ("typed", "path", "reason"),
    [
        ("0", "stages[5].condition.conditions[0].window_days", "doit être un entier >= 1, reçu 0"),
        ("soixante", "stages[5].condition.conditions[0].window_days",
         "doit être un entier >= 1, reçu 'soixante'"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("action", ["preview", "save"])
def test_an_invalid_edit_is_refused_with_the_loaders_french_message(
    world, regular, client, typed, path, reason, action
):
    before = _spans(world.a)
    client.force_login(world.user(Role.COORDINATOR))
    data = _form(**{USAGE_WINDOW: typed, "action": action, "why": "essai", "previewed": "x"})
    html = client.post("/journey/rules/", data).content.decode()
    message = f"beneficiary.toml : {path} : {reason}"
    assert escape(message) in html
    # the same message as the loader's, word for word in English
    edited = journey_rules.with_values(
        shipped_rules("beneficiary"), {path: int(typed) if typed.isdigit() else typed}
    )
    with pytest.raises(DefinitionError) as loader:
        definition_from_rules("beneficiary", edited, "beneficiary")
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        english = client.post("/journey/rules/", data).content.decode()
    assert escape(str(loader.value)) in english
    with scopes_disabled():
        assert not JourneyVersion.objects.exists()
        assert not BackgroundJob.objects.exists()
    assert _spans(world.a) == before


def test_a_task_rule_is_validated_as_the_loader_does(world, client):
    client.force_login(world.user(Role.COORDINATOR))
    data = _form(**{"tasks-0-due_days": "-1", "action": "preview"})
    html = client.post("/journey/rules/", data).content.decode()
    assert "beneficiary.toml : tasks[0].due_days : doit être un entier &gt;= 0, reçu -1" in html


def test_without_a_reason_nothing_is_saved(world, regular, client):
    client.force_login(world.user(Role.COORDINATOR))
    rules = journey_rules.with_values(
        shipped_rules("beneficiary"), {"stages[5].condition.conditions[0].min_count": 4}
    )
    data = _form(**{USAGE_COUNT: "4", "action": "save", "why": "  "})
    data["previewed"] = journey_rules.fingerprint(rules)
    html = client.post("/journey/rules/", data).content.decode()
    assert "Pourquoi : écrivez pourquoi les règles changent." in html
    with scopes_disabled():
        assert not JourneyVersion.objects.exists()


def test_restoring_the_previous_version_restores_the_previous_stored_spans_exactly(world, regular):
    from parcours.journey.recompute import journey_recompute
    from parcours.journey_editor.services import journey_version_save

    with scopes_disabled():
        journey_recompute(association=world.a)
        before = _spans(world.a)
        rules = journey_rules.with_values(
            shipped_rules("beneficiary"),
            {
                "stages[5].condition.conditions[0].min_count": 4,
                "statuses[0].condition.window_days": 20,
            },
        )
        v2, _job = journey_version_save(
            actor=world.user(Role.COORDINATOR), association=world.a, rules=rules, why="essai"
        )
        assert _spans(world.a) != before
        v1 = JourneyVersion.objects.get(association=world.a, number=1)
        v3, job = journey_version_restore(actor=world.user(Role.ADMIN), version=v1, why="retour")
        assert (v3.number, v3.origin, v3.restored_from, v3.rules) == (3, "restored", v1, v1.rules)
        assert job.state == "done"
    assert _spans(world.a) == before
    assert definition_for(world.a).version == v1.definition_version


def test_only_an_administrator_restores_and_it_is_audited(world, client):
    from tests.journey_editor.factories import version

    v1 = version(world, "a")
    client.force_login(world.user(Role.COORDINATOR))
    assert client.post(f"/journey/rules/versions/{v1.pk}/restore/", {"why": "x"}).status_code == 403
    client.force_login(world.user(Role.ADMIN))
    page = client.get(f"/journey/rules/versions/{v1.pk}/").content.decode()
    assert "Restaurer cette version" in page
    response = client.post(f"/journey/rules/versions/{v1.pk}/restore/", {"why": "retour"})
    with scopes_disabled():
        v3 = JourneyVersion.objects.get(association=world.a, number=3)
        assert response["Location"] == f"/journey/rules/versions/{v3.pk}/"
        assert AuditEvent.objects.filter(object_id=v3.pk, action="create").exists()
    versions = client.get("/journey/rules/versions/").content.decode()
    assert versions.count("/journey/rules/versions/") >= 3 and "retour" in versions


def test_another_associations_versions_stay_its_own(world, client):
    from tests.journey_editor.factories import version

    v1_b = version(world, "b")
    assert definition_for(world.a).version == definition_for(world.a).version
    with scopes_disabled():
        assert JourneyVersion.objects.filter(association=world.a).count() == 0
    client.force_login(world.user(Role.ADMIN))
    assert client.get(f"/journey/rules/versions/{v1_b.pk}/").status_code == 404
    assert (
        client.post(f"/journey/rules/versions/{v1_b.pk}/restore/", {"why": "x"}).status_code == 404
    )


def test_a_version_id_handed_out_again_never_serves_the_rules_cached_under_it(world):
    """A database may give a new version the id of one that is gone (SQLite reuses the highest
    rowid after a rollback): the cached definition follows the rules, not the id alone."""
    from parcours.journey import definitions

    def _save(pk: int, count: int) -> JourneyVersion:
        rules = shipped_rules("beneficiary")
        rules["stages"][5]["condition"]["conditions"][0]["min_count"] = count
        definition = definition_from_rules(world.a.journey, rules, world.a.vocabulary)
        return JourneyVersion.objects.create(
            pk=pk, association=world.a, number=2, journey=world.a.journey, rules=rules,
            definition_version=definition.version, origin="edited",
        )  # fmt: skip

    def _usage_count() -> int:
        definitions.forget_current_versions()
        usage = next(s for s in definition_for(world.a).stages if s.key == "usage")
        return usage.condition.conditions[0].min_count

    with scopes_disabled():
        first = _save(pk=9001, count=4)
        assert _usage_count() == 4
        first.delete()
        _save(pk=9001, count=6)
        assert _usage_count() == 6
