"""Household points (积分制): village points lists, proposals with review, a hash-chained ledger."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from places.models import Household, Unit


class Category(models.TextChoices):
    GRATITUDE = "gratitude", _("Gratitude (感恩意识)")
    MORALITY = "morality", _("Social morality (社会公德)")
    LAW = "law", _("Law-abiding (遵规守法)")
    CUSTOMS = "customs", _("Changing customs (移风易俗)")
    FAMILY = "family", _("Family tradition (家风家教)")
    SANITATION = "sanitation", _("Sanitation and 门前三包")
    OTHER = "other", _("The village's own")


class PointsList(models.Model):
    """One version of a points list (农户积分清单): a village's, or a township template."""

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="points_lists"
    )
    version = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))
    title = models.CharField(_("title"), max_length=100)
    basis = models.CharField(
        _("basis"),
        max_length=300,
        blank=True,
        help_text=_("The villagers' meeting or village rules (村规民约) this list comes from."),
    )
    adopted_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points list")
        verbose_name_plural = _("points lists")
        ordering = ["township_id", "village_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "village", "version"], name="points_list_version"
            ),
            models.UniqueConstraint(
                fields=["township", "version"],
                condition=Q(village__isnull=True),
                name="points_template_version",
            ),
        ]

    def __str__(self):
        return f"{self.title} v{self.version}"

    @property
    def is_template(self) -> bool:
        return self.village_id is None


class Item(models.Model):
    """A line of a points list: what adds or deducts points, and how many."""

    points_list = models.ForeignKey(PointsList, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(_("code"), max_length=10)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    name = models.CharField(_("item"), max_length=200)
    value = models.IntegerField(_("points"))
    monthly_cap = models.PositiveIntegerField(
        _("monthly cap"),
        null=True,
        blank=True,
        help_text=_("At most this many points (added or deducted) per household per month."),
    )
    evidence_required = models.BooleanField(_("photo required"), default=False)

    class Meta:
        verbose_name = _("points item")
        verbose_name_plural = _("points items")
        ordering = ["points_list_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["points_list", "code"], name="item_code"),
            models.CheckConstraint(condition=~Q(value=0), name="item_value_not_zero"),
        ]

    def __str__(self):
        return f"{self.code} {self.name} ({self.value:+d})"


class AppraisalBatch(models.Model):
    """A 联户评 appraisal: one form with a row per household of a 联户 for one month."""

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    joint = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("month"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("joint appraisal")
        verbose_name_plural = _("joint appraisals")

    def __str__(self):
        return f"{self.joint} {self.period:%Y-%m}"


class Proposal(models.Model):
    """A proposed award or deduction for one household, waiting for review."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="points_proposals"
    )
    # Copies of the household's paths for scope filters, as on Household.
    group_path = models.CharField(max_length=64, db_index=True, editable=False)
    joint_path = models.CharField(max_length=64, db_index=True, editable=False)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    amount = models.IntegerField(_("points"))
    period = models.DateField(_("month"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    batch = models.ForeignKey(
        AppraisalBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("points proposal")
        verbose_name_plural = _("points proposals")
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["township", "state"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="proposal_amount_not_zero"),
        ]

    def __str__(self):
        return f"{self.household} {self.item.code} {self.amount:+d}"


class Evidence(models.Model):
    """A photo backing a proposal, stored without its location data."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="evidence")
    image = models.FileField(upload_to="points/evidence/%Y/%m/")
    thumbnail = models.FileField(upload_to="points/thumbs/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")

    def __str__(self):
        return self.image.name


class Entry(models.Model):
    """A ledger line: insert-only, hash-chained per village. Corrections are reversing entries."""

    class Kind(models.TextChoices):
        AWARD = "award", _("Award or deduction")
        REVERSAL = "reversal", _("Correction")
        REDEMPTION = "redemption", _("Redemption")

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    # Indexed by entry_village_seq (village, seq) and (household, seq), not on their own: each
    # index is one more write per entry.
    village = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount = models.IntegerField(_("points"))
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period = models.DateField(_("month"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    proposal = models.OneToOneField(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="entry"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["village_id", "seq"]
        indexes = [
            models.Index(fields=["household", "seq"]),
            models.Index(fields=["village", "period"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["village", "seq"], name="entry_village_seq"),
            models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_not_zero"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.household} {self.amount:+d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Ledger entries are insert-only; write a reversing entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are never deleted; write a reversing entry instead.")


class ChainHead(models.Model):
    """The last entry of a village's chain; locked to serialise appends."""

    village = models.OneToOneField(
        Unit, primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("chain head")
        verbose_name_plural = _("chain heads")

    def __str__(self):
        return f"{self.village_id}#{self.seq}"


class BalanceSnapshot(models.Model):
    """A household's balance through entry `through_seq` of its village's chain."""

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    through_seq = models.PositiveBigIntegerField()
    balance = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "month"], name="snapshot_month"),
        ]
        indexes = [models.Index(fields=["household", "-month"])]

    def __str__(self):
        return f"{self.household} {self.month:%Y-%m} {self.balance}"


class Appeal(models.Model):
    """A household disputes an entry; an upheld appeal writes a reversing entry."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        UPHELD = "upheld", _("Upheld: the entry is reversed")
        DISMISSED = "dismissed", _("Dismissed")

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="appeals")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=500, blank=True)
    reversal = models.OneToOneField(
        Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=Q(state="pending"), name="one_open_appeal_per_entry"
            ),
        ]

    def __str__(self):
        return f"{self.entry} · {self.get_state_display()}"


class Publication(models.Model):
    """A quarter's points of every household of a village, frozen as published (每季度公布)."""

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    quarter = models.CharField(_("quarter"), max_length=7)  # "2026-Q3"
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    chain_seq = models.PositiveBigIntegerField()
    chain_hash = models.CharField(max_length=64)
    rows = models.JSONField()
    content_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("points publication")
        verbose_name_plural = _("points publications")
        constraints = [
            models.UniqueConstraint(fields=["village", "quarter"], name="publication_quarter"),
        ]

    def __str__(self):
        return f"{self.village} {self.quarter}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Publications are frozen.")
        super().save(*args, **kwargs)


class PointsCard(models.Model):
    """The token printed as a QR code on a household's points card, for public verification."""

    household = models.OneToOneField(Household, on_delete=models.PROTECT, related_name="card")
    token = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.token
