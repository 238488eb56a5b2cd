"""Record of work: trainings, volunteer service, propaganda, broadcasts, meetings, work outputs,
village decisions (四议两公开) and township funding (see docs/ARCHITECTURE.md).

Every record hangs on a unit of the tree (`unit`) and carries its township as tenant key.
Figures are never stored: the statistics are aggregate queries over these rows.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Settings(models.Model):
    """Per-township settings of the record of work (created with defaults on first use)."""

    township = models.OneToOneField(
        "places.Unit", on_delete=models.CASCADE, related_name="activity_settings"
    )
    funding_rate = models.DecimalField(
        _("funding per resident per month (yuan)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text=_("000: 1 yuan per resident per month."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("record of work settings")
        verbose_name_plural = _("record of work settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(funding_rate__gte=0), name="activities_settings_rate_positive"
            )
        ]

    def __str__(self):
        return str(self.township)


class Record(models.Model):
    """What every record of work has: where, when, who recorded it."""

    township = models.ForeignKey(
        "places.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("township")
    )
    unit = models.ForeignKey(
        "places.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-date", "-id"]


class Training(Record):
    """A training session (集中培训 or another form) with its attendees by person."""

    class Kind(models.TextChoices):
        CENTRAL = "central", _("Central training")
        OTHER = "other", _("Other training (on the job, on site, exchange)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CENTRAL)
    topic = models.CharField(_("topic"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=100)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=Decimal("2"))

    class Meta(Record.Meta):
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        indexes = [models.Index(fields=["township", "date"], name="act_training_town_date")]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="activities_training_hours")
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.topic}"


class Attendance(models.Model):
    """One person at one training: a user (cadre) or a resident (villager)."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        "places.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, resident__isnull=True)
                | Q(user__isnull=True, resident__isnull=False),
                name="activities_attendance_one_person",
            ),
            models.UniqueConstraint(
                fields=["training", "user"],
                condition=Q(user__isnull=False),
                name="activities_attendance_user_once",
            ),
            models.UniqueConstraint(
                fields=["training", "resident"],
                condition=Q(resident__isnull=False),
                name="activities_attendance_resident_once",
            ),
        ]

    def __str__(self):
        return f"{self.training_id}: {self.user_id or self.resident_id}"


class VolunteerTeam(models.Model):
    """A volunteer service team (志愿服务队) of a unit."""

    township = models.ForeignKey("places.Unit", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "places.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=100)
    leader = models.CharField(_("leader"), max_length=50, blank=True)
    members = models.PositiveIntegerField(_("members"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="activities_team_unique_name")
        ]

    def __str__(self):
        return self.name


class VolunteerEvent(Record):
    """A volunteer service event: how many took part and the person-hours given."""

    team = models.ForeignKey(
        VolunteerTeam,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("team"),
    )
    title = models.CharField(_("title"), max_length=200)
    participants = models.PositiveIntegerField(_("participants"))
    hours = models.DecimalField(_("volunteer hours"), max_digits=8, decimal_places=1)

    class Meta(Record.Meta):
        verbose_name = _("volunteer event")
        verbose_name_plural = _("volunteer events")
        indexes = [models.Index(fields=["township", "date"], name="act_volunteer_town_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__gt=0), name="activities_event_participants"
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="activities_event_hours"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"


class Propaganda(Record):
    """A propaganda action; `quantity` is copies, recipients or households by kind."""

    class Kind(models.TextChoices):
        STREET = "street", _("Street event")
        BROCHURE = "brochure", _("Brochures handed out")
        HOUSEHOLD_MEETING = "household_meeting", _("Household-head meeting")
        HOME_VISIT = "home_visit", _("Home visit")
        MESSAGE = "message", _("WeChat/SMS message")

    QUANTITY_LABELS = {
        Kind.STREET: _("people reached"),
        Kind.BROCHURE: _("copies"),
        Kind.HOUSEHOLD_MEETING: _("people attending"),
        Kind.HOME_VISIT: _("people talked to"),
        Kind.MESSAGE: _("recipients"),
    }

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("subject"), max_length=200)
    quantity = models.PositiveIntegerField(
        _("quantity"),
        default=1,
        help_text=_(
            "Brochures: copies; messages: recipients; other kinds: people reached or present."
        ),
    )

    class Meta(Record.Meta):
        verbose_name = _("propaganda")
        verbose_name_plural = _("propaganda")
        indexes = [models.Index(fields=["township", "date"], name="act_propaganda_town_date")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.title}"


class Broadcast(Record):
    """A loudspeaker broadcast (大喇叭) in the log: when, what, for how long."""

    time = models.TimeField(_("time"))
    content = models.CharField(_("broadcast content"), max_length=500)
    minutes = models.PositiveIntegerField(_("duration (minutes)"))

    class Meta(Record.Meta):
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        ordering = ["-date", "-time", "-id"]
        indexes = [models.Index(fields=["township", "date"], name="act_broadcast_town_date")]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="activities_broadcast_minutes")
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.time:%H:%M} {self.content[:30]}"


