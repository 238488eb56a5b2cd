"""Reads of household points, limited by a Scope where they show people."""

import datetime

from django.db.models import F, QuerySet, Sum, Window
from django.db.models.functions import Rank

from core.scope import VIEW, Scope
from places.models import Household, Unit

from .models import Appeal, BalanceSnapshot, ChainHead, Entry, Item, PointsList, Proposal
from .services import list_in_force, month_end, month_start


def balance(household: Household) -> int:
    """Latest monthly snapshot plus the household's entries appended since."""
    snapshot = BalanceSnapshot.objects.filter(household=household).order_by("-month").first()
    base, through = (snapshot.balance, snapshot.through_seq) if snapshot else (0, 0)
    since = Entry.objects.filter(household=household, seq__gt=through).aggregate(s=Sum("amount"))[
        "s"
    ]
    return base + (since or 0)


def balance_by_sum(household: Household) -> int:
    """The balance as the plain sum of every entry: what `balance` must always equal."""
    return Entry.objects.filter(household=household).aggregate(s=Sum("amount"))["s"] or 0


def history(household: Household) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(household=household)
        .select_related("item", "approved_by", "proposed_by", "reverses")
        .order_by("-seq")
    )


def quarter_bounds(quarter: str) -> tuple[datetime.date, datetime.date]:
    """'2026-Q3' → (2026-07-01, 2026-09-01): the first and the last month of the quarter."""
    year, q = int(quarter[:4]), int(quarter[-1])
    first = datetime.date(year, 3 * (q - 1) + 1, 1)
    return first, datetime.date(year, 3 * q, 1)


def quarter_of(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def ranking(village: Unit, first_month: datetime.date, last_month: datetime.date):
    """Households of the village by points earned in [first_month, last_month], ranked.

    One query: a grouped sum with a RANK() window (ties share a rank). Households without
    entries in the period are not ranked.
    """
    return (
        Entry.objects.filter(village=village, period__gte=first_month, period__lte=last_month)
        .values("household_id", "household__number")
        .annotate(points=Sum("amount"))
        .annotate(rank=Window(Rank(), order_by=F("points").desc()))
        .order_by("rank", "household__number")
    )


def rank_of(household: Household, first_month, last_month) -> tuple[int | None, int]:
    """(rank, number of ranked households) of a household in its village for a period."""
    rows = list(ranking(household.group.village, first_month, last_month))
    for row in rows:
        if row["household_id"] == household.pk:
            return row["rank"], len(rows)
    return None, len(rows)


def village_lists(village: Unit) -> QuerySet[PointsList]:
    return PointsList.objects.filter(village=village).prefetch_related("items")


def items_in_force(village: Unit, on: datetime.date) -> QuerySet[Item]:
    in_force = list_in_force(village, month_end(month_start(on)))
    if in_force is None:
        return Item.objects.none()
    return in_force.items.all()


def proposals(scope: Scope, cap: str = VIEW) -> QuerySet[Proposal]:
    return Proposal.objects.filter(scope.households_q(cap)).select_related(
        "household", "item", "proposed_by", "reviewed_by"
    )


def entries(scope: Scope) -> QuerySet[Entry]:
    return Entry.objects.filter(scope.households_q(prefix="household__")).select_related(
        "household", "item"
    )


def appeals(scope: Scope) -> QuerySet[Appeal]:
    return Appeal.objects.filter(scope.households_q(prefix="household__")).select_related(
        "entry", "household"
    )


def chain_head(village: Unit) -> ChainHead | None:
    return ChainHead.objects.filter(village=village).first()
