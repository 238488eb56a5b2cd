"""Work lists, problem ledgers and three-colour supervision (see docs/ARCHITECTURE.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from places.models import ResponsibilityArea, Unit

USER = settings.AUTH_USER_MODEL


class Settings(models.Model):
    """A township's escalation rules for three-colour supervision (三色督办).

    White when the deadline has passed (the day after it); yellow `yellow_after_days` after the
    white, or at once on a responsible person's second white within `repeat_window_days`; red
    `red_after_days` after the yellow, or at once on a second yellow within the window. "Second"
    means: the person already has another ticket of that colour in this township, on another
    problem, due in the window's days up to this one's due date (work/escalation.py).
    """

    township = models.OneToOneField(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="work_settings"
    )
    yellow_after_days = models.PositiveSmallIntegerField(_("days from white to yellow"), default=3)
    red_after_days = models.PositiveSmallIntegerField(_("days from yellow to red"), default=7)
    repeat_window_days = models.PositiveSmallIntegerField(
        _("window for a second ticket (days)"),
        default=30,
        help_text=_(
            "A responsible person's second white (or yellow) ticket within this many days, "
            "counted back from the new ticket's date, escalates the new one at once."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("supervision settings")
        verbose_name_plural = _("supervision settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(yellow_after_days__gte=1, red_after_days__gte=1),
                name="work_settings_days",
            )
        ]

    def __str__(self):
        return str(self.township)


class WorkList(models.Model):
    """A month's work list (月初开出清单) issued by a township or a village."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        PUBLISHED = "published", _("Published (月末公示)")

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="work_lists"
    )
    unit_path = models.CharField(max_length=64, db_index=True, editable=False)
    month = models.DateField(_("month"))
    title = models.CharField(_("title"), max_length=120)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="draft")
    copied_from = models.ForeignKey(
        "self", verbose_name=_("copied from"), null=True, blank=True, on_delete=models.PROTECT
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("work list")
        verbose_name_plural = _("work lists")
        ordering = ["-month", "unit_path"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="work_list_month_first_day"),
        ]

    def __str__(self):
        return self.title


