"""The officials' dashboard and the comparisons (横纵比对) of a unit's score.

The dashboard (VIEW on the township) shows the township's last shown months: the township's
and each village's score, who was on the red and the black list, the threshold cases by kind
and state, and the overdue problems of each village today. A comparison (VIEW on the unit)
puts a unit's score beside its siblings', its own past months and, for a township, the other
townships of the county. Every chart has a table with the same figures; the charts are drawn
by static/assessment/dashboard.js from the page's JSON (the CSP forbids inline scripts).
"""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from places import selectors as place_selectors
from places.models import Unit
from work import access as work_access
from work import selectors as work_selectors
from work.models import Problem

from .. import access, selectors
from ..lists import competition_ranks
from ..models import Case, Ranking, Score
from ._common import first_township, scope_of, scored_unit_or_404, township_or_404

CHART_MONTHS = 12


def _number(value: Decimal | None) -> float | None:
    """A score for the charts (two decimals, as published)."""
    return None if value is None else float(round(value, 2))


# --- Dashboard ------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard_home(request):
    """The dashboard of the user's first township."""
    return redirect("assessment:dashboard", township_id=first_township(request).pk)


def _trend(closes, villages, township) -> tuple[dict, list[dict]]:
    """Per unit (the township first, then its villages) its score in each shown month."""
    index = {close.pk: i for i, close in enumerate(closes)}
    rows = Score.objects.filter(close__in=closes).filter(
        Q(kind=Score.Kind.VILLAGE) | Q(kind=Score.Kind.GRID, depth=1)
    )
    values: dict[tuple[str, int], list] = {}
    for close_id, unit_id, kind, score in rows.values_list("close_id", "unit_id", "kind", "score"):
        values.setdefault((kind, unit_id), [None] * len(closes))[index[close_id]] = score
    empty = [None] * len(closes)
    own = {
        "unit": township,
        "kind": Score.Kind.GRID,
        "scores": values.get((Score.Kind.GRID, township.pk), empty),
    }
    return own, [
        {
            "unit": village,
            "kind": Score.Kind.VILLAGE,
            "scores": values.get((Score.Kind.VILLAGE, village.pk), empty),
        }
        for village in villages
    ]


def _lists(closes, villages) -> list[dict]:
    """Per month (newest first) the villages on the red and on the black list."""
    names = {village.pk: village for village in villages}
    on: dict[int, dict[str, list]] = {close.pk: {"red": [], "black": []} for close in closes}
    rows = (
        Ranking.objects.filter(close__in=closes)
        .exclude(on_list=Ranking.List.NONE)
        .order_by("rank", "unit__path")
        .values_list("close_id", "unit_id", "on_list")
    )
    for close_id, unit_id, on_list in rows:
        if unit_id in names:
            on[close_id][on_list].append(names[unit_id])
    return [{"close": close, **on[close.pk]} for close in reversed(closes)]


