"""Grievances and petitions (群众诉求, 信访): intake, handling, reply, closure, satisfaction;
the reception duty rota (轮流坐班接访). See grievances/README in docs/ARCHITECTURE.md."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.masking import mask_name
from places.models import Household, Resident, Unit

DEFAULT_CATEGORIES = [
    "环境卫生",
    "道路交通",
    "水电供应",
    "土地山林",
    "邻里纠纷",
    "社会保障",
    "住房安全",
    "治安安全",
    "政策咨询",
    "其他",
]


def default_categories() -> list[str]:
    return list(DEFAULT_CATEGORIES)


class Settings(models.Model):
    """A township's grievance rules: categories and default handling time limits."""

    township = models.OneToOneField(
        Unit,
        verbose_name=_("township"),
        on_delete=models.PROTECT,
        related_name="grievance_settings",
    )
    categories = models.JSONField(_("categories"), default=default_categories, blank=True)
    grievance_days = models.PositiveSmallIntegerField(_("days to handle a grievance"), default=15)
    # 信访工作条例 art. 32: a petition is answered within 60 days of acceptance.
    petition_days = models.PositiveSmallIntegerField(_("days to handle a petition"), default=60)

    class Meta:
        verbose_name = _("grievance settings")
        verbose_name_plural = _("grievance settings")

    def __str__(self):
        return str(self.township)


