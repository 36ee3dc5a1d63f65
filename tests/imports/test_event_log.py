"""An event log (XES or CSV) and its TOML mapping into a customer-journey association: the
reader, the mapping's refusals, the command (all or nothing, errors by line), and the journey,
worklists, dashboard and process map running on the imported log."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from parcours.accounts.models import Membership
from parcours.households.models import Household, Touchpoint
from parcours.imports.logplan import MappingRefused, read_mapping
from parcours.imports.logreading import LogRefused, read_csv, read_log, read_xes
from parcours.journey.models import HouseholdJourney, StageSpan

LOGS = Path(__file__).with_name("logs")
XES, CSV, MAPPING = LOGS / "onboarding.xes", LOGS / "onboarding.csv", LOGS / "onboarding.toml"
EVENTS, CASES, IGNORED = 62, 14, 6  # the fixture log ("Relance automatique" is ignored)


@pytest.fixture
def customers(association):
    association.vocabulary = "customer"
    association.save()
    return association


def _rows(events):
    return [(e.case, e.activity, e.timestamp) for e in events]


# --- reading --------------------------------------------------------------------------------


def test_xes_and_csv_of_the_same_log_read_the_same():
    xes, csv = _rows(read_xes(XES)), _rows(read_csv(CSV))
    assert xes == csv and len(xes) == EVENTS and len({c for c, _a, _t in xes}) == CASES
    assert _rows(read_log(XES)) == xes and _rows(read_log(CSV)) == csv
    assert xes[0][2].utcoffset().total_seconds() == 3600  # the offset is kept
    assert Counter(a for _c, a, _t in xes)["Relance automatique"] == IGNORED


def test_the_fixture_is_xes_that_pm4py_reads_alike():
    pm4py = pytest.importorskip("pm4py")
    frame = pm4py.read_xes(str(XES))
    assert len(frame) == EVENTS and frame["case:concept:name"].nunique() == CASES


def test_xes_line_numbers_and_nested_attributes(tmp_path):
    path = tmp_path / "log.xes"
    path.write_text(
        '<log xmlns="http://www.xes-standard.org/">\n<trace>\n'
        '<string key="concept:name" value="A&amp;B"/>\n'
        "<event>\n"
        '<string key="note" value="x"><string key="concept:name" value="nested"/></string>\n'
        '<string key="concept:name" value="Start"/>\n'
        '<date key="time:timestamp" value="2026-01-02T03:04:05Z"/>\n'
        "</event>\n"
        '<event><string key="concept:name" value="End"/></event>\n'
        "</trace>\n</log>\n",
        encoding="utf-8",
    )
    events = read_xes(path)
    first = next(events)
    assert (first.line, first.case, first.activity) == (4, "A&B", "Start")
    assert first.timestamp.tzinfo is not None
    with pytest.raises(LogRefused) as refused:
        next(events)
    assert (refused.value.line, refused.value.field) == (9, "time:timestamp")
    assert "n’a pas d’horodatage" in str(refused.value) or "timestamp" in str(refused.value)


def test_broken_xml_and_bad_csv_name_their_line(tmp_path):
    bad = tmp_path / "bad.xes"
    bad.write_text("<log>\n<trace>\n<event>\n</trace>\n</log>\n", encoding="utf-8")
    with pytest.raises(LogRefused) as refused:
        list(read_xes(bad))
    assert refused.value.line == 4 and refused.value.field == "XES"
    csv = tmp_path / "bad.csv"
    csv.write_text("case,activity,timestamp\nC1,Start,2026-01-02\nC1,End,31/02/2026\n")
    with pytest.raises(LogRefused) as refused:
        list(read_csv(csv))
    assert (refused.value.line, refused.value.field) == (3, "timestamp")
    missing = tmp_path / "missing.csv"
    missing.write_text("case,what,when\nC1,Start,2026-01-02\n")
    with pytest.raises(LogRefused, match="activity"):
        list(read_csv(missing))


# --- the mapping ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, where",
    [
        ('[activities]\n"A" = "support_opened"\n', "[activities] “A”"),  # owned by support
        ('[activities]\n"A" = { kind = "attendance" }\n', "[activities] “A”"),  # no activity
        ('[activities]\n"A" = "communication"\n[log]\nhousehold = "Client"\n', "[log] household"),
        ("[activities]\n", "[activities]"),
        ('[activites]\n"A" = "communication"\n', "[activites]"),
        ("[activities\n", "TOML"),
    ],
)
def test_a_bad_mapping_says_where_and_why(tmp_path, text, where):
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingRefused) as refused:
        read_mapping(path)
    assert refused.value.where == where
    assert str(refused.value).startswith("Fichier de correspondance")


def test_the_fixture_mapping():
    mapping = read_mapping(MAPPING)
    assert mapping.name("C-1001") == "Client C-1001"
    assert mapping.activities["Session de formation"].activity == "Formation"
    assert "Relance automatique" in mapping.ignore


# --- the command ----------------------------------------------------------------------------


def _import(path, **options):
    call_command("import_log", str(path), mapping=str(MAPPING), association="port", **options)


def test_an_unknown_activity_is_refused_by_line_and_nothing_is_written(customers, tmp_path, capsys):
    text = CSV.read_text("utf-8").replace("Démo planifiée", "Démo annulée", 1)
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "Démo annulée" in row)
    with pytest.raises(CommandError, match="1 erreur"):
        _import(path)
    out = capsys.readouterr().out
    assert f"ligne {line}, activity « Démo annulée » : cette activité n’est pas" in out
    with scopes_disabled():
        assert not Household.objects.filter(association=customers).exists()


def test_a_beneficiary_association_takes_no_event_log(association):
    with pytest.raises(CommandError, match="vocabulaire client"):
        _import(XES)


def test_dry_run_then_import_computes_stages_with_reasons(customers, capsys):
    _import(XES, dry_run=True)
    assert "nothing written" in capsys.readouterr().out
    with scopes_disabled():
        assert not Household.objects.filter(association=customers).exists()
    _import(XES)
    with scopes_disabled():
        households = Household.objects.filter(association=customers)
        assert households.count() == CASES
        assert households.filter(name="Client C-1001").exists()
        kinds = Counter(
            Touchpoint.objects.filter(association=customers).values_list("kind", flat=True)
        )
        assert sum(kinds.values()) == EVENTS - IGNORED
        assert kinds["appointment_booked"] and kinds["communication"] and kinds["attendance"]
        # every household has a stage, each stage span its reasons
        journeys = HouseholdJourney.objects.filter(association=customers)
        assert {j.household_id for j in journeys} == set(households.values_list("pk", flat=True))
        spans = StageSpan.objects.filter(association=customers)
        assert spans.exists() and all(s.reasons for s in spans)
        assert len({j.stage for j in journeys}) >= 3  # the flows end at different stages
    # again: every case is a known household, and the command refuses to guess
    with pytest.raises(CommandError, match="known households"):
        _import(CSV)


def test_the_pages_run_on_the_imported_log(customers, client):
    _import(CSV)
    user = get_user_model().objects.create_user("coord-port", password="x")
    Membership.objects.create(user=user, association=customers, role="coordinator")
    client.force_login(user)
    with scopes_disabled():
        household = Household.objects.get(association=customers, name="Client C-1001")
    dashboard = client.get(reverse("analytics:dashboard"))
    assert dashboard.status_code == 200
    html = dashboard.content.decode()
    assert "Formation" in html  # the imported activity is counted
    # the process map's moves and paths, in the customer vocabulary's stages
    assert "Notoriété → Recherche" in html or "Notoriété → Sélection" in html
    for name, args in (
        ("households:detail", [household.pk]),
        ("households:list", []),
        ("worklists:board", []),
    ):
        assert client.get(reverse(name, args=args)).status_code == 200, name


def test_parcours_import_log_on_the_command_line(customers, capsys):
    from parcours.cli import main

    args = ["import-log", str(CSV), "--mapping", str(MAPPING), "--association", "port"]
    assert main([*args, "--dry-run"]) == 0
    assert f"{EVENTS} events, {CASES} cases, {IGNORED} ignored" in capsys.readouterr().out
    assert main(args) == 0
    with scopes_disabled():
        assert Household.objects.filter(association=customers).count() == CASES
