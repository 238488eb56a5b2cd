"""A village's points: the list in force, monthly ranking, quarterly awards, charts."""

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from people import access
from places import selectors as place_selectors

from .. import selectors
from ..forms import parse_month, parse_quarter
from ..models import Category
from ._common import VILLAGE_KINDS, head_names

CHART_MONTHS = 12
QUARTER_CHOICES = 8
HISTOGRAM_BINS = 8


def _village_or_404(request, pk):
    scope = access.scope_for(request.user)
    village = get_object_or_404(
        place_selectors.units(scope)
        .filter(kind__in=VILLAGE_KINDS)
        .select_related("township__config"),
        pk=pk,
    )
    return scope, village


def _award_size(village) -> int:
    config = getattr(village.township, "config", None)
    return config.award_size if config is not None else 10


def _awards(scope, village, quarter: str) -> list[dict]:
    """The quarter's top N households (ties share a rank) with a positive total, names masked."""
    size = _award_size(village)
    rows = [
        row
        for row in selectors.ranking(village, *selectors.quarter_bounds(quarter))
        if row["rank"] <= size and row["points"] > 0
    ]
    return _with_names(scope, rows)


def _with_names(scope, rows) -> list[dict]:
    rows = list(rows)
    names = head_names(scope, [row["household_id"] for row in rows])
    for row in rows:
        row["head_name"] = names.get(row["household_id"], "")
    return rows


def _quarter_choices(today) -> list[str]:
    year, q = today.year, (today.month - 1) // 3 + 1
    choices = []
    for _i in range(QUARTER_CHOICES):
        choices.append(f"{year}-Q{q}")
        year, q = (year, q - 1) if q > 1 else (year - 1, 4)
    return choices


def _items_by_category(points_list) -> list[tuple[str, list]]:
    if points_list is None:
        return []
    items = list(points_list.items.all())
    return [
        (label, [item for item in items if item.category == value])
        for value, label in Category.choices
        if any(item.category == value for item in items)
    ]


@login_required
@require_GET
def village(request, pk):
    scope, village = _village_or_404(request, pk)
    today = timezone.localdate()
    month = parse_month(request.GET.get("month")) or today.replace(day=1)
    quarter = parse_quarter(request.GET.get("quarter")) or selectors.quarter_of(today)
    versions = list(selectors.village_lists(village).order_by("-effective_from", "-version"))
    in_force = next((v for v in versions if v.effective_from <= today), None)
    context = {
        "village": village,
        "in_force": in_force,
        "categories": _items_by_category(in_force),
        "other_versions": [v for v in versions if v is not in_force],
        "month": month,
        "ranking": _with_names(scope, selectors.ranking(village, month, month)),
        "quarter": quarter,
        "quarters": _quarter_choices(today),
        "award_size": _award_size(village),
        "awards": _awards(scope, village, quarter),
        "chart_data": _chart_data(village, today.replace(day=1)),
    }
    return render(request, "points/village.html", context)


@login_required
@require_GET
def awards(request, pk):
    """The quarter's award list as a printable A4 page (certificates follow, one per page)."""
    scope, village = _village_or_404(request, pk)
    quarter = parse_quarter(request.GET.get("quarter")) or selectors.quarter_of(
        timezone.localdate()
    )
    context = {
        "village": village,
        "quarter": quarter,
        "year": quarter[:4],
        "quarter_number": quarter[-1],
        "award_size": _award_size(village),
        "awards": _awards(scope, village, quarter),
        "today": timezone.localdate(),
    }
    return render(request, "points/awards.html", context)


# --- Charts --------------------------------------------------------------------------------


def _months_back(last: datetime.date, n: int) -> list[datetime.date]:
    months = [last]
    while len(months) < n:
        months.append((months[-1] - datetime.timedelta(days=1)).replace(day=1))
    return months[::-1]


def _chart_data(village, last_month: datetime.date) -> dict:
    """Series for static/js/points-charts.js: points by category and month, balance histogram."""
    months = _months_back(last_month, CHART_MONTHS)
    index = {month: i for i, month in enumerate(months)}
    labels = dict(Category.choices)
    series: dict[str, list[int]] = {}
    for row in selectors.points_by_category(village, months[0], last_month):
        name = str(labels.get(row["category"], row["category"] or _("Other")))
        series.setdefault(name, [0] * len(months))[index[row["period"]]] += row["points"]
    bins, counts = _histogram(selectors.village_balances(village))
    return {
        "months": [f"{month:%Y-%m}" for month in months],
        "categories": [{"name": name, "data": data} for name, data in series.items()],
        "balances": {"bins": bins, "counts": counts},
        "labels": {
            "categories": _("Points by category and month"),
            "balances": _("Households by balance"),
            "households": _("Households"),
            "points": _("Points"),
        },
    }


def _histogram(values: list[int], bins: int = HISTOGRAM_BINS) -> tuple[list[str], list[int]]:
    """Equal-width bins over [min, max] of the balances, labelled 'low–high'."""
    if not values:
        return [], []
    low, high = min(values), max(values)
    width = max(1, -(-(high - low + 1) // bins))  # ceiling division
    counts = [0] * (-(-(high - low + 1) // width))
    for value in values:
        counts[(value - low) // width] += 1
    labels = [
        f"{low + i * width}" if width == 1 else f"{low + i * width}–{low + (i + 1) * width - 1}"
        for i in range(len(counts))
    ]
    return labels, counts
