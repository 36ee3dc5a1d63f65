"""The dashboard: every measure as a chart, its data table and a CSV download."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from parcours.accounts import visibility
from parcours.accounts.permissions import require
from parcours.accounts.roles import ROLE_CAPABILITIES, Capability
from parcours.analytics import drawn, selectors
from parcours.analytics.cache import Dashboard
from parcours.analytics.forms import FilterForm, default_period, whole_months
from parcours.analytics.measures import MEASURES, Query
from parcours.analytics.panels import DROPOUT_NAMES, PRESENTERS, Labels, vocab_words
from parcours.analytics.privacy import EXPORT, audience_for
from parcours.audit.services import audit_export
from parcours.exports.formats import CSV, FORMATS, Table
from parcours.exports.formats import response as export_response
from parcours.journey.definitions import definition_for, definition_key
from parcours.journey.reasons import current_language

SUPPORT_MEASURES = {"relapse"}


def _query(
    request, association, words, *, months: bool, choices, today
) -> tuple[FilterForm, Query]:
    """The form and the query of the request; ``months``: the period in whole months (the
    board's), shown as such in the form."""
    data = request.GET.copy()
    default = default_period(today)
    for name, day in (("start", default.start), ("end", default.end)):
        if not data.get(name):  # the form shows the period the figures cover
            data[name] = day.isoformat()
    form = FilterForm(data, choices=choices)
    period = form.period()
    if months:
        period = whole_months(period, today)
        if form.is_valid():
            data["start"], data["end"] = period.start.isoformat(), period.end.isoformat()
            form = FilterForm(data, choices=choices)
    form.fields["cohort"].label = _("First “%(intake)s” in") % words
    form.fields["activity"].label = words["Activity"]
    return form, Query(association.pk, period, form.filters())


def _label_ids(results, who) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The households (drop-outs, for staff) and outreach actions the panels name."""
    dropped: set[int] = set()
    if who.names and "funnel" in results:
        for s in results["funnel"].steps:
            dropped.update(s.dropped[:DROPOUT_NAMES])
    action_ids = {a.key for a in results["channels"].actions} if "channels" in results else set()
    return tuple(sorted(dropped)), tuple(sorted(action_ids))


def _labels(association, definition, ids, words) -> Labels:
    from parcours.households.models import Channel

    lang = current_language()
    dropped, action_ids = ids
    return Labels(
        stage=lambda k: definition.stage_label(k, lang),
        status=lambda k: definition.status_label(k, lang),
        channel={str(k): str(v) for k, v in Channel.choices},
        activity=selectors.activity_names(association=association),
        action=selectors.action_names(association=association, ids=action_ids),
        household=selectors.household_names(association=association, ids=dropped),
        order=definition.stage_keys,
        words=words,
        priority=selectors.priority_neighbourhoods(association=association),
    )


def _without_names(ids: tuple) -> tuple:
    """The label ids of ``_label_ids`` with no household: what a drawn page's labels read."""
    return ((), ids[1])


def _fingerprint(labels: Labels) -> str:
    """What of the drawn labels changes without the data stamp (the rest follows the
    definition and the language, in the drawn page's key; the households' names are filled
    in when the page is served)."""
    named = (labels.activity, labels.action, sorted(labels.priority))
    return repr([sorted(n.items()) if isinstance(n, dict) else n for n in named])


def panels_for(request, association, kinds, who, *, months: bool):
    """(form, query, panels, words) of the measures ``kinds`` for the audience ``who``, over
    whole months if ``months``. The measures' inputs and results come from the cache
    (analytics.cache), shared by the page, its exports, the API and the reports; always the
    figures of the current data."""
    board = _Board(request, association, months=months, max_age=0.0)
    return board.form, board.query, board.panels(kinds, who), board.words


class _Board:
    """One page's figures: the data stamp read first (analytics.cache), then the filters'
    form and query; figures at most ``max_age`` seconds older than the data allowed."""

    def __init__(self, request, association, *, months: bool, max_age: float) -> None:
        self.association = association
        self.definition = definition_for(association)
        self.lang = current_language()
        self.words = vocab_words(lambda w: self.definition.vocabulary.word(w, self.lang))
        today = timezone.localdate()
        self.cached = Dashboard(association=association, stage_keys=self.definition.stage_keys,
                                membership=request.membership, today=today,
                                max_age=max_age)  # fmt: skip
        choices = self.cached.filter_choices()
        self.form, self.query = _query(request, association, self.words, months=months,
                                       choices=choices, today=today)  # fmt: skip

    def panels(self, kinds, who) -> list:
        return self.drawn(kinds, who)[0]

    def drawn(self, kinds, who, *, name_marks: bool = False) -> tuple[list, tuple, Labels]:
        """The panels, the ids their labels name and the labels; with ``name_marks``, the
        panels hold marks where the households' names go (analytics.drawn.fill_names)."""
        results = self.cached.results(kinds, self.query)
        ids = _label_ids(results, who)
        if name_marks:  # the names are not read here: fill_names reads them when served
            labels = replace(self.labels(_without_names(ids)), household=drawn.name_marks(ids[0]))
        else:
            labels = self.labels(ids)
        return [PRESENTERS[k](results[k], labels, who) for k in kinds], ids, labels

    def labels(self, ids) -> Labels:
        return _labels(self.association, self.definition, ids, self.words)


def dashboard_kinds(membership) -> list[str]:
    """The measures a member sees: support and relapses only for those who may learn of
    support (for the others the figures would read as "no support", which is not the truth)."""
    hidden = set() if visibility.sees_support(membership) else SUPPORT_MEASURES
    return [k for k in MEASURES if k not in hidden]


@require(Capability.VIEW_AGGREGATES)
def dashboard(request):
    association = request.membership.association
    who = audience_for(ROLE_CAPABILITIES[request.membership.role])
    kinds = dashboard_kinds(request.membership)
    # figures up to ANALYTICS_MAX_AGE seconds old, said on the page (analytics.cache)
    max_age = settings.ANALYTICS_MAX_AGE
    board = _Board(request, association, months=who.hide_small, max_age=max_age)
    query_string = request.GET.copy().urlencode()

    def draw() -> drawn.Drawn:
        panels, ids, labels = board.drawn(kinds, who, name_marks=True)
        context = {"panels": panels, "query_string": query_string}
        return render_to_string("analytics/_panels.html", context), ids, _fingerprint(labels)

    # the panels as drawn, by any worker, for these figures and labels (analytics.drawn)
    page = (board.query, who, tuple(kinds), board.lang, query_string,
            definition_key(association))  # fmt: skip
    panels_html, as_of = drawn.panels_html(
        board.cached,
        page,
        draw,
        lambda ids: _fingerprint(board.labels(_without_names(ids))),
        max_age=max_age,
    )
    names = (
        (lambda ids: selectors.household_names(association=association, ids=ids))
        if who.names
        else None
    )
    panels_html = drawn.fill_names(panels_html, names)
    return render(
        request,
        "analytics/dashboard.html",
        {
            "form": board.form,
            "period": board.query.period,
            "panels_html": mark_safe(panels_html),  # noqa: S308 (our template's output)
            "who": who,
            "lang": board.lang,
            "words": board.words,
            "as_of": datetime.fromtimestamp(as_of, UTC) if as_of is not None else None,
            "max_age": max_age,
        },
    )


@require(Capability.VIEW_AGGREGATES)
def export_csv(request):
    """The numbers of one measure (``?measure=``, the funnel by default) as CSV or XLSX
    (``?format=``), small counts hidden whoever exports them, formulas neutralised, never a
    name; the period line and headers in the user's language (parcours.exports.formats)."""
    kind = request.GET.get("measure", "funnel")
    fmt = request.GET.get("format") or CSV
    if kind not in dashboard_kinds(request.membership) or fmt not in FORMATS:
        raise Http404
    association = request.membership.association
    board = audience_for(ROLE_CAPABILITIES[request.membership.role]).hide_small
    form, query, panels, words = panels_for(request, association, [kind], EXPORT, months=board)
    panel = panels[0]
    audit_export(request, object_type=f"analytics.{kind}", fields=[kind, fmt])
    period = _("Period: %(start)s – %(end)s") % {
        "start": date_format(query.period.start, "SHORT_DATE_FORMAT"),
        "end": date_format(query.period.end, "SHORT_DATE_FORMAT"),
    }
    title = str(panel.title)
    table = Table(title, [title], [[period], list(panel.columns), *panel.rows])
    filename = f"{association.slug}-{kind}-{query.period.start}-{query.period.end}"
    return export_response(table, fmt=fmt, filename=filename)
