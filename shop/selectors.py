"""Reads of the points supermarkets, limited by the user's scope; reconciliation and reports."""

import datetime
import re
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from core.scope import VIEW, Scope
from places.models import Household, Resident, Unit
from points.models import PointsCard

from .models import Goods, Receipt, ReceiptLine, ReceiptVoid, StockEntry, Supermarket

SEARCH_LIMIT = 20
TOKEN_RE = re.compile(r"/verify/([A-Za-z0-9_-]{8,32})/?$")


def supermarkets(scope: Scope, cap: str = VIEW) -> QuerySet[Supermarket]:
    """Supermarkets whose unit lies in the scope (keepers hold VIEW on their unit)."""
    return Supermarket.objects.filter(scope.units_q(cap, prefix="unit__")).select_related(
        "unit", "township"
    )


def goods_with_stock(supermarket: Supermarket, *, active_only: bool = False) -> QuerySet[Goods]:
    """The supermarket's goods with `stock`: their on_hand (kept equal to the sum of their stock
    entries by the services), not a sum over their whole history on every page."""
    goods = Goods.objects.filter(supermarket=supermarket).annotate(stock=F("on_hand"))
    if active_only:
        goods = goods.filter(active=True)
    return goods.order_by("name")


def receipts(scope: Scope) -> QuerySet[Receipt]:
    """Receipts of supermarkets in scope, and of households the user sees as a villager."""
    query = scope.units_q(VIEW, prefix="supermarket__unit__")
    if not scope.is_superuser and scope.household_ids:
        query |= Q(household_id__in=scope.household_ids)
    return Receipt.objects.filter(query).select_related(
        "supermarket", "household", "created_by", "void"
    )


def household_receipts(household: Household) -> QuerySet[Receipt]:
    return (
        Receipt.objects.filter(household=household)
        .select_related("supermarket", "void")
        .prefetch_related("lines__goods")
        .order_by("-created_at", "-id")
    )


def served_households(supermarket: Supermarket) -> QuerySet[Household]:
    villages = supermarket.villages.values("pk")
    return Household.objects.filter(group__village__in=villages)


def find_households(supermarket: Supermarket, text: str) -> list[Household]:
    """The counter's search among the households the supermarket serves: the points card's QR
    (its verification URL or bare token), a household number, the head's name, or the last
    4–6 characters of a member's ID number."""
    text = (text or "").strip()
    if not text:
        return []
    served = served_households(supermarket).select_related("group__village")
    match = TOKEN_RE.search(text)
    token = match.group(1) if match else text
    by_card = PointsCard.objects.filter(token=token).values("household_id")
    query = Q(pk__in=by_card) | Q(number=text)
    # Residents of the served villages only: a search never scans the whole county.
    residents = Resident.objects.filter(
        household__group__village__in=supermarket.villages.values("pk")
    )
    if re.fullmatch(r"[0-9]{3}[0-9Xx]", text[-4:]) and 4 <= len(text) <= 6:
        query |= Q(pk__in=residents.filter(id_number__endswith=text.upper()).values("household_id"))
    elif not match and not text.isdigit():
        query |= Q(
            pk__in=residents.filter(name__contains=text, relation=Resident.Relation.HEAD).values(
                "household_id"
            )
        )
    households = list(served.filter(query).order_by("number")[:SEARCH_LIMIT])
    heads = dict(
        Resident.objects.filter(
            household__in=[h.pk for h in households], relation=Resident.Relation.HEAD
        ).values_list("household_id", "name")
    )
    for household in households:
        household.head_name = heads.get(household.pk, "")
    return households


def head_name(household: Household) -> str:
    return (
        Resident.objects.filter(household=household, relation=Resident.Relation.HEAD)
        .values_list("name", flat=True)
        .first()
        or ""
    )


# --- Reconciliation ----------------------------------------------------------------------------


