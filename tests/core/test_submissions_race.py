"""Two submits of one form at the same instant, each on its own connection: one record."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django_scopes import scopes_disabled

from parcours.households.models import Household


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submits_of_one_form_write_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("two connections writing at once: PostgreSQL (SQLite serialises writers)")
    user = world.user("coordinator")
    first = Client()
    first.force_login(user)
    page = first.get("/households/new/").content.decode()
    token = re.search(r'name="submission" value="([0-9a-f]{32})"', page).group(1)
    data = {"name": "Famille Simultanée", "submission": token, "purposes": "follow_up",
            "consent_day": "2026-01-01"}  # fmt: skip
    start = threading.Barrier(4)
    answers: list = []

    def submit():
        client = Client()
        client.force_login(user)
        start.wait()
        try:
            answers.append(client.post("/households/new/", data).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert answers == [302] * 4
    with scopes_disabled():
        assert Household.objects.filter(name="Famille Simultanée").count() == 1
