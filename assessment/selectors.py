"""Read-side queries of the monthly assessment: months, scores, lines, rankings, comparisons.

A close's rows are shown only once it is computed (a running close's rows are incomplete).
"""

import datetime
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet

from places.models import TownshipConfig, Unit

from . import lists
from .models import Case, Close, KeyWork, KeyWorkMark, Line, Ranking, Score, Settings

SHOWN = (Close.State.COMPUTED, Close.State.PUBLISHED)


def closes(township: Unit) -> QuerySet[Close]:
    return Close.objects.filter(township=township).order_by("-month")


def close_for(township: Unit, month: datetime.date) -> Close | None:
    return Close.objects.filter(township=township, month=month).first()


def latest_published(township: Unit) -> Close | None:
    return (
        Close.objects.filter(township=township, state=Close.State.PUBLISHED)
        .order_by("-month")
        .first()
    )


def rankings(close: Close) -> QuerySet[Ranking]:
    return Ranking.objects.filter(close=close).select_related("unit").order_by("rank", "unit__path")


def list_notes(close: Close) -> dict:
    """What the list rule did in the month: as published, or as the rankings stand now."""
    if close.is_published:
        return close.content["notes"]
    config = TownshipConfig.objects.get(township_id=close.township_id)
    rows = Ranking.objects.filter(close=close).values_list("unit_id", "score")
    return lists.assign(list(rows), config.red_list_size, config.black_list_size).notes()


def score(close: Close, unit: Unit, kind: str = Score.Kind.GRID) -> Score | None:
    return Score.objects.filter(close=close, unit=unit, kind=kind).first()


def children(close: Close, unit: Unit) -> QuerySet[Score]:
    """The scores averaged into `unit`'s (its child grids; a village's top grids)."""
    rows = Score.objects.filter(close=close, kind=Score.Kind.GRID).select_related("unit")
    if unit.kind in Unit.VILLAGE_KINDS:
        rows = rows.filter(unit__village=unit).exclude(unit__parent__village=unit)
    else:
        rows = rows.filter(parent_id=unit.pk)
    return rows.order_by("unit__path")


def siblings(close: Close, unit: Unit, kind: str = Score.Kind.GRID) -> QuerySet[Score]:
    """横比: the scores beside `unit` (same parent grid; or the township's villages)."""
    rows = Score.objects.filter(close=close, kind=kind).select_related("unit")
    if kind == Score.Kind.GRID:
        rows = rows.filter(parent_id=unit.parent_id)
    return rows.order_by("-score", "unit__path")


def lines(close: Close, unit: Unit) -> QuerySet[Line]:
    return (
        Line.objects.filter(close=close, unit=unit).select_related("item").order_by("source", "id")
    )


def history(unit: Unit, kind: str = Score.Kind.GRID, months: int = 12) -> list[Score]:
    """纵比: the unit's scores in its township's last `months` shown closes, oldest first."""
    rows = (
        Score.objects.filter(unit=unit, kind=kind, close__state__in=SHOWN)
        .select_related("close")
        .order_by("-close__month")[:months]
    )
    return list(reversed(rows))


def townships_of_county(county: Unit, month: datetime.date) -> QuerySet[Score]:
    """与其他乡镇比: the townships' scores in a month, from published closes only."""
    return (
        Score.objects.filter(
            close__township__parent=county,
            close__month=month,
            close__state=Close.State.PUBLISHED,
            kind=Score.Kind.GRID,
            depth=1,
        )
        .select_related("unit")
        .order_by("-score", "unit__path")
    )


def cases(township: Unit, state: str | None = None) -> QuerySet[Case]:
    rows = Case.objects.filter(township=township, close__state=Close.State.PUBLISHED)
    if state:
        rows = rows.filter(state=state)
    return rows.select_related("close", "unit", "user", "assignment").order_by(
        "-close__month", "score"
    )


def case_counts(close: Close) -> dict[str, int]:
    counts = dict(
        Case.objects.filter(close=close).values_list("kind").annotate(n=Count("id")).order_by()
    )
    return {kind: counts.get(kind, 0) for kind in Case.Kind.values}


def year_report(township: Unit, year: int) -> dict:
    """The villages' yearly appraisal (004): the average of the year's published monthly scores
    plus the key-work marks; ranked; the first N excellent, each with the reward."""
    settings = Settings.objects.filter(township=township).first()
    excellent_n = settings.excellent_villages if settings else 3
    reward = settings.excellent_reward if settings else 10000
    months = Q(
        close__township=township,
        close__state=Close.State.PUBLISHED,
        close__month__gte=datetime.date(year, 1, 1),
        close__month__lt=datetime.date(year + 1, 1, 1),
    )
    monthly = {
        row["unit_id"]: row
        for row in Score.objects.filter(months, kind=Score.Kind.VILLAGE)
        .values("unit_id")
        .annotate(average=Avg("score"), months=Count("id"))
        .order_by()
    }
    items = list(KeyWork.objects.filter(township=township))
    marks: dict[tuple[int, int], Decimal] = {}
    for village_id, item_id, points in KeyWorkMark.objects.filter(
        township=township, year=year
    ).values_list("village_id", "item_id", "points"):
        marks[(village_id, item_id)] = marks.get((village_id, item_id), Decimal(0)) + points
    villages = Unit.objects.filter(township=township, kind__in=Unit.VILLAGE_KINDS).order_by("path")
    rows = []
    for village in villages:
        base = monthly.get(village.pk)
        key = [marks.get((village.pk, item.pk), Decimal(0)) for item in items]
        average = Decimal(str(round(base["average"], 4))) if base else None
        total = None if average is None else average + sum(key, Decimal(0))
        rows.append(
            {
                "village": village,
                "months": base["months"] if base else 0,
                "average": average,
                "key_work": key,
                "total": total,
            }
        )
    ranked = sorted((r for r in rows if r["total"] is not None), key=lambda r: -r["total"])
    places = lists.competition_ranks([row["total"] for row in ranked])
    for row, rank in zip(ranked, places, strict=True):
        row["rank"] = rank
        row["excellent"] = rank <= excellent_n
        row["reward"] = reward if row["excellent"] else 0
    unranked = [r for r in rows if r["total"] is None]
    for row in unranked:
        row.update(rank=None, excellent=False, reward=0)
    return {
        "year": year,
        "items": items,
        "rows": ranked + unranked,
        "excellent_n": excellent_n,
        "reward": reward,
        "reward_total": sum(r["reward"] for r in ranked),
    }