class DutyShift(models.Model):
    """One leader's reception duty (坐班接访) on one date at a township or village."""

    township = models.ForeignKey(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("where"), on_delete=models.PROTECT, related_name="duty_shifts"
    )
    unit_path = models.CharField(max_length=64, db_index=True, editable=False)
    date = models.DateField(_("date"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader on duty"),
        on_delete=models.PROTECT,
        related_name="duty_shifts",
    )
    place = models.CharField(_("reception room"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("reception duty shift")
        verbose_name_plural = _("reception duty shifts")
        ordering = ["date", "unit_path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "date", "leader"], name="duty_shift_once"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.unit} {self.leader}"


class Grievance(models.Model):
    """A villager's request or complaint (诉求), or a formal petition (信访), and its handling."""

    class Channel(models.TextChoices):
        GRID_ROUND = "grid_round", _("Grid round")
        VISIT = "visit", _("Home visit")
        PHONE = "phone", _("Phone call")
        SELF = "self", _("Filed by the villager")
        RECEPTION = "reception", _("Reception duty")

    class State(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        HANDLING = "handling", _("Being handled")
        REPLIED = "replied", _("Replied")
        CONCLUDED = "concluded", pgettext_lazy("grievance state", "Concluded")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASIC = "basic", _("Basically satisfied")
        NOT = "not", _("Not satisfied")

    class RatingMethod(models.TextChoices):
        OWN_LOGIN = "own_login", _("By the person, logged in")
        IN_PERSON = "in_person", _("Asked in person")
        PHONE = "phone", _("Asked by phone")
        FORM = "form", _("Signed feedback form")

    township = models.ForeignKey(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    is_petition = models.BooleanField(
        _("petition (信访)"),
        default=False,
        help_text=_("A formal petition: its petitioner is shown only to its handlers."),
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=30)
    # Where the matter arose: a grid, 联户, village, group or the township itself. The paths are
    # copies so that "everything under this unit" is one indexed range per tree.
    unit = models.ForeignKey(
        Unit, verbose_name=_("place"), on_delete=models.PROTECT, related_name="grievances"
    )
    unit_path = models.CharField(max_length=64, db_index=True, editable=False)
    village_path = models.CharField(max_length=64, db_index=True, editable=False, blank=True)
    group_path = models.CharField(max_length=64, db_index=True, editable=False, blank=True)
    # The person: a resident of the tree, or an outsider named with a phone number.
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances",
    )
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances",
    )
    person_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person's login"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances_raised",
    )
    outsider_name = models.CharField(_("name"), max_length=50, blank=True)
    outsider_phone = models.CharField(_("phone"), max_length=20, blank=True)
    outsider_id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    subject = models.CharField(_("subject"), max_length=100)
    request = models.TextField(_("what they ask"))
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="grievances_recorded",
    )
    duty = models.ForeignKey(
        DutyShift,
        verbose_name=_("reception duty"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.REGISTERED
    )
    assigned_unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances_assigned",
    )
    assigned_path = models.CharField(max_length=64, db_index=True, editable=False, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances_assigned",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    reply = models.TextField(_("reply to the person"), blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    rating = models.CharField(_("satisfaction"), max_length=10, choices=Rating.choices, blank=True)
    rating_method = models.CharField(
        _("how the rating was obtained"), max_length=10, choices=RatingMethod.choices, blank=True
    )
    rated_on = models.DateField(_("rated on"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("grievance")
        verbose_name_plural = _("grievances")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["township", "received_on"]),
            models.Index(fields=["township", "concluded_on"]),
            models.Index(fields=["township", "state", "deadline"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(resident__isnull=False) | ~Q(outsider_name=""),
                name="grievance_has_person",
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gte=models.F("received_on")),
                name="grievance_deadline_after_receipt",
            ),
            models.CheckConstraint(
                condition=(Q(state="concluded") & Q(concluded_on__isnull=False))
                | (~Q(state="concluded") & Q(concluded_on__isnull=True)),
                name="grievance_concluded_on",
            ),
            models.CheckConstraint(
                condition=Q(rating="") | Q(state="concluded"),
                name="grievance_rated_when_concluded",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject}"

    @property
    def person_name(self) -> str:
        return self.resident.name if self.resident_id else self.outsider_name

    @property
    def person_phone(self) -> str:
        return self.resident.phone if self.resident_id else self.outsider_phone

    @property
    def person_id_number(self) -> str:
        return (self.resident.id_number or "") if self.resident_id else self.outsider_id_number

    @property
    def masked_person(self) -> str:
        return mask_name(self.person_name)

    @property
    def is_open(self) -> bool:
        return self.state != self.State.CONCLUDED

    def is_overdue(self, on) -> bool:
        return self.is_open and self.deadline is not None and self.deadline < on


class Event(models.Model):
    """One step in a grievance's history (intake, assignment, note, reply, closure, rating,
    reopening). Insert-only: on PostgreSQL a trigger refuses updates and deletes."""

    class Action(models.TextChoices):
        INTAKE = "intake", _("Registered")
        ASSIGN = "assign", _("Assigned")
        NOTE = "note", _("Handling note")
        REPLY = "reply", _("Replied")
        CONCLUDE = "conclude", _("Concluded")
        RATE = "rate", _("Rated")
        REOPEN = "reopen", _("Reopened")

    township = models.ForeignKey(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    grievance = models.ForeignKey(
        Grievance, verbose_name=_("grievance"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("grievance event")
        verbose_name_plural = _("grievance events")
        ordering = ["grievance_id", "id"]

    def __str__(self):
        return f"{self.grievance_id} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("grievance events are insert-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("grievance events are insert-only")


class Attachment(models.Model):
    """A photo (re-encoded without EXIF) or a file attached to a grievance."""

    township = models.ForeignKey(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    grievance = models.ForeignKey(
        Grievance,
        verbose_name=_("grievance"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="grievances/%Y/%m/")
    name = models.CharField(_("name"), max_length=100)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Ticket(models.Model):
    """A three-colour supervision ticket (白单 督促提醒, 黄单 警示约谈, 红单 追责问责) for an
    overdue grievance, by the township's rules of the work app (grievances/escalation.py).

    Issued only by the daily escalation, one of each colour per grievance; never deleted (on
    PostgreSQL a trigger refuses deletes and any update but setting `ended_on` once). Tickets
    end when the grievance is concluded.
    """

    class Colour(models.TextChoices):
        WHITE = "white", _("White: reminder")
        YELLOW = "yellow", _("Yellow: warning interview")
        RED = "red", _("Red: accountability")

    class Reason(models.TextChoices):
        OVERDUE = "overdue", _("Deadline passed")
        DAYS = "days", _("Not handled in the days allowed")
        SECOND = "second", _("Second ticket of the person within the window")

    township = models.ForeignKey(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    grievance = models.ForeignKey(
        Grievance, verbose_name=_("grievance"), on_delete=models.PROTECT, related_name="tickets"
    )
    colour = models.CharField(_("colour"), max_length=6, choices=Colour.choices)
    reason = models.CharField(_("reason"), max_length=8, choices=Reason.choices)
    due_on = models.DateField(_("due on"), help_text=_("The day the rules call for the ticket."))
    issued_on = models.DateField(_("issued on"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("grievance supervision ticket")
        verbose_name_plural = _("grievance supervision tickets")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["township", "due_on"], name="grievances_ticket_day"),
            models.Index(
                fields=["responsible", "colour", "due_on"], name="grievances_ticket_person"
            ),
        ]
        constraints = [
            # One ticket of each colour per grievance: escalate may run any number of times.
            models.UniqueConstraint(fields=["grievance", "colour"], name="grievance_ticket_once"),
        ]

    def __str__(self):
        return f"{self.get_colour_display()} · #{self.grievance_id}"
