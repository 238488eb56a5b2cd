"""The statistics officials report: figures per unit and period, each down to its records,
month-by-month charts and an Excel export."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.excel import export_rows, xlsx_response

from .. import access, selectors
from ..forms import PeriodForm
from ._common import scope_of, visible_unit

DRILL_PAGE = 50


def _unit_and_period(request):
    """(scope, unit, start, end): the unit given (404 unless visible) or the user's top unit
    (403 when the user sees no unit at all)."""
    scope = scope_of(request)
    form = PeriodForm(request.GET)
    start, end = form.period()
    pk = request.GET.get("unit")
    unit = visible_unit(scope, pk) if pk else access.top_unit(scope)
    if unit is None:
        raise PermissionDenied
    return scope, unit, start, end


def _query(unit, start, end, **extra) -> str:
    return urlencode({"unit": unit.pk, "start": start.isoformat(), "end": end.isoformat(), **extra})


def _grievance_url(unit, start, end, key) -> str | None:
    try:
        base = reverse("grievances:list")
    except NoReverseMatch:
        return None
    return f"{base}?{_query(unit, start, end, figure=key)}"


def build_report(scope, unit, start, end) -> dict:
    """The report as the page and the export show it: groups of (key, label, value, url)."""
    values = selectors.figures(scope, unit, start, end)
    figure_url = reverse("activities:figure")
    groups = {key: [] for key in selectors.GROUPS}
    for figure in selectors.FIGURES:
        url = f"{figure_url}?{_query(unit, start, end, figure=figure.key)}"
        groups[figure.group].append((figure.key, figure.label, values[figure.key], url))
    funding = selectors.budget_figures(scope, unit, start, end)
    funding_url = reverse("activities:funding")
    groups["funding"][:0] = [
        (
            "funding_budget",
            _("Budget of the period's years (yuan)"),
            funding["funding_budget"],
            funding_url,
        ),
        (
            "funding_remaining",
            _("Remaining at the end of the period (yuan)"),
            funding["funding_remaining"],
            funding_url,
        ),
    ]
    species = [
        (
            row["species"],
            row["total"],
            f"{figure_url}?"
            + _query(unit, start, end, figure="output_trees", species=row["species"]),
        )
        for row in selectors.trees_by_species(scope, unit, start, end)
    ]
    grievances = selectors.grievance_figures(scope, unit, start, end)
    grievance_rows = None
    if grievances is not None:
        grievance_rows = [
            (key, label, grievances.get(key), _grievance_url(unit, start, end, key))
            for key, label in selectors.GRIEVANCE_FIGURES.items()
            if key in grievances
        ]
    return {
        "groups": [(key, selectors.GROUPS[key], rows) for key, rows in groups.items()],
        "species": species,
        "grievances": grievance_rows,
    }


def _chart_data(scope, unit, start, end) -> dict:
    data = selectors.monthly(scope, unit, start, end)
    for series in data["series"]:
        series["name"] = str(selectors.SERIES_LABELS[series["key"]])
    data["title"] = _("Month by month")
    return data


@login_required
@require_GET
def report(request):
    scope, unit, start, end = _unit_and_period(request)
    context = {
        "unit": unit,
        "start": start,
        "end": end,
        "form": PeriodForm(initial={"start": start, "end": end}),
        "units": access.report_units(scope)
        .select_related(None)
        .only("pk", "name", "kind", "path")[:300],
        "report": build_report(scope, unit, start, end),
        "chart_data": _chart_data(scope, unit, start, end),
        "export_query": _query(unit, start, end),
    }
    return render(request, "activities/report.html", context)


@login_required
@require_GET
def export(request):
    scope, unit, start, end = _unit_and_period(request)
    built = build_report(scope, unit, start, end)
    rows = []
    for _group_key, group, figures in built["groups"]:
        rows.extend((str(group), str(label), value) for _key, label, value, _url in figures)
    rows.extend((_("Trees planted"), species, total) for species, total, _url in built["species"])
    for _key, label, value, _url in built["grievances"] or ():
        rows.append((_("Grievances"), str(label), value))
    content = export_rows(
        title=_("Statistics"),
        headers=[_("Area"), _("Figure"), _("Value")],
        rows=rows,
    )
    filename = f"{unit.name}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    return xlsx_response(content, filename)


@login_required
@require_GET
def figure(request):
    """The records behind one figure, paginated."""
    scope, unit, start, end = _unit_and_period(request)
    key = request.GET.get("figure", "")
    if key not in selectors.BY_KEY:
        raise Http404
    species = request.GET.get("species", "")
    rows = selectors.drill_down(scope, key, unit, start, end, species=species)
    page = Paginator(rows, DRILL_PAGE).get_page(request.GET.get("page"))
    item = selectors.BY_KEY[key]
    return render(
        request,
        "activities/figure.html",
        {
            "unit": unit,
            "start": start,
            "end": end,
            "figure": item,
            "species": species,
            "value": selectors.figure_value(scope, key, unit, start, end, species),
            "page": page,
            "query": _query(unit, start, end, figure=key, species=species),
            "back": f"{reverse('activities:report')}?{_query(unit, start, end)}",
        },
    )