def _cases(closes) -> list[dict]:
    """Per month (newest first) the threshold cases by kind and by state."""
    counts: dict[int, dict[str, int]] = {close.pk: {} for close in closes}
    rows = (
        Case.objects.filter(close__in=closes)
        .values_list("close_id", "kind", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for close_id, kind, state, n in rows:
        month = counts[close_id]
        month[kind] = month.get(kind, 0) + n
        month[state] = month.get(state, 0) + n
    return [
        {
            "close": close,
            "kinds": [counts[close.pk].get(kind, 0) for kind in Case.Kind.values],
            "states": [counts[close.pk].get(state, 0) for state in Case.State.values],
        }
        for close in reversed(closes)
    ]


def _overdue(request, township, villages) -> list[dict]:
    """Per village the problems still open or rectifying past their deadline today."""
    powers = work_access.powers_for(request.user)
    counts = dict(
        work_selectors.problems_under(powers, township)
        .filter(state__in=Problem.ACTIVE, deadline__lt=timezone.localdate())
        .values_list("village_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [{"unit": village, "count": counts.get(village.pk, 0)} for village in villages]


@login_required
@require_GET
def dashboard(request, township_id):
    township = township_or_404(request, township_id)
    scope = scope_of(request)
    closes = list(selectors.closes(township).filter(state__in=selectors.SHOWN)[:CHART_MONTHS])
    closes.reverse()  # oldest first, as the charts read
    villages = list(
        place_selectors.units(scope)
        .filter(township=township, kind__in=Unit.VILLAGE_KINDS)
        .order_by("path")
    )
    own, trend = _trend(closes, villages, township)
    lists = _lists(closes, villages)
    cases = _cases(closes)
    overdue = _overdue(request, township, villages)
    months = [f"{close.month:%Y-%m}" for close in closes]
    labels = {
        "red": str(Ranking.List.RED.label),
        "black": str(Ranking.List.BLACK.label),
        "neither": str(Ranking.List.NONE.label),
        "problems": _("Overdue problems"),
    }
    on_list = {}
    for i, month in enumerate(reversed(lists)):
        for village in month["red"]:
            on_list[(i, village.pk)] = 1
        for village in month["black"]:
            on_list[(i, village.pk)] = -1
    data = {
        "months": months,
        "labels": labels,
        "trend": [
            {
                "name": row["unit"].name,
                "data": [_number(s) for s in row["scores"]],
                "own": row is own,
            }
            for row in [own, *trend]
        ],
        "lists": {
            "villages": [village.name for village in villages],
            "cells": [
                [i, v, on_list.get((i, village.pk), 0)]
                for i in range(len(closes))
                for v, village in enumerate(villages)
            ],
        },
        "cases": [
            {"name": str(label), "data": [month["kinds"][k] for month in reversed(cases)]}
            for k, label in enumerate(Case.Kind.labels)
        ],
        "overdue": {
            "villages": [row["unit"].name for row in overdue],
            "counts": [row["count"] for row in overdue],
        },
    }
    for month in cases:
        month["kind_cells"] = list(zip(Case.Kind.labels, month["kinds"], strict=True))
        month["state_cells"] = list(zip(Case.State.labels, month["states"], strict=True))
    today = timezone.localdate()
    context = {
        "township": township,
        "closes": closes,
        "latest": closes[-1] if closes else None,
        "latest_score": own["scores"][-1] if closes else None,
        "trend_rows": [
            {"unit": row["unit"], "cells": list(zip(closes, row["scores"], strict=True))}
            for row in [own, *trend]
        ],
        "lists": lists,
        "cases": cases,
        "case_kinds": Case.Kind.labels,
        "case_states": Case.State.labels,
        "today": today,
        "today_year": today.year,
        "overdue": overdue,
        "overdue_total": sum(row["count"] for row in overdue),
        "can_manage": access.can_manage(scope, township),
        "data": data,
    }
    return render(request, "assessment/dashboard.html", context)


# --- Comparisons ----------------------------------------------------------------------------


def _ranked(rows: list[Score]) -> list[dict]:
    """Scores (highest first) with their place; equal scores share it."""
    places = competition_ranks([row.score for row in rows])
    return [{"score": row, "rank": rank} for row, rank in zip(rows, places, strict=True)]


@login_required
@require_GET
def compare(request, close_id, unit_id):
    """横纵比对: a unit's score in a month beside its siblings', its past months', and for a
    township the county's other townships' (published months only)."""
    close, unit, own = scored_unit_or_404(request, close_id, unit_id)
    township = close.township
    sees_township = access.can_view_township(scope_of(request), township)
    # A month not yet published is for those who close it; below the township only the
    # published months (public anyway) are compared.
    if not close.is_published and not sees_township:
        raise Http404
    kind = own.kind
    is_township = unit.pk == township.pk
    siblings = [] if is_township else _ranked(list(selectors.siblings(close, unit, kind)))
    place = next((row["rank"] for row in siblings if row["score"].unit_id == unit.pk), None)
    history = selectors.history(unit, kind, CHART_MONTHS)
    if not sees_township:
        history = [row for row in history if row.close.is_published]
    county = []
    if is_township and township.parent is not None:
        county = _ranked(list(selectors.townships_of_county(township.parent, close.month)))
    county_place = next((row["rank"] for row in county if row["score"].unit_id == unit.pk), None)
    children = list(selectors.children(close, unit))
    ranking = None
    if kind == Score.Kind.VILLAGE:
        ranking = Ranking.objects.filter(close=close, unit=unit).first()
    data = {
        "labels": {"score": _("Score")},
        "siblings": {
            "names": [row["score"].unit.name for row in siblings],
            "scores": [_number(row["score"].score) for row in siblings],
            "current": [row["score"].unit_id == unit.pk for row in siblings],
        },
        "history": {
            "months": [f"{row.close.month:%Y-%m}" for row in history],
            "scores": [_number(row.score) for row in history],
        },
        "county": {
            "names": [row["score"].unit.name for row in county],
            "scores": [_number(row["score"].score) for row in county],
            "current": [row["score"].unit_id == unit.pk for row in county],
        },
    }
    context = {
        "close": close,
        "township": township,
        "unit": unit,
        "own": own,
        "kind": kind,
        "is_township": is_township,
        "sees_township": sees_township,
        "siblings": siblings,
        "place": place,
        "history_rows": [
            {"score": row, "change": None if i == 0 else row.score - history[i - 1].score}
            for i, row in enumerate(history)
        ],
        "county": county,
        "county_place": county_place,
        "children": children,
        "ranking": ranking,
        "data": data,
    }
    return render(request, "assessment/compare.html", context)


urlpatterns = [
    path("dashboard/", dashboard_home, name="dashboard_home"),
    path("dashboard/<int:township_id>/", dashboard, name="dashboard"),
    path("compare/<int:close_id>/<int:unit_id>/", compare, name="compare"),
]
