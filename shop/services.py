"""Writes of the points supermarkets. Stock and receipts are insert-only.

Access (who is a keeper, who administers the township) is checked by the caller through
shop.access; these services enforce the rules of stock and points themselves.

Locks, always in this order so that no two transactions wait on each other in a cycle:
supermarket row (receipt numbers) → the village's points chain head (points.services.redeem,
which reads the balance under it) → goods rows in primary-key order (stock). A void locks its
receipt, then the chain head (points.services.reverse_entry), then its goods rows. Restocks,
write-offs and corrections lock only their goods row. On SQLite every writer already holds the
database's write lock from BEGIN (transaction_mode=IMMEDIATE), so the SELECT ... FOR UPDATE are
no-ops there.

Stock on hand is the sum of a goods' entries; `Goods.on_hand` keeps that sum, moved by
`add_on_hand` under the goods row's lock with every entry written, so that the checks read one
locked row instead of the goods' whole history (and the database refuses a negative value).
"""

import datetime
import json
import uuid
from contextlib import nullcontext
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import audit
from core.errors import ServiceError
from places.models import Household, Unit
from points import evidence
from points import services as points

from .models import (
    Goods,
    Receipt,
    ReceiptLine,
    ReceiptVoid,
    Settings,
    StockEntry,
    Supermarket,
    Suspension,
)

# points.services.redeem (written for the supermarkets) speaks these; they are translated in
# shop's catalogue, which Django merges with the project's at run time.
POINTS_MESSAGES = [
    gettext_noop(
        "Not enough points: the household has %(balance)d points, %(amount)d are needed "
        "(%(shortfall)d short)."
    ),
    gettext_noop("A redemption must spend at least one point."),
]
MAX_LINES = 20
MAX_QUANTITY = 99


def settings_for(township: Unit) -> Settings:
    settings, _created = Settings.objects.get_or_create(township=township)
    return settings


@transaction.atomic
def update_settings(*, township: Unit, keeper_void_days: int, actor) -> Settings:
    settings = settings_for(township)
    before = settings.keeper_void_days
    settings.keeper_void_days = keeper_void_days
    settings.updated_by = actor
    settings.save()
    audit.record(
        actor=actor,
        action="update",
        obj=settings,
        changes={"keeper_void_days": [before, keeper_void_days]},
    )
    return settings


# --- Supermarkets and goods --------------------------------------------------------------------