class Meeting(Record):
    """A work meeting with its minutes and decisions."""

    class Kind(models.TextChoices):
        GRID_WEEKLY = "grid_weekly", _("Weekly grid meeting")
        TOWNSHIP_REVIEW = "township_review", _("Half-monthly township review")
        SPECIAL = "special", _("Special meeting")
        SCHEDULING = "scheduling", _("Scheduling meeting")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    attendees = models.PositiveIntegerField(_("attendees"), default=0)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)

    class Meta(Record.Meta):
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["township", "date"], name="act_meeting_town_date")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"


class Output(Record):
    """A result of the work as a figure: tons of rubbish, ditches cleared, trees planted..."""

    class Kind(models.TextChoices):
        RUBBISH_TONS = "rubbish_tons", _("Rubbish cleared (tons)")
        DITCHES_KM = "ditches_km", _("Ditches cleared (km)")
        DITCHES = "ditches", _("Ponds and ditches cleared")
        STRUCTURES = "structures", _("Illegal structures removed")
        BINS = "bins", _("Bins placed")
        TREES = "trees", _("Trees planted")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    species = models.CharField(
        _("species"), max_length=50, blank=True, help_text=_("For trees: the species planted.")
    )

    class Meta(Record.Meta):
        verbose_name = _("work output")
        verbose_name_plural = _("work outputs")
        indexes = [models.Index(fields=["township", "date"], name="act_output_town_date")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="activities_output_qty"),
            models.CheckConstraint(
                condition=Q(kind="trees") | Q(species=""), name="activities_output_species"
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.quantity}"


class Photo(models.Model):
    """A photo of a record, stored without its metadata (no GPS leaves the phone)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    image = models.FileField(upload_to="activities/photos/%Y/%m/")
    thumbnail = models.FileField(upload_to="activities/thumbs/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        indexes = [models.Index(fields=["content_type", "object_id"], name="act_photo_record")]

    def __str__(self):
        return self.image.name


class Decision(models.Model):
    """A village decision taken by 四议两公开: four deliberations, two publications."""

    class State(models.TextChoices):
        OPEN = "open", _("In progress")
        DONE = "done", _("Completed")
        REJECTED = "rejected", _("Rejected")

    township = models.ForeignKey("places.Unit", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(
        "places.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    title = models.CharField(_("matter"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("village decision")
        verbose_name_plural = _("village decisions")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class Step(models.Model):
    """One of the six steps of a decision, recorded in order; insert-only."""

    class Kind(models.IntegerChoices):
        PROPOSAL = 1, _("Proposal by the party branch")
        DISCUSSION = 2, _("Discussion by the two committees")
        REVIEW = 3, _("Review by the party members' meeting")
        RESOLUTION = 4, _("Resolution by the villagers' representatives")
        PUBLISH_RESOLUTION = 5, _("Publication of the resolution")
        PUBLISH_RESULT = 6, _("Publication of the result")

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        PUBLISHED = "published", _("Published")

    PUBLICATIONS = (Kind.PUBLISH_RESOLUTION, Kind.PUBLISH_RESULT)

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="steps")
    kind = models.PositiveSmallIntegerField(_("step"), choices=Kind.choices)
    date = models.DateField(_("date"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_("For publications: the text as posted on the public board (no personal data)."),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision step")
        verbose_name_plural = _("decision steps")
        ordering = ["decision", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "kind"], name="activities_step_once"),
            models.CheckConstraint(
                condition=Q(kind__in=[5, 6], outcome="published")
                | Q(kind__lte=4, outcome__in=["approved", "rejected"]),
                name="activities_step_outcome",
            ),
        ]

    def __str__(self):
        return f"{self.decision_id} {self.get_kind_display()}"


class Budget(models.Model):
    """A township's yearly budget for the work, fixed when set from its resident count."""

    township = models.ForeignKey(
        "places.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("township")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    residents = models.PositiveIntegerField(_("residents counted"))
    rate = models.DecimalField(_("yuan per resident per month"), max_digits=8, decimal_places=2)
    months = models.PositiveSmallIntegerField(_("months"), default=12)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-year", "township_id"]
        constraints = [
            models.UniqueConstraint(fields=["township", "year"], name="activities_budget_year"),
            models.CheckConstraint(
                condition=Q(months__gte=1, months__lte=12), name="activities_budget_months"
            ),
        ]

    def __str__(self):
        return f"{self.township} {self.year}"


class Spending(models.Model):
    """A spending entry against a budget: insert-only; a correction is a reversing entry."""

    class Category(models.TextChoices):
        BINS = "bins", _("Rubbish bins")
        UNIFORMS = "uniforms", _("Uniforms")
        SUPERMARKET = "supermarket", _("Points supermarket goods")
        PROPAGANDA = "propaganda", _("Propaganda materials")
        OTHER = "other", _("Other")

    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="spending", verbose_name=_("budget")
    )
    township = models.ForeignKey("places.Unit", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("spending entry")
        verbose_name_plural = _("spending entries")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["township", "date"], name="act_spending_town_date")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="activities_spending_nonzero")
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.description} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Spending entries are insert-only: write a reversing entry.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Spending entries are insert-only: write a reversing entry.")
