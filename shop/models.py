"""Points supermarkets (积分超市): supermarkets, goods, insert-only stock entries, receipts.

Stock and receipts are money-like: rows are only ever inserted (PostgreSQL triggers refuse
UPDATE and DELETE, migration 0002); stock on hand is the sum of a goods' entries, and a voided
receipt keeps its rows and gains a `ReceiptVoid` with the reversing entries.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from places.models import Household, Unit
from points.models import Entry


class InsertOnly(models.Model):
    """Rows that are written once: corrections are new rows."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} rows are insert-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are never deleted.")


class Settings(models.Model):
    """A township's rules for its supermarkets (made with defaults on first use)."""

    township = models.OneToOneField(
        Unit, primary_key=True, on_delete=models.PROTECT, related_name="shop_settings"
    )
    keeper_void_days = models.PositiveSmallIntegerField(
        _("days a keeper may void a receipt"),
        default=0,
        help_text=_(
            "0: only on the day of the redemption; 1: also the next day, and so on. Later only "
            "a township administrator may void, with a reason."
        ),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("supermarket settings")
        verbose_name_plural = _("supermarket settings")

    def __str__(self):
        return f"{self.township_id}"


class Supermarket(models.Model):
    """A points supermarket run by a township or a village; its keepers hold the keeper role
    on `unit`."""

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="supermarkets")
    code = models.CharField(
        _("code"), max_length=8, help_text=_("Short code printed on receipt numbers, e.g. DY03.")
    )
    name = models.CharField(_("name"), max_length=100)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    villages = models.ManyToManyField(
        Unit, related_name="served_by_supermarkets", verbose_name=_("villages served")
    )
    active = models.BooleanField(_("open"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points supermarket")
        verbose_name_plural = _("points supermarkets")
        ordering = ["township_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["township", "code"], name="supermarket_code"),
        ]

    def __str__(self):
        return self.name


class Goods(models.Model):
    """Something a supermarket gives for points."""

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    supermarket = models.ForeignKey(Supermarket, on_delete=models.PROTECT, related_name="goods")
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(_("unit"), max_length=10, help_text=_("瓶, 袋, 个 …"))
    price = models.PositiveIntegerField(_("price in points"))
    photo = models.FileField(_("photo"), upload_to="shop/goods/%Y/%m/", blank=True)
    active = models.BooleanField(_("on offer"), default=True)
    # The sum of the goods' stock entries, kept by the services that write them (under the
    # goods row's lock, in the same transaction) so that a redemption need not add up the
    # goods' whole history. The entries stay the record: reconciliation sums them, and the
    # tests check that the two agree. Written only by `add_on_hand`, never by save().
    on_hand = models.IntegerField(_("in stock"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("goods")
        verbose_name_plural = _("goods")
        ordering = ["supermarket_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["supermarket", "name"], name="goods_name"),
            models.CheckConstraint(condition=Q(price__gt=0), name="goods_price_positive"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="goods_on_hand_not_negative"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """An update never writes `on_hand`: a stale copy would overwrite the kept sum."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "on_hand" and f.attname not in deferred
            ]
        super().save(*args, **kwargs)


class Receipt(InsertOnly):
    """One redemption at the counter: numbered per supermarket and day (DY03-20261123-0007)."""

    # No index of their own on township, supermarket and household: the indexes below lead with
    # them (each index is one more write per receipt).
    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False)
    supermarket = models.ForeignKey(
        Supermarket, on_delete=models.PROTECT, related_name="receipts", db_index=False
    )
    day = models.DateField(_("day"))
    seq = models.PositiveIntegerField()
    number = models.CharField(_("receipt number"), max_length=32, unique=True)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    village = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField(_("points spent"))
    balance_after = models.IntegerField(_("balance after"))
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="shop_receipt")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["household", "-created_at"]),
            models.Index(fields=["township", "day"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["supermarket", "day", "seq"], name="receipt_day_seq"),
            models.CheckConstraint(condition=Q(points__gt=0), name="receipt_points_positive"),
        ]

    def __str__(self):
        return self.number


class ReceiptLine(InsertOnly):
    """Goods and quantity on a receipt, at the price of the moment."""

    receipt = models.ForeignKey(  # indexed by line_goods_once (receipt, goods)
        Receipt, on_delete=models.PROTECT, related_name="lines", db_index=False
    )
    goods = models.ForeignKey(Goods, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    price = models.PositiveIntegerField(_("price in points"))
    points = models.PositiveIntegerField(_("points"))

    class Meta:
        verbose_name = _("receipt line")
        verbose_name_plural = _("receipt lines")
        ordering = ["receipt_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive"),
            models.UniqueConstraint(fields=["receipt", "goods"], name="line_goods_once"),
        ]

    def __str__(self):
        return f"{self.goods_id}×{self.quantity}"


class ReceiptVoid(InsertOnly):
    """A voided receipt: points given back (a reversal entry) and the goods returned to stock."""

    class Authority(models.TextChoices):
        KEEPER = "keeper", _("Keeper, within the void window")
        TOWNSHIP = "township", _("Township administrator")

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    receipt = models.OneToOneField(Receipt, on_delete=models.PROTECT, related_name="void")
    reason = models.CharField(_("reason"), max_length=300)
    authority = models.CharField(_("authority"), max_length=10, choices=Authority.choices)
    reversal = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="shop_void")
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField()

    class Meta:
        verbose_name = _("voided receipt")
        verbose_name_plural = _("voided receipts")

    def __str__(self):
        return f"{self.receipt_id} void"


class StockEntry(InsertOnly):
    """A change of a goods' stock: insert-only; stock on hand is the sum of `quantity`."""

    class Kind(models.TextChoices):
        RESTOCK = "restock", _("Restock")
        REDEMPTION = "redemption", _("Redemption")
        RETURN = "return", _("Return (voided receipt)")
        WRITE_OFF = "write_off", _("Write-off")
        CORRECTION = "correction", _("Correction of an entry")

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    # Indexed by (goods, day) and (supermarket, day) below.
    supermarket = models.ForeignKey(
        Supermarket, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    goods = models.ForeignKey(
        Goods, on_delete=models.PROTECT, related_name="stock_entries", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    quantity = models.IntegerField(_("quantity"))
    cost_yuan = models.DecimalField(
        _("purchase cost (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    fund = models.CharField(_("paid from fund"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    receipt = models.ForeignKey(
        Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="stock_entries"
    )
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    day = models.DateField(_("day"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("stock entry")
        verbose_name_plural = _("stock entries")
        ordering = ["goods_id", "id"]
        indexes = [
            models.Index(fields=["goods", "day"]),
            models.Index(fields=["supermarket", "day"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stock_quantity_not_zero"),
            models.CheckConstraint(
                condition=~Q(kind="restock")
                | (Q(quantity__gt=0) & Q(cost_yuan__isnull=False) & ~Q(fund="")),
                name="restock_has_cost_and_fund",
            ),
            models.CheckConstraint(
                condition=~Q(kind="write_off") | (Q(quantity__lt=0) & ~Q(reason="")),
                name="write_off_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind="redemption") | (Q(quantity__lt=0) & Q(receipt__isnull=False)),
                name="redemption_has_receipt",
            ),
            models.CheckConstraint(
                condition=~Q(kind="return") | (Q(quantity__gt=0) & Q(receipt__isnull=False)),
                name="return_has_receipt",
            ),
        ]

    def __str__(self):
        return f"{self.goods_id} {self.kind} {self.quantity:+d}"


class Suspension(models.Model):
    """A household suspended from redemptions, on someone's authority, until lifted."""

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    authority = models.CharField(
        _("authority"), max_length=200, help_text=_("The decision it rests on, e.g. 村两委会议.")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("suspension from redemptions")
        verbose_name_plural = _("suspensions from redemptions")
        indexes = [models.Index(fields=["household", "starts_on"])]

    def __str__(self):
        return f"{self.household_id} {self.starts_on}"
