"""Reads of the record of work, limited by a Scope, and the statistics officials report.

Every figure is an aggregate query over the records in the unit's subtree and the period
(dates inclusive); nothing is stored. `FIGURES` names each figure, the record set it counts
and how; `drill_down` gives exactly the rows a figure aggregates, so a figure can be checked
by hand (and is, in tests/test_figures.py).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import CharField, Count, DecimalField, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, Round, Substr
from django.utils.translation import gettext_lazy as _

from core import tree
from core.scope import VIEW, Scope
from places.models import Unit

from .models import (
    Attendance,
    Broadcast,
    Budget,
    Decision,
    Meeting,
    Output,
    Propaganda,
    Settings,
    Spending,
    Step,
    Training,
    VolunteerEvent,
    VolunteerTeam,
)

MONEY = DecimalField(max_digits=14, decimal_places=2)
CENT = Decimal("0.01")


def money_sum(field: str, **extra):
    """SUM of a decimal column rounded to cents in SQL: SQLite sums decimals as floats, and
    0.01 + 0.04 must come back as 0.05 (compare with `cents` for display)."""
    return Round(Coalesce(Sum(field, **extra), Value(Decimal("0"))), 2, output_field=MONEY)


def cents(value):
    """A decimal shown to the cent (SQLite's rounded sums carry float digits)."""
    return value.quantize(CENT) if isinstance(value, Decimal) else value


RECORD_MODELS = {
    "training": Training,
    "volunteer": VolunteerEvent,
    "propaganda": Propaganda,
    "broadcast": Broadcast,
    "meeting": Meeting,
    "output": Output,
}


# --- Scope-limited record sets ----------------------------------------------------------------


def records(scope: Scope, kind: str, cap: str = VIEW) -> QuerySet:
    """Records of `kind` (a RECORD_MODELS key) on units the scope covers for `cap`."""
    model = RECORD_MODELS[kind]
    return model.objects.filter(scope.units_q(cap, prefix="unit__")).select_related(
        "unit", "recorded_by"
    )


def teams(scope: Scope, cap: str = VIEW) -> QuerySet[VolunteerTeam]:
    return VolunteerTeam.objects.filter(scope.units_q(cap, prefix="unit__")).select_related("unit")


def decisions(scope: Scope, cap: str = VIEW) -> QuerySet[Decision]:
    return Decision.objects.filter(scope.units_q(cap, prefix="village__")).select_related(
        "village", "township"
    )


def budgets(scope: Scope, cap: str = VIEW) -> QuerySet[Budget]:
    """Budgets of townships at or under the scope's units (township officials, the county)."""
    base = Budget.objects.select_related("township")
    if scope.is_superuser:
        return base
    return base.filter(tree.under_any("township__path", scope.paths_for(cap)))


def spending(scope: Scope, cap: str = VIEW) -> QuerySet[Spending]:
    base = Spending.objects.select_related("budget", "township", "recorded_by")
    if scope.is_superuser:
        return base
    return base.filter(tree.under_any("township__path", scope.paths_for(cap)))


def budget_rows(scope: Scope) -> QuerySet[Budget]:
    """Budgets with their net spending and what remains (one query)."""
    return budgets(scope).annotate(spent=money_sum("spending__amount"))


def funding_rate(township: Unit) -> Decimal:
    """The township's yuan per resident per month (the default until it is set)."""
    found = Settings.objects.filter(township=township).values_list("funding_rate", flat=True)
    return next(iter(found), Settings._meta.get_field("funding_rate").default)


def public_publications(village: Unit) -> QuerySet[Step]:
    """The village's published resolutions and results, for the no-login board."""
    return (
        Step.objects.filter(decision__village=village, kind__in=Step.PUBLICATIONS)
        .select_related("decision")
        .order_by("-date", "-id")
    )


# --- Where and when ---------------------------------------------------------------------------


def in_unit_q(unit: Unit, prefix: str = "unit__") -> Q:
    """Rows on `unit` or below it, and on grids/联户 of a village (they hang under the
    township in the grid tree but belong to the village)."""
    return tree.under(f"{prefix}path", unit.path) | tree.under(f"{prefix}village__path", unit.path)


def _period(field: str, start: datetime.date, end: datetime.date) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


# --- The figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    group: str
    source: str  # the record set the figure aggregates (see _sources)
    where: Q  # which of the source's rows count
    measure: str  # "count", a field to sum, or "people" (distinct persons)


GROUPS = {
    "training": _("Training"),
    "volunteer": _("Volunteer service"),
    "propaganda": _("Propaganda"),
    "broadcast": _("Loudspeaker broadcasts"),
    "meeting": _("Meetings"),
    "output": _("Results of the work"),
    "decision": _("Village decisions (四议两公开)"),
    "funding": _("Funding"),
}

P = Propaganda.Kind
M = Meeting.Kind
ALL = Q()

FIGURES: list[Figure] = [
    Figure("trainings", _("Training sessions"), "training", "training", ALL, "count"),
    Figure(
        "trainings_central",
        _("Central training sessions"),
        "training",
        "training",
        Q(kind=Training.Kind.CENTRAL),
        "count",
    ),
    Figure("attendances", _("Attendances"), "training", "attendance", ALL, "count"),
    Figure(
        "attendances_central",
        _("Attendances at central sessions"),
        "training",
        "attendance",
        Q(training__kind=Training.Kind.CENTRAL),
        "count",
    ),
    Figure("trainees", _("People trained"), "training", "attendance", ALL, "people"),
    Figure("volunteer_events", _("Volunteer events"), "volunteer", "volunteer", ALL, "count"),
    Figure(
        "volunteer_participants",
        _("Volunteer participations"),
        "volunteer",
        "volunteer",
        ALL,
        "participants",
    ),
    Figure("volunteer_hours", _("Volunteer hours"), "volunteer", "volunteer", ALL, "hours"),
    Figure(
        "street_events", _("Street events"), "propaganda", "propaganda", Q(kind=P.STREET), "count"
    ),
    Figure(
        "brochures",
        _("Brochures (copies)"),
        "propaganda",
        "propaganda",
        Q(kind=P.BROCHURE),
        "quantity",
    ),
    Figure(
        "household_meetings",
        _("Household-head meetings"),
        "propaganda",
        "propaganda",
        Q(kind=P.HOUSEHOLD_MEETING),
        "count",
    ),
    Figure(
        "home_visits", _("Home visits"), "propaganda", "propaganda", Q(kind=P.HOME_VISIT), "count"
    ),
    Figure(
        "people_reached",
        _("People reached in person"),
        "propaganda",
        "propaganda",
        Q(kind__in=[P.STREET, P.HOUSEHOLD_MEETING, P.HOME_VISIT]),
        "quantity",
    ),
    Figure(
        "messages",
        _("WeChat/SMS messages sent"),
        "propaganda",
        "propaganda",
        Q(kind=P.MESSAGE),
        "quantity",
    ),
    Figure("broadcasts", _("Broadcasts"), "broadcast", "broadcast", ALL, "count"),
    Figure("broadcast_minutes", _("Minutes broadcast"), "broadcast", "broadcast", ALL, "minutes"),
    Figure("meetings", _("Meetings"), "meeting", "meeting", ALL, "count"),
    Figure(
        "grid_meetings",
        _("Weekly grid meetings"),
        "meeting",
        "meeting",
        Q(kind=M.GRID_WEEKLY),
        "count",
    ),
    Figure(
        "township_reviews",
        _("Half-monthly township reviews"),
        "meeting",
        "meeting",
        Q(kind=M.TOWNSHIP_REVIEW),
        "count",
    ),
    Figure(
        "special_meetings", _("Special meetings"), "meeting", "meeting", Q(kind=M.SPECIAL), "count"
    ),
    Figure(
        "scheduling_meetings",
        _("Scheduling meetings"),
        "meeting",
        "meeting",
        Q(kind=M.SCHEDULING),
        "count",
    ),
    *[
        Figure(f"output_{kind.value}", kind.label, "output", "output", Q(kind=kind), "quantity")
        for kind in Output.Kind
    ],
    Figure(
        "decisions_started",
        _("Decisions proposed"),
        "decision",
        "step",
        Q(kind=Step.Kind.PROPOSAL),
        "count",
    ),
    Figure(
        "resolutions_published",
        _("Resolutions published"),
        "decision",
        "step",
        Q(kind=Step.Kind.PUBLISH_RESOLUTION),
        "count",
    ),
    Figure(
        "decisions_completed",
        _("Results published (decisions completed)"),
        "decision",
        "step",
        Q(kind=Step.Kind.PUBLISH_RESULT),
        "count",
    ),
    Figure(
        "decisions_rejected",
        _("Decisions rejected"),
        "decision",
        "step",
        Q(outcome=Step.Outcome.REJECTED),
        "count",
    ),
    Figure(
        "funding_spent", _("Spent (yuan, net of corrections)"), "funding", "spending", ALL, "amount"
    ),
    Figure("funding_bins", _("Bins bought"), "funding", "spending", Q(category="bins"), "quantity"),
    Figure(
        "funding_uniforms",
        _("Uniforms bought"),
        "funding",
        "spending",
        Q(category="uniforms"),
        "quantity",
    ),
]
BY_KEY = {figure.key: figure for figure in FIGURES}


def _tenant_q(unit: Unit, field: str) -> Q:
    """The township of `unit` as an equality on the tenant key, so the (township, date)
    index narrows the rows before the subtree test (which needs the unit's row)."""
    if unit.kind == Unit.Kind.TOWNSHIP:
        return Q(**{field: unit.pk})
    if unit.township_id is not None:
        return Q(**{field: unit.township_id})
    return Q()


def source_rows(scope: Scope, source: str, unit: Unit, start, end) -> QuerySet:
    """The rows of `source` in the scope, in `unit`'s subtree, dated within [start, end]."""
    if source in RECORD_MODELS:
        return records(scope, source).filter(
            _tenant_q(unit, "township_id"), in_unit_q(unit), _period("date", start, end)
        )
    if source == "attendance":
        return Attendance.objects.filter(
            _tenant_q(unit, "training__township_id"),
            scope.units_q(VIEW, prefix="training__unit__"),
            in_unit_q(unit, "training__unit__"),
            _period("training__date", start, end),
        ).select_related("training", "user", "resident")
    if source == "step":
        return Step.objects.filter(
            _tenant_q(unit, "decision__township_id"),
            scope.units_q(VIEW, prefix="decision__village__"),
            in_unit_q(unit, "decision__village__"),
            _period("date", start, end),
        ).select_related("decision", "decision__village")
    if source == "spending":
        return spending(scope).filter(
            tree.under("township__path", unit.path), _period("date", start, end)
        )
    raise KeyError(source)


def _aggregate(figure: Figure):
    if figure.measure == "count":
        return Count("id", filter=figure.where)
    if figure.measure == "people":
        # Each attendance names exactly one person: a user or a resident.
        return Count("user", distinct=True, filter=figure.where) + Count(
            "resident", distinct=True, filter=figure.where
        )
    integers = figure.measure in ("participants", "minutes") or (
        figure.measure == "quantity" and figure.source in ("propaganda", "spending")
    )
    if integers:
        return Coalesce(
            Sum(figure.measure, filter=figure.where), Value(0), output_field=IntegerField()
        )
    return money_sum(figure.measure, filter=figure.where)


def figures(scope: Scope, unit: Unit, start, end) -> dict[str, int | Decimal]:
    """Every figure of FIGURES for `unit` and [start, end]: one query per record set."""
    by_source: dict[str, list[Figure]] = {}
    for figure in FIGURES:
        by_source.setdefault(figure.source, []).append(figure)
    result: dict[str, int | Decimal] = {}
    for source, group in by_source.items():
        values = source_rows(scope, source, unit, start, end).aggregate(
            **{figure.key: _aggregate(figure) for figure in group}
        )
        result.update({key: cents(value) for key, value in values.items()})
    return result


def budget_figures(scope: Scope, unit: Unit, start, end) -> dict[str, Decimal]:
    """Budgets of the period's years for townships in the subtree, spending against them up to
    `end`, and what remains."""
    rows = budgets(scope).filter(
        tree.under("township__path", unit.path), year__gte=start.year, year__lte=end.year
    )
    budget = cents(rows.aggregate(total=money_sum("amount"))["total"])
    spent = cents(
        Spending.objects.filter(budget__in=rows, date__lte=end).aggregate(
            total=money_sum("amount")
        )["total"]
    )
    return {"funding_budget": budget, "funding_used": spent, "funding_remaining": budget - spent}


def figure_value(scope: Scope, key: str, unit: Unit, start, end, species: str = ""):
    """One figure alone (the drill-down page's heading)."""
    figure = BY_KEY[key]
    rows = source_rows(scope, figure.source, unit, start, end)
    if key == "output_trees" and species:
        rows = rows.filter(species=species)
    return cents(rows.aggregate(value=_aggregate(figure))["value"])


def trees_by_species(scope: Scope, unit: Unit, start, end) -> list[dict]:
    rows = list(
        source_rows(scope, "output", unit, start, end)
        .filter(kind=Output.Kind.TREES)
        .values("species")
        .annotate(total=money_sum("quantity"), records=Count("id"))
        .order_by("-total", "species")
    )
    for row in rows:
        row["total"] = cents(row["total"])
    return rows


def drill_down(scope: Scope, key: str, unit: Unit, start, end, species: str = "") -> QuerySet:
    """The rows figure `key` aggregates (for "trainees": one row per person)."""
    figure = BY_KEY[key]
    rows = source_rows(scope, figure.source, unit, start, end).filter(figure.where)
    if key == "output_trees" and species:
        rows = rows.filter(species=species)
    if figure.measure == "people":
        return (
            rows.values("user_id", "user__name", "resident_id", "resident__name")
            .annotate(sessions=Count("id"))
            .order_by("user_id", "resident_id")
        )
    return rows.order_by("-date" if figure.source != "attendance" else "-training__date", "-id")


# --- Month by month ---------------------------------------------------------------------------

SERIES: list[tuple[str, str, Callable[[QuerySet], QuerySet]]] = [
    ("trainings", "training", lambda rows: rows.annotate(n=Count("id"))),
    ("attendances", "attendance", lambda rows: rows.annotate(n=Count("id"))),
    ("volunteer_events", "volunteer", lambda rows: rows.annotate(n=Count("id"))),
    ("volunteer_participants", "volunteer", lambda rows: rows.annotate(n=Sum("participants"))),
    ("propaganda", "propaganda", lambda rows: rows.annotate(n=Count("id"))),
    ("broadcasts", "broadcast", lambda rows: rows.annotate(n=Count("id"))),
    ("meetings", "meeting", lambda rows: rows.annotate(n=Count("id"))),
]
SERIES_LABELS = {
    "trainings": _("Training sessions"),
    "attendances": _("Attendances"),
    "volunteer_events": _("Volunteer events"),
    "volunteer_participants": _("Volunteer participations"),
    "propaganda": _("Propaganda actions"),
    "broadcasts": _("Broadcasts"),
    "meetings": _("Meetings"),
}


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def monthly(scope: Scope, unit: Unit, start, end) -> dict:
    """{"months": ["2026-01", ...], "series": [{"key", "data"}]}: one query per series."""
    months = months_between(start, end)
    series = []
    for key, source, measure in SERIES:
        field = "training__date" if source == "attendance" else "date"
        rows = measure(
            source_rows(scope, source, unit, start, end)
            .annotate(month=_month_of(field))
            .values("month")
            .order_by("month")
        ).values_list("month", "n")
        by_month = {month: int(n or 0) for month, n in rows}
        series.append({"key": key, "data": [by_month.get(f"{m:%Y-%m}", 0) for m in months]})
    return {"months": [f"{m:%Y-%m}" for m in months], "series": series}


def _month_of(field: str):
    """'YYYY-MM' of a date column in plain SQL on both databases (SQLite's TruncMonth calls a
    Python function per row; a date cast to text is ISO 'YYYY-MM-DD' on both)."""
    return Substr(Cast(field, output_field=CharField()), 1, 7)


# --- This month on a unit page ----------------------------------------------------------------

UNIT_CARD = [
    "trainings",
    "attendances",
    "volunteer_events",
    "volunteer_participants",
    "broadcasts",
    "meetings",
]


def unit_month(scope: Scope, unit: Unit, today: datetime.date) -> list[tuple[str, str, object]]:
    start = today.replace(day=1)
    values = {}
    for source in ("training", "attendance", "volunteer", "broadcast", "meeting"):
        group = [BY_KEY[k] for k in UNIT_CARD if BY_KEY[k].source == source]
        values.update(
            source_rows(scope, source, unit, start, today).aggregate(
                **{figure.key: _aggregate(figure) for figure in group}
            )
        )
    return [(key, BY_KEY[key].label, values[key]) for key in UNIT_CARD]


# --- The grievance figures, from the grievances app when it is installed ----------------------

GRIEVANCE_FIGURES = {
    "received": _("Grievances received"),
    "concluded": _("Grievances concluded"),
    "concluded_on_time": _("Concluded on time"),
    "overdue_open": _("Open and overdue"),
    "rated": _("Rated by the person"),
    "satisfied": _("Satisfied"),
    "basically_satisfied": _("Basically satisfied"),
    "not_satisfied": _("Not satisfied"),
    "satisfaction_rate": _("Satisfaction rate"),
}


def grievance_figures(scope: Scope, unit: Unit, start, end) -> dict | None:
    """grievances.selectors.figures for the same unit and period, or None without it."""
    try:
        from grievances import selectors as grievance_selectors
    except ImportError:
        return None
    compute = getattr(grievance_selectors, "figures", None)
    if compute is None:
        return None
    return compute(scope=scope, unit=unit, start=start, end=end)
