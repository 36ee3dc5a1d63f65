"""Item 5 of issue 11: dates in French forms, the community panel's links, "Sessions" in
French, and no "famille Famille X"."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django import forms
from django.utils import translation
from django_scopes import scopes_disabled

from parcours.accounts.roles import Role
from parcours.core.forms import GuardedForm


class _FormValues(HTMLParser):
    """The values a browser would post back, per POST form of the page."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self.values: list[tuple[str, str]] = []
        self.in_form = False
        self.select = None
        self.selected = False
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.in_form, self.values = True, []
        if not self.in_form:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button"):
                return
            self.values.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self.select, self.selected = a.get("name"), False
        elif tag == "option" and self.select and "selected" in a:
            self.values.append((self.select, a.get("value", "")))
            self.selected = True
        elif tag == "textarea":
            self.textarea = a.get("name")
            self.values.append((self.textarea, ""))

    def handle_data(self, data):
        if self.textarea:
            name, value = self.values[-1]
            self.values[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.in_form:
            self.in_form = False
            self.forms.append(self.values)


def form_values(html: str) -> dict[str, list[str]]:
    """The fields of the page's main form (the POST form with the most fields)."""
    parser = _FormValues()
    parser.feed(html)
    out: dict[str, list[str]] = {}
    for name, value in max(parser.forms, key=len):
        out.setdefault(name, []).append(value.strip("\n"))
    return out


@pytest.fixture
def french(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


class _AnyDate(GuardedForm):
    day = forms.DateField(label="Jour")  # Django's default widget: a text DateInput


def test_every_guarded_date_input_is_an_iso_date_field():
    with translation.override("fr"):
        html = str(_AnyDate(initial={"day": date(2026, 11, 30)})["day"])
    assert 'type="date"' in html
    assert 'value="2026-11-30"' in html  # what <input type="date"> shows; not "30/11/2026"


def test_household_saved_unchanged_in_french(world, french):
    french.force_login(world.user(Role.COORDINATOR))
    url = f"/households/{world.household_a.pk}/edit/"
    page = french.get(url)
    assert "Enregistrer" in page.content.decode() or page.status_code == 200
    response = french.post(url, form_values(page.content.decode()))
    assert response.status_code == 302, response.content.decode()[:3000]


def test_consent_page_forms_show_iso_dates_in_french(world, french):
    french.force_login(world.user(Role.COORDINATOR))
    page = french.get("/households/new/").content.decode()
    consent = re.search(r'<input[^>]*name="consent_day"[^>]*>', page).group(0)
    assert 'type="date"' in consent and re.search(r'value="\d{4}-\d\d-\d\d"', consent)


def test_household_created_in_french_with_the_proposed_consent_date(world, french):
    french.force_login(world.user(Role.COORDINATOR))
    values = form_values(french.get("/households/new/").content.decode())
    values.update(name=["Famille Nouvelle"], neighbourhood=["Les Tilleuls"], purposes=["follow_up"])
    response = french.post("/households/new/", values)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_every_community_link_names_the_household_and_opens(world, client):
    client.force_login(world.user(Role.COORDINATOR))
    pk = world.household_a.pk
    page = client.get(f"/households/{pk}/").content.decode()
    links = re.findall(r'href="(/community/[^"]*\?household=[^"]*)"', page)
    assert len(links) == 6, links
    assert all(link.endswith(f"?household={pk}") for link in links), links
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_attendance_sheet_says_seances_in_french(world, french):
    from parcours.activities.models import Session

    french.force_login(world.user(Role.COORDINATOR))
    with scopes_disabled():
        session = Session.objects.create(
            association=world.a, activity=world.touchpoint_a.activity, day=date(2026, 1, 5),
            start_time="14:00",
        )  # fmt: skip
    page = french.get(f"/activities/sessions/{session.pk}/").content.decode()
    assert "Sessions" not in page
    assert "Séances" in page


def test_peer_family_home_names_the_household_once(world, french):
    french.force_login(world.user(Role.PEER_FAMILY))
    page = french.get("/").content.decode()
    assert "Famille Martin" in page
    assert "famille Famille" not in page.replace("\n", " ")
