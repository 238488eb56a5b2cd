"""Reads of household points, limited by a Scope where they show people."""

import datetime
from dataclasses import replace

from django.db import connection
from django.db.models import F, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce, Rank

from core import tree
from core.scope import VIEW, Scope
from places.models import Household, Unit

from .models import Appeal, BalanceSnapshot, ChainHead, Entry, Item, PointsList, Proposal
from .services import list_in_force, month_end, month_start

# The latest snapshot plus the entries appended since, as one statement. Written in SQL because
# it is the hottest read of the points system (every household page, every redemption) and
# the ORM's nested subqueries made SQLite's planner far slower (see docs/BENCHMARKS.md).
BALANCE_SQL = """
SELECT COALESCE(s.balance, 0) + COALESCE((
    SELECT SUM(e.amount) FROM {entry} e
    WHERE e.household_id = %s AND e.seq > COALESCE(s.through_seq, 0)), 0)
FROM (SELECT 1 AS one) x LEFT JOIN (
    SELECT balance, through_seq FROM {snapshot}
    WHERE household_id = %s ORDER BY month DESC LIMIT 1) s ON 1 = 1
"""


def balance(household: Household) -> int:
    """Latest monthly snapshot plus the household's entries appended since, in one query.

    Both parts are index look-ups ((household, month) and (household, seq)), so the cost does
    not grow with the length of the household's history.
    """
    sql = BALANCE_SQL.format(entry=Entry._meta.db_table, snapshot=BalanceSnapshot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [household.pk, household.pk])
        return int(cursor.fetchone()[0])


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


def villages(scope: Scope) -> QuerySet[Unit]:
    """Villages whose points lists the scope may read: the village in sight, or one of its
    grids or 联户 (a grid member proposes from his village's list), or one's own household's."""
    kinds = (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY)
    if scope.is_superuser:
        return Unit.objects.filter(kind__in=kinds)
    grids = Unit.objects.filter(scope.units_q(VIEW), village__isnull=False).values("village_id")
    own = Household.objects.filter(pk__in=scope.household_ids).values("group__village_id")
    return Unit.objects.filter(kind__in=kinds).filter(
        scope.units_q(VIEW) | Q(pk__in=grids) | Q(pk__in=own)
    )


def townships(scope: Scope) -> QuerySet[Unit]:
    """Townships whose templates the scope may read: those of the user's roles, or in sight."""
    if scope.is_superuser:
        return Unit.objects.filter(kind=Unit.Kind.TOWNSHIP)
    return Unit.objects.filter(kind=Unit.Kind.TOWNSHIP).filter(
        Q(pk__in=scope.township_ids) | scope.units_q(VIEW)
    )


def lists(scope: Scope) -> QuerySet[PointsList]:
    """Points list versions of the villages in sight, and templates of the user's townships."""
    return (
        PointsList.objects.filter(
            Q(village__in=villages(scope)) | Q(village__isnull=True, township__in=townships(scope))
        )
        .select_related("village", "township")
        .prefetch_related("items")
    )


def village_lists(village: Unit) -> QuerySet[PointsList]:
    return PointsList.objects.filter(village=village).prefetch_related("items")


def items_in_force(village: Unit, on: datetime.date) -> QuerySet[Item]:
    in_force = list_in_force(village, month_end(month_start(on)))
    if in_force is None:
        return Item.objects.none()
    return in_force.items.all()


def proposals(scope: Scope, cap: str = VIEW) -> QuerySet[Proposal]:
    """Proposals by their own path copies; a villager sees his household's (by household id,
    not by the proposal's own id, which is what households_q's prefix-less form would match)."""
    query = replace(scope, household_ids=()).households_q(cap)
    if cap == VIEW and scope.household_ids and not scope.is_superuser:
        query |= Q(household_id__in=scope.household_ids)
    return Proposal.objects.filter(query).select_related(
        "household", "item", "proposed_by", "reviewed_by"
    )


def entries(scope: Scope) -> QuerySet[Entry]:
    return Entry.objects.filter(scope.households_q(prefix="household__")).select_related(
        "household", "item"
    )


def appeals(scope: Scope, cap: str = VIEW) -> QuerySet[Appeal]:
    return Appeal.objects.filter(scope.households_q(cap, prefix="household__")).select_related(
        "entry", "household"
    )


def chain_head(village: Unit) -> ChainHead | None:
    return ChainHead.objects.filter(village=village).first()


def points_by_category(village: Unit, first_month: datetime.date, last_month: datetime.date):
    """Net points of the village's awards and corrections by month and item category.

    Rows {"period", "category", "points"}; redemptions are spending, not conduct, and left out.
    """
    return (
        Entry.objects.filter(
            village=village,
            period__gte=first_month,
            period__lte=last_month,
            kind__in=[Entry.Kind.AWARD, Entry.Kind.REVERSAL],
        )
        .values("period", category=F("item__category"))
        .annotate(points=Sum("amount"))
        .order_by("period", "category")
    )


def village_balances(village: Unit) -> list[int]:
    """The balance of every household now in the village (0 without entries), one query."""
    return list(
        Household.objects.filter(tree.under("group_path", village.path))
        .annotate(total=Coalesce(Sum("entries__amount"), 0))
        .order_by()
        .values_list("total", flat=True)
    )
