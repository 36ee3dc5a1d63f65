"""Acceptance: the federation's page and CSV show no name, and no hidden cell can be recovered.

Names: every household of the member associations carries a marker in its name and address;
the viewer's page (every period) and CSV are searched for them, for household ids and for the
names of people.

Small cells: the attacker sees, for three member associations, the households at each stage
with each association's total and the federation's totals (per stage and overall), and the
entries and their progression for four nested periods ending on the same day (so differences
of periods are in), per association and for the federation. Each shown count is a sum of
*atoms* (households alike in everything the page splits them by: association and stage; or
association, period block they entered in and furthest stage reached). It solves the linear
programme for each hidden cell (tests/analytics/test_small_cells.Attack, scipy's HiGHS); a
hidden cell is *determined* when no other whole value fits. None may be. The same attack on
plain suppression (small counts hidden, the others exact) determines some: the attack has teeth.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import translation
from django_scopes import scopes_disabled

from parcours.analytics.privacy import BOARD, HIDDEN
from parcours.federation import dashboard, figures
from parcours.journey.definitions import definition_for
from tests.analytics.test_small_cells import Attack, Unrounded
from tests.federation.spans import plant_journeys

pytestmark = pytest.mark.django_db

END = date(2026, 6, 30)
MONTHS = (3, 6, 12, 24)  # nested, same end
PLAIN = Unrounded(hide_small=True, names=False)


@pytest.fixture
def planted(network, world):
    from parcours.accounts.models import Association
    from parcours.federation import services

    with scopes_disabled():
        c = Association.objects.create(name="Association C", slug="c")
        services.associations_add(federation=network.federation, slugs=["c"])
        keys = tuple(definition_for(world.a).stage_keys)
        households = []
        for assoc, n, seed in ((world.a, 160, 1), (world.b, 70, 2), (c, 25, 3)):
            households += plant_journeys(assoc, n, seed=seed, end=END, stage_keys=keys)
    return network, [world.a, world.b, c], keys, households


def test_the_page_and_csv_show_no_name_nor_id(planted, client, world):
    network, associations, keys, households = planted
    client.force_login(network.viewer)
    bodies = []
    for months in MONTHS:
        for url in ("/federation/", "/federation/export.csv"):
            r = client.get(f"{url}?months={months}&until={END}")
            assert r.status_code == 200
            bodies.append(r.content.decode())
    page = bodies[0]
    assert all(a.name in page for a in associations)  # comparing associations is the point
    assert re.search(r"<td>\d+</td>", page) and HIDDEN.replace("<", "&lt;") in page
    markers = re.compile(r"qzname|famille martin|durand|amina|tilleuls|rue ", re.I)
    for body in bodies:
        assert not markers.search(body), markers.search(body).group(0)
        assert "/households/" not in body
    # no link to anything of a household (nor an id in a data attribute): only the site's own
    links = re.findall(r'(?:href|action)="([^"]*)"', page)
    assert links and all(re.match(r"^(/static/|/federation/|/$|#|data:|/logout/|/i18n/)", u)
                         for u in links), links  # fmt: skip
    assert not re.search(r"data-[\w-]+=", page)


def _distribution_attack(who, network, associations, keys) -> Attack:
    attack = Attack(who)
    first, last = dashboard.period(END, 12)
    truth = figures.compute([a.pk for a in associations], first=first, last=last, stage_keys=keys)
    shown = _shown(who, network, 12)
    atom = {(a.pk, k): attack.var() for a in associations for k in keys}
    for i, a in enumerate(associations):
        row = shown[i]
        for j, k in enumerate(keys):
            attack.cell([atom[a.pk, k]], row.stages[j], truth[a.pk].stages[k], f"{a.slug} {k}")
        real = sum(truth[a.pk].stages.values())
        attack.cell([atom[a.pk, k] for k in keys], row.total, real, f"{a.slug} total")
    total = shown[-1]
    for j, k in enumerate(keys):
        real = sum(truth[a.pk].stages[k] for a in associations)
        attack.cell([atom[a.pk, k] for a in associations], total.stages[j], real, f"all {k}")
    real = sum(sum(truth[a.pk].stages.values()) for a in associations)
    attack.cell(list(atom.values()), total.total, real, "all total")
    return attack


def _shown(who, network, months) -> list[dashboard.Row]:
    """The rows the viewer reads (the page's own for the board's rules; for plain suppression,
    the same figures shown exactly)."""
    with translation.override("fr"):
        page = dashboard.build(network.federation, last=END, months=months, lang="fr")
    if who is BOARD:
        return page.rows
    first, last = page.first, page.last
    with scopes_disabled():
        ids = [a.pk for a in network.federation.associations.order_by("name", "id")]
        truth = figures.compute(ids, first=first, last=last, stage_keys=page.stage_keys)
    rows = [truth[a] for a in ids]
    rows.append(dashboard.federation_total(rows, page.stage_keys))
    saved = dashboard.WHO
    dashboard.WHO = who
    try:
        return [dashboard._row("", f, page.stage_keys) for f in rows]
    finally:
        dashboard.WHO = saved


def _funnel_attack(who, network, associations, keys) -> Attack:
    """Atoms (association, entry block, furthest stage): block b = entered in the b-th of the
    nested periods and not in a shorter one."""
    attack = Attack(who)
    k_n = len(keys)
    atom = {
        (a.pk, b, r): attack.var()
        for a in associations
        for b in range(len(MONTHS))
        for r in range(k_n)
    }
    ids = [a.pk for a in associations]
    for w, months in enumerate(MONTHS):
        first, last = dashboard.period(END, months)
        truth = figures.compute(ids, first=first, last=last, stage_keys=keys)
        shown = _shown(who, network, months)
        blocks = range(w + 1)
        for i, a in enumerate(associations + [None]):
            row = shown[i]
            mine = ids if a is None else [a.pk]
            label = "all" if a is None else a.slug
            entries = sum(truth[x].entries for x in mine)
            cells = [atom[x, b, r] for x in mine for b in blocks for r in range(k_n)]
            attack.cell(cells, row.entries, entries, f"{label} {months}m entries")
            for k in range(k_n):
                real = sum(truth[x].reached[k] for x in mine)
                cells = [atom[x, b, r] for x in mine for b in blocks for r in range(k, k_n)]
                attack.cell(cells, row.reached[k], real, f"{label} {months}m reached {k}")
    return attack


ATTACKS = {"distribution": _distribution_attack, "funnel": _funnel_attack}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_plain_suppression_would_give_cells_away(planted, name):
    network, associations, keys, _ = planted
    with scopes_disabled():
        attack = ATTACKS[name](PLAIN, network, associations, keys)
    found = attack.determined()
    assert [x for x in found if 1 <= x[1] <= 4], found


@pytest.mark.parametrize("name", list(ATTACKS))
def test_no_hidden_federation_cell_can_be_recovered(planted, name, capsys):
    network, associations, keys, _ = planted
    with scopes_disabled():
        attack = ATTACKS[name](BOARD, network, associations, keys)
    assert len(attack.hidden) >= 15 and attack.shown_cells >= 20  # not a vacuous test
    found = attack.determined()
    with capsys.disabled():
        print(f"\nfederation {name}: {len(attack.hidden)} hidden cells, "
              f"{attack.shown_cells} shown, {len(found)} determined")  # fmt: skip
    assert found == []
