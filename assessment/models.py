"""Monthly assessment (党建+积分考核, 红黑榜): items per grid level, the month close with its
scores, lines, rankings and threshold cases, the frozen publication, and the villages' yearly
key-work appraisal.

A close's rows (scores, lines, rankings, cases) are recomputed wholesale until the close is
published; after that they are frozen (PostgreSQL triggers refuse changes to a published
close's rows) and corrections go into the next month.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from people.models import RoleAssignment
from places.models import Unit

USER = settings.AUTH_USER_MODEL
SCORE = {"max_digits": 9, "decimal_places": 4}


class Source(models.TextChoices):
    """Where a line of a grid's monthly score comes from."""

    TICKET_WHITE = "ticket_white", _("White ticket (reminder)")
    TICKET_YELLOW = "ticket_yellow", _("Yellow ticket (warning interview)")
    TICKET_RED = "ticket_red", _("Red ticket (accountability)")
    FINDING = "finding", _("Inspection or supervision finding")
    TASK_DONE = "task_done", _("Work-list task completed")
    HOUSEHOLD_POINTS = "household_points", _("Households' civility points")
    ADJUSTMENT = "adjustment", _("Commendation or deduction")


# The seed articles' values (white −1, yellow −3, red −10) and the platform's own defaults for
# the rest; every township can change them, per grid level.
DEFAULT_ITEMS = {
    Source.TICKET_WHITE: Decimal("-1"),
    Source.TICKET_YELLOW: Decimal("-3"),
    Source.TICKET_RED: Decimal("-10"),
    Source.FINDING: Decimal("-2"),
    Source.TASK_DONE: Decimal("1"),
    # Per point of the month's net household points, averaged over the grid's households.
    Source.HOUSEHOLD_POINTS: Decimal("0.1"),
}


class Settings(models.Model):
    """A township's assessment rules besides TownshipConfig's thresholds and list sizes."""

    township = models.OneToOneField(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    base_score = models.DecimalField(_("base score"), max_digits=6, decimal_places=1, default=100)
    excellent_villages = models.PositiveSmallIntegerField(
        _("villages rated excellent each year"), default=3
    )
    excellent_reward = models.PositiveIntegerField(
        _("reward per excellent village (yuan)"), default=10000
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("assessment settings")
        verbose_name_plural = _("assessment settings")

    def __str__(self):
        return str(self.township)


class Item(models.Model):
    """An item of a grid level's assessment list: what a source record is worth."""

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    grid_level = models.PositiveSmallIntegerField(
        _("grid level"),
        null=True,
        blank=True,
        help_text=_("Empty: every level without an item of its own for this source."),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    name = models.CharField(_("assessment item"), max_length=100)
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["township_id", "grid_level", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "grid_level", "source"], name="assessment_item_level"
            ),
            models.UniqueConstraint(
                fields=["township", "source"],
                condition=Q(grid_level__isnull=True),
                name="assessment_item_default",
            ),
            models.CheckConstraint(
                condition=~Q(source="adjustment"), name="assessment_item_not_adjustment"
            ),
        ]

    def __str__(self):
        return self.name


class Adjustment(models.Model):
    """A commendation (+) or deduction (−) for a grid in a month, with its authority."""

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    authority = models.CharField(_("authority (meeting or decision)"), max_length=200)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commendation or deduction")
        verbose_name_plural = _("commendations and deductions")
        indexes = [models.Index(fields=["township", "month"])]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="assessment_adjustment_not_zero")
        ]

    def __str__(self):
        return f"{self.unit} {self.month:%Y-%m} {self.points:+}"