def reconciliation(supermarket: Supermarket, day: datetime.date) -> dict:
    """The day's books of one supermarket, per goods and for points, with every difference.

    Per goods: opening + restocks − redemptions + returns − write-offs ± corrections must equal
    closing (the sum of all entries through the day), and the redemption entries must equal the
    receipt lines, the returns the lines of receipts voided that day. For points: the receipts'
    totals must equal their lines and the ledger's redemption entries, and the voids the
    ledger's reversals.
    """
    entries = StockEntry.objects.filter(supermarket=supermarket)
    opening = dict(
        entries.filter(day__lt=day)
        .values("goods_id")
        .annotate(s=Sum("quantity"))
        .values_list("goods_id", "s")
    )
    closing = dict(
        entries.filter(day__lte=day)
        .values("goods_id")
        .annotate(s=Sum("quantity"))
        .values_list("goods_id", "s")
    )
    moves: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for goods_id, kind, total in (
        entries.filter(day=day).values("goods_id", "kind").annotate(s=Sum("quantity"))
    ).values_list("goods_id", "kind", "s"):
        moves[goods_id][kind] = total
    day_receipts = Receipt.objects.filter(supermarket=supermarket, day=day)
    sold = dict(
        ReceiptLine.objects.filter(receipt__in=day_receipts)
        .values("goods_id")
        .annotate(s=Sum("quantity"))
        .values_list("goods_id", "s")
    )
    voids = ReceiptVoid.objects.filter(receipt__supermarket=supermarket, voided_at__date=day)
    returned = dict(
        ReceiptLine.objects.filter(receipt__void__in=voids)
        .values("goods_id")
        .annotate(s=Sum("quantity"))
        .values_list("goods_id", "s")
    )
    rows, flags = [], []
    for goods in Goods.objects.filter(supermarket=supermarket).order_by("name"):
        m = moves.get(goods.pk, {})
        row = {
            "goods": goods,
            "opening": opening.get(goods.pk, 0),
            "restocks": m.get(StockEntry.Kind.RESTOCK, 0),
            "redemptions": -m.get(StockEntry.Kind.REDEMPTION, 0),
            "returns": m.get(StockEntry.Kind.RETURN, 0),
            "write_offs": -m.get(StockEntry.Kind.WRITE_OFF, 0),
            "corrections": m.get(StockEntry.Kind.CORRECTION, 0),
            "closing": closing.get(goods.pk, 0),
            "sold_on_receipts": sold.get(goods.pk, 0),
            "returned_on_voids": returned.get(goods.pk, 0),
        }
        row["expected"] = (
            row["opening"]
            + row["restocks"]
            - row["redemptions"]
            + row["returns"]
            - row["write_offs"]
            + row["corrections"]
        )
        row["ok"] = (
            row["expected"] == row["closing"]
            and row["closing"] >= 0
            and row["redemptions"] == row["sold_on_receipts"]
            and row["returns"] == row["returned_on_voids"]
        )
        if not row["ok"]:
            flags.append(goods.name)
        rows.append(row)
    totals = day_receipts.aggregate(
        receipts=Count("id"),
        points=Coalesce(Sum("points"), 0),
        ledger=Coalesce(-Sum("entry__amount"), 0),
    )
    totals["lines"] = (
        ReceiptLine.objects.filter(receipt__in=day_receipts).aggregate(s=Sum("points"))["s"] or 0
    )
    void_totals = voids.aggregate(
        n=Count("id"),
        points=Coalesce(Sum("receipt__points"), 0),
        ledger=Coalesce(Sum("reversal__amount"), 0),
    )
    points_ok = totals["points"] == totals["ledger"] == totals["lines"] and (
        void_totals["points"] == void_totals["ledger"]
    )
    return {
        "day": day,
        "rows": rows,
        "receipts": totals,
        "voids": void_totals,
        "points_ok": points_ok,
        "ok": points_ok and not flags,
        "flags": flags,
    }


# --- Monthly report ----------------------------------------------------------------------------


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following


def unit_costs(goods_ids) -> dict[int, Decimal]:
    """Average purchase cost per item of each goods, over all its restocks."""
    rows = (
        StockEntry.objects.filter(goods_id__in=list(goods_ids), kind=StockEntry.Kind.RESTOCK)
        .values("goods_id")
        .annotate(cost=Sum("cost_yuan"), n=Sum("quantity"))
    )
    return {
        r["goods_id"]: (Decimal(r["cost"]) / r["n"]).quantize(Decimal("0.01"))
        for r in rows
        if r["n"]
    }


def monthly_report(township: Unit, month: datetime.date) -> dict:
    """A township's month: points redeemed (receipts not voided), goods given and their value in
    yuan at the average purchase cost, top goods, households served, per supermarket."""
    first, following = month_bounds(month)
    kept = Receipt.objects.filter(
        township=township, day__gte=first, day__lt=following, void__isnull=True
    )
    by_market = {
        r["supermarket_id"]: r
        for r in kept.values("supermarket_id").annotate(
            points=Sum("points"), receipts=Count("id"), households=Count("household", distinct=True)
        )
    }
    lines = list(
        ReceiptLine.objects.filter(receipt__in=kept)
        .values("receipt__supermarket_id", "goods_id", "goods__name", "goods__unit")
        .annotate(quantity=Sum("quantity"), points=Sum("points"))
        .order_by("receipt__supermarket_id", "goods__name")
    )
    costs = unit_costs({line["goods_id"] for line in lines})
    markets = list(Supermarket.objects.filter(township=township).order_by("code"))
    names = {m.pk: m.name for m in markets}
    goods_rows = []
    per_market_yuan: dict[int, Decimal] = defaultdict(Decimal)
    top: dict[str, dict] = {}
    for line in lines:
        yuan = costs.get(line["goods_id"], Decimal(0)) * line["quantity"]
        market_id = line["receipt__supermarket_id"]
        per_market_yuan[market_id] += yuan
        goods_rows.append(
            {
                "supermarket": names.get(market_id, ""),
                "goods": line["goods__name"],
                "unit": line["goods__unit"],
                "quantity": line["quantity"],
                "points": line["points"],
                "yuan": yuan,
            }
        )
        entry = top.setdefault(
            line["goods__name"], {"goods": line["goods__name"], "quantity": 0, "points": 0}
        )
        entry["quantity"] += line["quantity"]
        entry["points"] += line["points"]
    market_rows = []
    for market in markets:
        figures = by_market.get(market.pk, {})
        market_rows.append(
            {
                "supermarket": market,
                "points": figures.get("points", 0),
                "receipts": figures.get("receipts", 0),
                "households": figures.get("households", 0),
                "yuan": per_market_yuan.get(market.pk, Decimal(0)),
            }
        )
    totals = kept.aggregate(
        points=Coalesce(Sum("points"), 0),
        receipts=Count("id"),
        households=Count("household", distinct=True),
    )
    totals["goods"] = sum(row["quantity"] for row in goods_rows)
    totals["yuan"] = sum((row["yuan"] for row in goods_rows), Decimal(0))
    totals["voided"] = Receipt.objects.filter(
        township=township, day__gte=first, day__lt=following, void__isnull=False
    ).count()
    return {
        "month": first,
        "totals": totals,
        "markets": market_rows,
        "goods": goods_rows,
        "top": sorted(top.values(), key=lambda r: (-r["quantity"], r["goods"]))[:10],
    }