class Task(models.Model):
    """One line of a work list: for a grid, a responsibility area or a person, with a due date."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        REPORTED = "reported", _("Reported done")
        CONFIRMED = "confirmed", _("Confirmed")

    work_list = models.ForeignKey(WorkList, on_delete=models.PROTECT, related_name="tasks")
    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("task"), max_length=200)
    done_when = models.CharField(_("what counts as done"), max_length=300)
    due_on = models.DateField(_("due"))
    grid = models.ForeignKey(
        Unit,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        ResponsibilityArea,
        verbose_name=_("responsibility area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        USER,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_tasks",
    )
    # Where the task lies in the tree (the grid, the area's grid or the issuing unit).
    unit_path = models.CharField(max_length=64, db_index=True, editable=False)
    village_path = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="open")
    confirmed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grid__isnull=False) | Q(area__isnull=False) | Q(assignee__isnull=False),
                name="work_task_has_target",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def target(self) -> str:
        return str(self.area or self.grid or self.assignee)


class TaskReport(models.Model):
    """Progress, completion, a chief's confirmation or return, or a supervision note."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress")
        DONE = "done", _("Done")
        CONFIRM = "confirm", _("Confirmed")
        RETURN = "return", _("Sent back")
        SUPERVISION = "supervision", _("Supervision note (月中督促)")

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("task report")
        verbose_name_plural = _("task reports")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.task} · {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Task reports are insert-only.")
        super().save(*args, **kwargs)


class Problem(models.Model):
    """A line of the problem ledger (问题台账): what is wrong, where, who rectifies by when."""

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("Inspection")
        SUPERVISION = "supervision", _("Supervision round")
        GRID_MEMBER = "grid_member", _("Grid member")
        VILLAGER = "villager", _("Villager")

    class Category(models.TextChoices):
        SANITATION = "sanitation", _("Environmental sanitation")
        DOORSTEP = "doorstep", _("门前三包")
        ROAD = "road", _("Roads")
        WATER = "water", _("Rivers and ditches")
        STRUCTURE = "structure", _("Illegal structures")
        BOARD = "board", _("Public board")
        SAFETY = "safety", _("Safety")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        RECTIFYING = "rectifying", _("Rectifying")
        SUBMITTED = "submitted", _("Submitted for acceptance")
        CLOSED = "closed", _("Closed (销号)")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ACTIVE = (State.OPEN, State.RECTIFYING)  # what escalates when overdue
    ENDED = (State.CLOSED, State.WITHDRAWN)

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(
        Unit, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(
        Unit,
        verbose_name=_("villagers' group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grid = models.ForeignKey(
        Unit, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        ResponsibilityArea,
        verbose_name=_("responsibility area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grid_path = models.CharField(max_length=64, db_index=True, editable=False)
    village_path = models.CharField(max_length=64, db_index=True, editable=False)
    place = models.CharField(pgettext_lazy("location", "place"), max_length=200)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.CharField(_("problem"), max_length=500)
    requirement = models.CharField(_("rectification requirement"), max_length=500)
    responsible = models.ForeignKey(
        USER,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="work_problems",
    )
    deadline = models.DateField(pgettext_lazy("rectification", "deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="open")
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    raised_on = models.DateField(_("raised on"))
    created_at = models.DateTimeField(auto_now_add=True)
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-raised_on", "-id"]
        indexes = [
            # escalate's scan: active problems of a township past their deadline
            models.Index(fields=["township", "state", "deadline"], name="work_problem_due"),
            models.Index(fields=["responsible", "state"], name="work_problem_resp"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(state="closed"),
                name="work_problem_closed_on",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(state="withdrawn"),
                name="work_problem_withdrawn_on",
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="work_problem_coordinates",
            ),
        ]

    def __str__(self):
        return f"{self.place}: {self.description[:40]}"


class ProblemEvent(models.Model):
    """One transition of a problem: who moved it from which state to which, when, and why."""

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="events")
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10, choices=Problem.State.choices)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("problem history")
        verbose_name_plural = _("problem history")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.problem_id}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Problem history is insert-only.")
        super().save(*args, **kwargs)

    @property
    def from_state_display(self) -> str:
        return Problem.State(self.from_state).label if self.from_state else ""


class Photo(models.Model):
    """A photo of a problem transition or a task report, stored without its EXIF data."""

    event = models.ForeignKey(
        ProblemEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    report = models.ForeignKey(
        TaskReport, null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    image = models.FileField(upload_to="work/photos/%Y/%m/")
    thumbnail = models.FileField(upload_to="work/thumbs/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False, report__isnull=True)
                | Q(event__isnull=True, report__isnull=False),
                name="work_photo_owner",
            )
        ]

    def __str__(self):
        return self.image.name


class Ticket(models.Model):
    """A three-colour supervision ticket (白单 督促提醒, 黄单 警示约谈, 红单 追责问责)."""

    class Colour(models.TextChoices):
        WHITE = "white", _("White: reminder")
        YELLOW = "yellow", _("Yellow: warning interview")
        RED = "red", _("Red: accountability")

    class Reason(models.TextChoices):
        OVERDUE = "overdue", _("Deadline passed")
        DAYS = "days", _("Not rectified in the days allowed")
        SECOND = "second", _("Second ticket of the person within the window")

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="tickets")
    colour = models.CharField(_("colour"), max_length=6, choices=Colour.choices)
    reason = models.CharField(_("reason"), max_length=8, choices=Reason.choices)
    due_on = models.DateField(_("due on"), help_text=_("The day the rules call for the ticket."))
    issued_on = models.DateField(_("issued on"))
    grid = models.ForeignKey(
        Unit, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    responsible = models.ForeignKey(
        USER, verbose_name=_("responsible person"), on_delete=models.PROTECT, related_name="+"
    )
    chief = models.ForeignKey(
        USER,
        verbose_name=_("grid chief"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    interview_on = models.DateField(_("interview held on"), null=True, blank=True)
    interview_note = models.TextField(_("interview"), blank=True)
    accountability = models.TextField(_("accountability decided"), blank=True)
    followed_up_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supervision ticket")
        verbose_name_plural = _("supervision tickets")
        ordering = ["-due_on", "-id"]
        indexes = [
            models.Index(fields=["township", "due_on"], name="work_ticket_month"),
            models.Index(fields=["responsible", "colour", "due_on"], name="work_ticket_person"),
        ]
        constraints = [
            # One ticket of each colour per problem: escalate may run any number of times.
            models.UniqueConstraint(fields=["problem", "colour"], name="work_ticket_once"),
        ]

    def __str__(self):
        return f"{self.get_colour_display()} · {self.problem}"


class Draw(models.Model):
    """A random assessment draw (随机考核): who was drawn, from what, with which seed."""

    class Kind(models.TextChoices):
        GRIDS = "grids", _("Grids")
        AREAS = "areas", _("Responsibility areas")

    METHOD = "random.Random(seed).sample(sorted ids, size)"

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, verbose_name=_("drawn from"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(max_length=64, db_index=True, editable=False)
    month = models.DateField(_("month"))
    kind = models.CharField(_("draw"), max_length=6, choices=Kind.choices)
    size = models.PositiveSmallIntegerField(_("sample size"))
    seed = models.CharField(_("seed"), max_length=64)
    method = models.CharField(_("method"), max_length=100, default=METHOD)
    population = models.JSONField(_("population (ids)"))
    drawn = models.JSONField(_("drawn (ids)"))
    drawn_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("random draw")
        verbose_name_plural = _("random draws")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.unit} {self.month:%Y-%m} · {self.seed}"


class Finding(models.Model):
    """What an inspector found at a drawn grid or area; a problem found opens a ledger line."""

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="findings")
    grid = models.ForeignKey(
        Unit, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        ResponsibilityArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    passed = models.BooleanField(_("passed"))
    note = models.TextField(_("finding"))
    problem = models.ForeignKey(
        Problem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inspector = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["at", "id"]

    def __str__(self):
        return self.note[:60]


class Visit(models.Model):
    """A supervisor's visit with the three questions' answers (三必问)."""

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    unit_path = models.CharField(max_length=64, db_index=True, editable=False)
    visited_on = models.DateField(_("visited on"))
    survey = models.TextField(_("摸排情况 (survey status)"))
    rectification = models.TextField(_("整改情况 (rectification status)"))
    guarantee = models.TextField(_("包保情况 (who guarantees it)"))
    supervisor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("三必问 visit")
        verbose_name_plural = _("三必问 visits")
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"{self.unit} {self.visited_on}"