class Close(models.Model):
    """A township's month close: computed (again and again) until published, then frozen."""

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("month close", "Queued")
        RUNNING = "running", _("Computing")
        COMPUTED = "computed", _("Computed, not published")
        FAILED = "failed", _("Failed")
        PUBLISHED = "published", pgettext_lazy("month close", "Published")

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)  # percent
    step = models.CharField(_("step"), max_length=100, blank=True)
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveIntegerField(_("times computed"), default=0)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authority = models.CharField(_("authority (meeting or decision)"), max_length=200, blank=True)
    content = models.JSONField(null=True, blank=True)  # what was published, frozen
    content_hash = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)  # the township's previous one
    # The computation that has it (closes of one month are computed together, one statement per
    # step for all their townships), and from which month it counts records not counted yet.
    run = models.UUIDField(null=True, blank=True, editable=False, db_index=True)
    since = models.DateField(_("counts records from"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("month close")
        verbose_name_plural = _("month closes")
        ordering = ["township_id", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["township", "month"], name="assessment_close_month"),
        ]

    def __str__(self):
        return f"{self.township} {self.month:%Y-%m}"

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class Score(models.Model):
    """A unit's score in a close: a grid (or the township) on the grid tree, or a village."""

    class Kind(models.TextChoices):
        GRID = "grid", _("Grid")
        VILLAGE = "village", _("Village or community")

    close = models.ForeignKey(Close, on_delete=models.CASCADE, related_name="scores")
    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    parent_id = models.BigIntegerField(null=True)  # the grid tree parent (grids only)
    depth = models.PositiveSmallIntegerField()  # 1 = the township
    score = models.DecimalField(_("score"), **SCORE)
    own_points = models.DecimalField(_("own lines"), **SCORE)
    children = models.PositiveIntegerField(_("units averaged"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["close", "kind", "unit"], name="assessment_score_unit"),
        ]
        indexes = [models.Index(fields=["close", "parent_id"])]  # a unit's children

    def __str__(self):
        return f"{self.unit_id}: {self.score}"


class Line(models.Model):
    """One line of a unit's score, traceable to its source record."""

    # Lines are derived rows, written only by the close's INSERT … SELECT over existing rows and
    # replaced with each computation: no per-row foreign-key checks or single-column indexes in
    # the database (they doubled the cost of writing a county's 300,000 lines); the relations
    # are Django's, and (close, unit) and (source, source_id) are the indexes that are read.
    close = models.ForeignKey(
        Close, on_delete=models.CASCADE, related_name="lines", db_index=False, db_constraint=False
    )
    township = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    item = models.ForeignKey(
        Item,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    source_id = models.BigIntegerField(null=True)  # the ticket, problem, task or adjustment
    count = models.PositiveIntegerField(default=1)  # household points: entries summed
    points = models.DecimalField(_("points"), **SCORE)

    class Meta:
        verbose_name = _("score line")
        verbose_name_plural = _("score lines")
        indexes = [
            models.Index(fields=["close", "unit"]),
            models.Index(fields=["source", "source_id"]),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.source} {self.points}"


class Ranking(models.Model):
    """A village's place in its township's month ranking, and the list it is on."""

    class List(models.TextChoices):
        RED = "red", _("Red list")
        BLACK = "black", _("Black list")
        NONE = "", _("Neither")

    close = models.ForeignKey(Close, on_delete=models.CASCADE, related_name="rankings")
    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField(_("rank"))
    score = models.DecimalField(_("score"), **SCORE)
    on_list = models.CharField(_("list"), max_length=5, choices=List.choices, blank=True)

    class Meta:
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")
        ordering = ["close_id", "rank", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["close", "unit"], name="assessment_ranking_unit"),
        ]

    def __str__(self):
        return f"{self.rank}. {self.unit_id}"


class Case(models.Model):
    """A threshold case: a chief's score in the warning band (谈话提醒) or below it (待岗处理)."""

    class Kind(models.TextChoices):
        TALK = "talk", _("Warning talk (谈话提醒)")
        SUSPENSION = "suspension", _("Suspension proposal (待岗处理)")

    class State(models.TextChoices):
        OPEN = "open", _("To be handled")
        TALK_HELD = "talk_held", _("Talk held")
        SUSPENDED = "suspended", _("Suspension decided")
        REPLACED = "replaced", _("Replacement appointed")
        DISMISSED = "dismissed", _("Not pursued")

    close = models.ForeignKey(Close, on_delete=models.CASCADE, related_name="cases")
    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    assignment = models.ForeignKey(RoleAssignment, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("case"), max_length=10, choices=Kind.choices)
    score = models.DecimalField(_("score"), **SCORE)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="open")

    class Meta:
        verbose_name = _("threshold case")
        verbose_name_plural = _("threshold cases")
        ordering = ["close_id", "score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["close", "assignment"], name="assessment_case_once"),
        ]

    def __str__(self):
        return f"{self.user} {self.get_kind_display()}"


class CaseAction(models.Model):
    """What was done about a case (insert-only): who, when, on whose authority."""

    class Kind(models.TextChoices):
        TALK_HELD = "talk_held", _("Talk held")
        SUSPENDED = "suspended", _("Suspension decided")
        REPLACED = "replaced", _("Replacement appointed")
        DISMISSED = "dismissed", _("Not pursued")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="actions")
    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("action"), max_length=10, choices=Kind.choices)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500)
    authority = models.CharField(_("authority (meeting or decision)"), max_length=200)
    new_assignment = models.ForeignKey(
        RoleAssignment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case action")
        verbose_name_plural = _("case actions")
        ordering = ["case_id", "at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Case actions are insert-only.")
        super().save(*args, **kwargs)


class KeyWork(models.Model):
    """An item of the villages' yearly appraisal (004): petitions, safety, revitalisation."""

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("key work"), max_length=100)
    max_points = models.DecimalField(_("at most"), max_digits=6, decimal_places=1, default=10)

    class Meta:
        verbose_name = _("key-work item")
        verbose_name_plural = _("key-work items")
        ordering = ["township_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="assessment_keywork_name"),
        ]

    def __str__(self):
        return self.name


class KeyWorkMark(models.Model):
    """A village's marks on a key-work item for a year (insert-only: corrections are new marks)."""

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(KeyWork, on_delete=models.PROTECT, related_name="marks")
    year = models.PositiveSmallIntegerField(_("year"))
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=1)
    note = models.CharField(_("reason"), max_length=300)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("key-work mark")
        verbose_name_plural = _("key-work marks")
        indexes = [models.Index(fields=["township", "year"])]

    def __str__(self):
        return f"{self.village_id} {self.item_id} {self.year}: {self.points}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Key-work marks are insert-only.")
        super().save(*args, **kwargs)
