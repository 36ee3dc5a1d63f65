"""Task titles and reasons as a coordinator says them, in French and English (issue 12, item
10): "À l’étape Acquisition depuis 20 jours", "Absente depuis le …", never a rule's key nor a
label in quotes. Rendered on the task pages from tasks the engine made for built households."""

from __future__ import annotations

import html
import re

import pytest
import time_machine

from parcours.accounts.roles import Role
from parcours.worklists.models import Task
from tests.worklists.test_services import TODAY, _activity, _household, _tp


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY


def text(client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    page = client.get(url).content.decode()
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.django_db
def test_a_first_activity_task_says_how_long_the_family_has_waited(world, today, client):
    h = _household(world, "Famille Accueillie")
    _tp(h, 20, "intake_visit")
    task = Task.objects.get(household=h, rule="first_activity")
    client.force_login(world.user(Role.COORDINATOR))
    fr = text(client, f"/tasks/{task.pk}/", "fr")
    assert "Proposer une première activité, avec un parrain" in fr
    assert "À l’étape Acquisition depuis 20 jours (le 10 février 2026)." in fr
    en = text(client, f"/tasks/{task.pk}/", "en")
    assert "Propose a first activity, with a sponsor" in en
    assert "At the Acquisition stage for 20 days (since Feb. 10, 2026)." in en
    for words in (fr, en):
        assert "first_activity" not in words and "“" not in words and "«" not in words


@pytest.mark.django_db
def test_a_task_about_an_absent_family_says_since_when(world, today, client):
    h = _household(world, "Famille Partie")
    _tp(h, 50, "attendance", activity=_activity(world))
    task = Task.objects.get(household=h, rule="find_absent")
    client.force_login(world.user(Role.COORDINATOR))
    fr = text(client, f"/tasks/{task.pk}/", "fr")
    assert "Aller chercher la famille absente" in fr
    assert "Absente depuis le 25 février 2026." in fr
    en = text(client, f"/tasks/{task.pk}/", "en")
    assert "Go and find the absent family" in en and "Absent since Feb. 25, 2026." in en


def test_task_titles_are_words_of_the_journeys_vocabulary():
    """The titles come from the vocabulary files: the customer journey says "customer"."""
    from django.utils import translation

    from parcours.engine.definition import shipped_definition
    from parcours.worklists.reasons import title

    family = shipped_definition("beneficiary", "beneficiary")
    customer = shipped_definition("beneficiary", "customer")
    with translation.override("en"):
        assert title("lapse_soon", family) == "Encourage the family to come back"
        assert title("lapse_soon", customer) == "Encourage the customer to come back"
        assert title("retention_review", customer) == "Decide whether to keep the record active"
    with translation.override("fr"):
        assert title("find_absent", family) == "Aller chercher la famille absente"
        assert title("find_absent", customer) == "Recontacter le client absent"
    for definition in (family, customer):
        for rule in definition.tasks:  # every rule has its title in every language
            for lang in ("fr", "en"):
                words = definition.task_title(rule.key, lang)
                assert words and rule.key not in words
                if definition is customer:
                    assert "famil" not in words.lower()