@transaction.atomic
def create_supermarket(
    *,
    unit: Unit,
    code: str,
    name: str,
    actor,
    opening_hours: str = "",
    address: str = "",
    villages: list[Unit] | None = None,
) -> Supermarket:
    """A supermarket of a township or a village; by default it serves its own village."""
    if unit.kind not in (Unit.Kind.TOWNSHIP, Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY):
        raise ServiceError(
            _("A supermarket belongs to a township or a village."), code="wrong_unit"
        )
    township_id = unit.pk if unit.kind == Unit.Kind.TOWNSHIP else unit.township_id
    if villages is None:
        villages = [] if unit.kind == Unit.Kind.TOWNSHIP else [unit]
    if any(v.township_id != township_id for v in villages):
        raise ServiceError(
            _("A supermarket serves only villages of its own township."), code="other_township"
        )
    code = code.strip().upper()
    if Supermarket.objects.filter(township_id=township_id, code=code).exists():
        raise ServiceError(
            _("Code %(code)s is already used in this township.") % {"code": code},
            code="duplicate_code",
        )
    supermarket = Supermarket.objects.create(
        township_id=township_id,
        unit=unit,
        code=code,
        name=name,
        opening_hours=opening_hours,
        address=address,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    supermarket.villages.set(villages)
    audit.record(
        actor=actor,
        action="create",
        obj=supermarket,
        changes={"code": [None, code], "villages": [None, sorted(v.pk for v in villages)]},
    )
    return supermarket


@transaction.atomic
def create_goods(
    *, supermarket: Supermarket, name: str, unit: str, price: int, actor, photo=None
) -> Goods:
    if price <= 0:
        raise ServiceError(_("A price is at least one point."), code="price")
    if Goods.objects.filter(supermarket=supermarket, name=name).exists():
        raise ServiceError(
            _("%(name)s is already on offer here.") % {"name": name}, code="duplicate_goods"
        )
    goods = Goods(
        township_id=supermarket.township_id,
        supermarket=supermarket,
        name=name,
        unit=unit,
        price=price,
    )
    if photo is not None:
        # The evidence checks: a real image, re-encoded without EXIF (no GPS), bounded size.
        image, _thumb, content_type = evidence.clean_photo(photo)
        suffix = next(sfx for ct, sfx in evidence.FORMATS.values() if ct == content_type)
        goods.photo.save(f"{uuid.uuid4().hex}.{suffix}", ContentFile(image), save=False)
    goods.save()
    audit.record(
        actor=actor, action="create", obj=goods, changes={"price": [None, price], "name": name}
    )
    return goods


@transaction.atomic
def update_goods(
    *, goods: Goods, actor, price: int | None = None, active: bool | None = None
) -> Goods:
    """A new price or taking goods off offer; receipts keep the price they were made at."""
    changes = {}
    if price is not None and price != goods.price:
        if price <= 0:
            raise ServiceError(_("A price is at least one point."), code="price")
        changes["price"] = [goods.price, price]
        goods.price = price
    if active is not None and active != goods.active:
        changes["active"] = [goods.active, active]
        goods.active = active
    if changes:
        goods.save()
        audit.record(actor=actor, action="update", obj=goods, changes=changes)
    return goods


# --- Stock -------------------------------------------------------------------------------------


def stock_on_hand(goods_ids) -> dict[int, int]:
    """{goods id: the sum of its stock entries} for the given goods (0 for none)."""
    ids = list(goods_ids)
    rows = (
        StockEntry.objects.filter(goods_id__in=ids)
        .values("goods_id")
        .annotate(s=Sum("quantity"))
        .values_list("goods_id", "s")
    )
    result = dict.fromkeys(ids, 0)
    result.update(rows)
    return result


def _lock_goods(ids) -> list[Goods]:
    """The goods rows locked in primary-key order; their `on_hand` is current under the lock."""
    return list(Goods.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk"))


def add_on_hand(moves: dict[int, int]) -> None:
    """Keep `Goods.on_hand` equal to the sum of the stock entries just written: {goods id:
    quantity}. The caller holds the goods rows' locks and writes the entries in the same
    transaction."""
    for goods_id, quantity in sorted(moves.items()):
        Goods.objects.filter(pk=goods_id).update(on_hand=F("on_hand") + quantity)


def _entry(goods: Goods, kind: str, quantity: int, actor, now=None, **fields) -> StockEntry:
    now = now or timezone.now()
    return StockEntry(
        township_id=goods.township_id,
        supermarket_id=goods.supermarket_id,
        goods=goods,
        kind=kind,
        quantity=quantity,
        day=timezone.localdate(now),
        created_by=actor,
        created_at=now,
        **fields,
    )


@transaction.atomic
def restock(*, goods: Goods, quantity: int, cost_yuan: Decimal, fund: str, actor) -> StockEntry:
    """Goods bought in: how many, what they cost and which fund paid for them."""
    if quantity <= 0:
        raise ServiceError(_("A restock adds at least one."), code="quantity")
    if cost_yuan is None or Decimal(cost_yuan) < 0:
        raise ServiceError(_("Give the purchase cost in yuan."), code="cost_required")
    if not fund.strip():
        raise ServiceError(_("Say which fund paid for the goods."), code="fund_required")
    _lock_goods([goods.pk])
    entry = _entry(
        goods, StockEntry.Kind.RESTOCK, quantity, actor, cost_yuan=cost_yuan, fund=fund.strip()
    )
    entry.save()
    add_on_hand({goods.pk: quantity})
    audit.record(actor=actor, action="create", obj=entry, changes={"quantity": [None, quantity]})
    return entry


def _short(name: str, unit: str, on_hand: int, wanted: int) -> ServiceError:
    return ServiceError(
        _("Out of stock: only %(left)d %(unit)s of %(name)s left, %(wanted)d wanted.")
        % {"left": max(on_hand, 0), "unit": unit, "name": name, "wanted": wanted},
        code="out_of_stock",
    )


@transaction.atomic
def write_off(*, goods: Goods, quantity: int, reason: str, actor) -> StockEntry:
    """Damaged or expired goods taken out of stock, with the reason."""
    if quantity <= 0:
        raise ServiceError(_("A write-off removes at least one."), code="quantity")
    if not reason.strip():
        raise ServiceError(_("Say why the goods are written off."), code="reason_required")
    goods = _lock_goods([goods.pk])[0]
    if goods.on_hand < quantity:
        raise _short(goods.name, goods.unit, goods.on_hand, quantity)
    entry = _entry(goods, StockEntry.Kind.WRITE_OFF, -quantity, actor, reason=reason.strip())
    entry.save()
    add_on_hand({goods.pk: -quantity})
    audit.record(
        actor=actor,
        action="create",
        obj=entry,
        changes={"quantity": [None, -quantity]},
        reason=reason,
    )
    return entry


@transaction.atomic
def correct_stock_entry(*, entry: StockEntry, reason: str, actor) -> StockEntry:
    """Undo a mistaken restock or write-off with an entry of the opposite quantity."""
    if entry.kind not in (StockEntry.Kind.RESTOCK, StockEntry.Kind.WRITE_OFF):
        raise ServiceError(
            _("Only a restock or a write-off can be corrected here; void the receipt instead."),
            code="not_correctable",
        )
    if not reason.strip():
        raise ServiceError(_("Say why the entry is corrected."), code="reason_required")
    goods = _lock_goods([entry.goods_id])[0]
    if StockEntry.objects.filter(corrects=entry).exists():
        raise ServiceError(_("This entry has already been corrected."), code="already_corrected")
    if goods.on_hand - entry.quantity < 0:
        raise _short(goods.name, goods.unit, goods.on_hand, entry.quantity)
    correction = _entry(
        goods, StockEntry.Kind.CORRECTION, -entry.quantity, actor, reason=reason, corrects=entry
    )
    correction.save()
    add_on_hand({goods.pk: -entry.quantity})
    audit.record(actor=actor, action="create", obj=correction, reason=reason)
    return correction


# --- Suspensions -------------------------------------------------------------------------------


def active_suspension(household: Household, day: datetime.date | None = None):
    day = day or timezone.localdate()
    return (
        Suspension.objects.filter(household=household, starts_on__lte=day, lifted_at__isnull=True)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .first()
    )


@transaction.atomic
def suspend(
    *,
    household: Household,
    reason: str,
    authority: str,
    actor,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> Suspension:
    if not reason.strip() or not authority.strip():
        raise ServiceError(
            _("A suspension needs a reason and the decision it rests on."),
            code="reason_required",
        )
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise ServiceError(_("The suspension ends before it starts."), code="dates")
    suspension = Suspension.objects.create(
        township_id=household.township_id,
        household=household,
        reason=reason.strip(),
        authority=authority.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    audit.record(actor=actor, action="create", obj=suspension, reason=reason)
    return suspension


@transaction.atomic
def lift_suspension(*, suspension: Suspension, actor, reason: str = "") -> Suspension:
    if suspension.lifted_at is not None:
        raise ServiceError(_("This suspension was already lifted."), code="already_lifted")
    suspension.lifted_at = timezone.now()
    suspension.lifted_by = actor
    suspension.save(update_fields=["lifted_at", "lifted_by"])
    audit.record(
        actor=actor,
        action="update",
        obj=suspension,
        changes={"lifted_at": [None, suspension.lifted_at.isoformat()]},
        reason=reason,
    )
    return suspension


# --- Redemption --------------------------------------------------------------------------------


def receipt_number(supermarket: Supermarket, day: datetime.date, seq: int) -> str:
    return f"{supermarket.code}-{day:%Y%m%d}-{seq:04d}"


def clean_lines(lines: dict[int, int]) -> dict[int, int]:
    cleaned = {}
    for goods_id, quantity in lines.items():
        quantity = int(quantity or 0)
        if quantity < 0 or quantity > MAX_QUANTITY:
            raise ServiceError(
                _("A quantity is between 1 and %(n)d.") % {"n": MAX_QUANTITY}, code="quantity"
            )
        if quantity:
            cleaned[int(goods_id)] = quantity
    if not cleaned:
        raise ServiceError(_("Choose at least one of the goods."), code="no_goods")
    if len(cleaned) > MAX_LINES:
        raise ServiceError(_("At most %(n)d goods per receipt.") % {"n": MAX_LINES}, code="lines")
    return cleaned


def redeem(
    *, supermarket: Supermarket, household: Household, lines: dict[int, int], actor
) -> Receipt:
    """The counter: goods for points, in one transaction that never overspends.

    Checks that the supermarket is open, serves the household's village and that the household
    is not suspended; then, under locks, that the stock covers every line and the balance the
    total; writes the points ledger's redemption entry, the receipt, its lines, a stock entry
    per line and the audit row. On PostgreSQL all of it is one call of the database function
    `shop_redeem` (migration 0003), on SQLite `_redeem_in_python`: the same rules, locks and
    rows (shop/tests/test_redeem_function.py compares them).
    """
    lines = clean_lines(lines)
    if connection.vendor == "postgresql":
        now = timezone.now()
        answer = redeem_in_database(
            supermarket=supermarket, household=household, lines=lines, actor=actor, now=now
        )
        body = answer["body"]
        receipt = Receipt(
            pk=body["id"],
            township_id=answer["township"],
            supermarket=supermarket,
            day=timezone.localdate(now),
            seq=answer["seq"],
            number=body["number"],
            household=household,
            village_id=answer["village"],
            points=body["points"],
            balance_after=body["balance_after"],
            entry_id=answer["entry"],
            created_by=actor,
            created_at=now,
        )
        receipt._state.adding, receipt._state.db = False, connection.alias
        return receipt
    return _redeem_in_python(supermarket=supermarket, household=household, lines=lines, actor=actor)


def _closed() -> ServiceError:
    return ServiceError(_("This supermarket is closed."), code="closed")


def _not_served(number: str, village: str, supermarket: Supermarket) -> ServiceError:
    return ServiceError(
        _("Household %(number)s (%(village)s) is not served by %(supermarket)s.")
        % {"number": number, "village": village, "supermarket": supermarket},
        code="not_served",
    )


def _suspended(number: str, reason: str, authority: str) -> ServiceError:
    return ServiceError(
        _("Household %(number)s is suspended from redemptions: %(reason)s (%(authority)s).")
        % {"number": number, "reason": reason, "authority": authority},
        code="suspended",
    )


def _unknown_goods(ids) -> ServiceError:
    return ServiceError(
        _("These goods are not on offer here: %(ids)s.")
        % {"ids": ", ".join(map(str, sorted(ids)))},
        code="unknown_goods",
    )


def _receipt_note() -> str:
    """The ledger note of a redemption in the active language, `%(number)s` left in it."""
    return _("Receipt %(number)s") % {"number": "%(number)s"}


def redeem_in_database(
    *,
    supermarket: Supermarket,
    household: Household,
    lines: dict[int, int],
    actor,
    idempotency: tuple | None = None,
    now: datetime.datetime | None = None,
) -> dict:
    """`redeem` on PostgreSQL: one call of `shop_redeem`. Returns its answer: {"status": 201,
    "body": the counter's answer (receipt id, number, points, balance after, household,
    supermarket), "township", "seq", "village", "entry"} of the receipt.

    `lines` are cleaned (`clean_lines`). With `idempotency` = (user, key, fingerprint) the
    function stores the answer under the key with the effect; if the key is already stored the
    statement is undone and IntegrityError raised (the caller replays the stored answer). A
    refusal raises the ServiceError the Python path raises (the statement wrote nothing).
    The call is one statement, atomic by itself: outside a transaction it runs in autocommit
    (no BEGIN and COMMIT round trips), inside one under a savepoint, so that a concurrent
    request's key (IntegrityError) leaves the caller's transaction usable.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    user, key, fingerprint = idempotency or (None, None, None)
    goods_ids = list(lines)
    params = [
        supermarket.pk,
        household.pk,
        goods_ids,
        [lines[g] for g in goods_ids],
        getattr(actor, "pk", None),
        now,
        day,
        _receipt_note(),
        ContentType.objects.get_for_model(Receipt).pk,
        getattr(user, "pk", None),
        key,
        fingerprint,
    ]
    try:
        with (
            transaction.atomic() if connection.in_atomic_block else nullcontext(),
            connection.cursor() as cursor,
        ):
            cursor.execute(REDEEM_CALL, params)
            answer = cursor.fetchone()[0]
    except DatabaseError as exc:
        diag = getattr(exc.__cause__, "diag", None)
        if diag is None or diag.message_primary != "shop_redeem refused":
            raise
        raise _refusal(json.loads(diag.message_detail), supermarket) from None
    return json.loads(answer) if isinstance(answer, str) else answer


REDEEM_CALL = (
    "SELECT shop_redeem(%s, %s, %s::bigint[], %s::integer[], %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _refusal(answer: dict, supermarket: Supermarket) -> Exception:
    """The exception the Python path raises for the refusal `shop_redeem` reported."""
    code = answer["error"]
    if code == "no_household":
        return Household.DoesNotExist("Household matching query does not exist.")
    if code == "closed":
        return _closed()
    if code == "not_served":
        return _not_served(answer["number"], answer["village"], supermarket)
    if code == "suspended":
        return _suspended(answer["number"], answer["reason"], answer["authority"])
    if code == "unknown_goods":
        return _unknown_goods(answer["ids"])
    if code == "out_of_stock":
        return _short(answer["name"], answer["unit"], answer["left"], answer["wanted"])
    if code == "insufficient_points":
        return points.insufficient_points(answer["balance"], answer["amount"])
    return ServiceError(code=code)


@transaction.atomic
def _redeem_in_python(
    *, supermarket: Supermarket, household: Household, lines: dict[int, int], actor
) -> Receipt:
    """`redeem` through the ORM (SQLite), `lines` cleaned."""
    household = Household.objects.select_related("group__village").get(pk=household.pk)
    village = household.group.village
    if not supermarket.active:
        raise _closed()
    if not supermarket.villages.filter(pk=village.pk).exists():
        raise _not_served(household.number, village.name, supermarket)
    suspension = active_suspension(household)
    if suspension is not None:
        raise _suspended(household.number, suspension.reason, suspension.authority)
    # 1. The supermarket row: receipt numbers of a day follow one another without gaps.
    Supermarket.objects.select_for_update().filter(pk=supermarket.pk).first()
    # The goods with their stock, unlocked: an early look so that the keeper hears "out of
    # stock" before "not enough points"; the check that counts is made again under the goods'
    # locks below.
    goods = {
        g.pk: g
        for g in Goods.objects.filter(supermarket=supermarket, pk__in=list(lines), active=True)
    }
    missing = set(lines) - set(goods)
    if missing:
        raise _unknown_goods(missing)
    for gid, quantity in sorted(lines.items()):
        if goods[gid].on_hand < quantity:
            raise _short(goods[gid].name, goods[gid].unit, goods[gid].on_hand, quantity)
    total = sum(goods[gid].price * quantity for gid, quantity in lines.items())
    now = timezone.now()
    day = timezone.localdate(now)
    seq = (
        Receipt.objects.filter(supermarket=supermarket, day=day)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
        or 0
    ) + 1
    number = receipt_number(supermarket, day, seq)
    # 2. The village's chain head: the balance is read and spent under it.
    entry = points.redeem(
        village=village,
        household=household,
        amount=total,
        actor=actor,
        note=_("Receipt %(number)s") % {"number": number},
    )
    # 3. The goods rows in primary-key order; a price changed meanwhile makes the keeper retry.
    locked = {g.pk: g for g in _lock_goods(lines)}
    if any(locked[gid].price != goods[gid].price or not locked[gid].active for gid in lines):
        raise ServiceError(
            _("A price changed just now; check the goods and confirm again."),
            code="price_changed",
        )
    _check_stock(locked, lines)
    receipt = Receipt(
        township_id=supermarket.township_id,
        supermarket=supermarket,
        day=day,
        seq=seq,
        number=number,
        household=household,
        village=village,
        points=total,
        balance_after=entry.balance_after,
        entry=entry,
        created_by=actor,
        created_at=now,
    )
    receipt.save()
    ReceiptLine.objects.bulk_create(
        ReceiptLine(
            receipt=receipt,
            goods_id=gid,
            quantity=quantity,
            price=locked[gid].price,
            points=locked[gid].price * quantity,
        )
        for gid, quantity in sorted(lines.items())
    )
    StockEntry.objects.bulk_create(
        _entry(locked[gid], StockEntry.Kind.REDEMPTION, -quantity, actor, now, receipt=receipt)
        for gid, quantity in sorted(lines.items())
    )
    add_on_hand({gid: -quantity for gid, quantity in lines.items()})
    audit.record(
        actor=actor,
        action="create",
        obj=receipt,
        changes={"points": [None, total], "lines": [None, {str(k): v for k, v in lines.items()}]},
    )
    return receipt


def _check_stock(goods: dict[int, Goods], lines: dict[int, int]) -> None:
    """The stock of every line, read from the locked goods rows."""
    for gid, quantity in sorted(lines.items()):
        if goods[gid].on_hand < quantity:
            raise _short(goods[gid].name, goods[gid].unit, goods[gid].on_hand, quantity)


def keeper_may_void(receipt: Receipt, today: datetime.date | None = None) -> bool:
    """Within the township's window: the day of the redemption plus `keeper_void_days`."""
    today = today or timezone.localdate()
    days = settings_for(receipt.supermarket.township).keeper_void_days
    return today <= receipt.day + datetime.timedelta(days=days)


@transaction.atomic
def void_receipt(*, receipt: Receipt, actor, authority: str, reason: str = "") -> ReceiptVoid:
    """Give the points back (a reversal entry in the ledger) and the goods back to stock.

    `authority` is what the caller checked: the keeper (only within the void window) or a
    township administrator (any time, with a reason).
    """
    receipt = (
        Receipt.objects.select_for_update()
        .select_related("supermarket", "entry")
        .get(pk=receipt.pk)
    )
    if ReceiptVoid.objects.filter(receipt=receipt).exists():
        raise ServiceError(
            _("Receipt %(number)s is already void.") % {"number": receipt.number},
            code="already_void",
        )
    reason = reason.strip()
    if authority == ReceiptVoid.Authority.KEEPER:
        if not keeper_may_void(receipt):
            raise ServiceError(
                _(
                    "The keeper's time to void receipt %(number)s has passed; a township "
                    "administrator may void it, with a reason."
                )
                % {"number": receipt.number},
                code="void_window_passed",
            )
    elif authority == ReceiptVoid.Authority.TOWNSHIP:
        if not reason:
            raise ServiceError(_("Say why the receipt is voided."), code="reason_required")
    else:
        raise ServiceError(_("Unknown authority."), code="authority")
    reversal = points.reverse_entry(
        entry=receipt.entry,
        actor=actor,
        reason=_("Receipt %(number)s voided. %(reason)s")
        % {"number": receipt.number, "reason": reason},
    )
    now = timezone.now()
    void = ReceiptVoid.objects.create(
        township_id=receipt.township_id,
        receipt=receipt,
        reason=reason,
        authority=authority,
        reversal=reversal,
        voided_by=actor,
        voided_at=now,
    )
    lines = list(receipt.lines.all())
    # The goods rows' locks (after the chain head's, as in a redemption) keep `on_hand`.
    goods = {g.pk: g for g in _lock_goods(ln.goods_id for ln in lines)}
    StockEntry.objects.bulk_create(
        _entry(
            goods[line.goods_id], StockEntry.Kind.RETURN, line.quantity, actor, now, receipt=receipt
        )
        for line in lines
    )
    add_on_hand({line.goods_id: line.quantity for line in lines})
    audit.record(
        actor=actor,
        action="void",
        obj=receipt,
        changes={"void": [None, authority]},
        reason=reason,
    )
    return void
