"""QuickSelect draws what Django's Select draws (the same elements, attributes, escaping)."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from parcours.core.widgets import QuickSelect

CHOICES = [
    ("", "Tous"),
    ("1", "A & <b>"),
    (2, 'B "q"'),
    ("Groupe <i>", [("3", "x"), ("4", "y")]),
]


@pytest.mark.parametrize("value", ["", "1", 2, "4", "absent", None])
def test_quick_select_draws_the_same_html_as_django(value):
    attrs = {"aria-describedby": "help", "required": True, "disabled": False}
    django = forms.Select(choices=CHOICES, attrs=attrs).render("who", value, {"id": "id_who"})
    quick = QuickSelect(choices=CHOICES, attrs=attrs).render("who", value, {"id": "id_who"})
    assert parse_html(quick) == parse_html(django)
    assert "&lt;b&gt;" in quick and "<b>" not in quick


def test_a_form_field_with_quick_select_keeps_its_choice():
    class F(forms.Form):
        who = forms.ChoiceField(choices=CHOICES[:3], widget=QuickSelect)

    html = str(F({"who": "2"})["who"])
    assert '<option value="2" selected>' in html and html.count("selected") == 1
