"""Star-rated civilised households (星级文明户, seed 002): the township's star set ("3+N"),
evaluation rounds (农户认星 → 小组评星 → 两委定星 → 表决 → 张榜公示), the insert-only rating
history, and dynamic management (1+10 pairings, monthly revisits, half-yearly inspections)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from places.models import Household, Unit

USER = settings.AUTH_USER_MODEL


class StarSettings(models.Model):
    """A township's rules for star evaluation: objection period, quorum and majority."""

    township = models.OneToOneField(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="star_settings"
    )
    objection_days = models.PositiveSmallIntegerField(_("objection period (days)"), default=7)
    quorum_numerator = models.PositiveSmallIntegerField(_("quorum numerator"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("quorum denominator"), default=3)
    majority_numerator = models.PositiveSmallIntegerField(_("majority numerator"), default=1)
    majority_denominator = models.PositiveSmallIntegerField(_("majority denominator"), default=2)

    class Meta:
        verbose_name = _("star evaluation settings")
        verbose_name_plural = _("star evaluation settings")
        constraints = [
            models.CheckConstraint(condition=Q(objection_days__gte=1), name="stars_objection_days"),
            models.CheckConstraint(
                condition=Q(quorum_denominator__gte=1)
                & Q(quorum_numerator__lte=models.F("quorum_denominator")),
                name="stars_quorum_fraction",
            ),
            models.CheckConstraint(
                condition=Q(majority_denominator__gte=1)
                & Q(majority_numerator__lt=models.F("majority_denominator")),
                name="stars_majority_fraction",
            ),
        ]

    def __str__(self):
        return str(self.township)


class Star(models.Model):
    """One star of a township's set, with its criteria; `required` makes it one of the "3"."""

    township = models.ForeignKey(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="stars"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=30)
    criteria = models.TextField(_("criteria"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("star")
        verbose_name_plural = _("stars")
        ordering = ["township_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="star_name"),
            models.UniqueConstraint(fields=["township", "position"], name="star_position"),
        ]

    def __str__(self):
        return self.name


class Campaign(models.Model):
    """An evaluation round of a township (创评), run in chosen villages: pilots first."""

    township = models.ForeignKey(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    started_on = models.DateField(_("started on"))
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    is_closed = models.BooleanField(_("closed"), default=False)

    class Meta:
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        ordering = ["-started_on", "-pk"]

    def __str__(self):
        return self.name


class CampaignVillage(models.Model):
    """A village taking part in a round; pilots (试点村) are added first."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="villages")
    village = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    is_pilot = models.BooleanField(_("pilot"), default=False)
    added_on = models.DateField(_("added on"))
    added_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["campaign_id", "-is_pilot", "village__path"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "village"], name="campaign_village"),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.village}"


class Confirmation(models.TextChoices):
    """How the household head confirmed a self-evaluation a cadre filled with them."""

    LOGIN = "login", _("The head confirms in their own login")
    SIGNED = "signed", _("The head signed or fingerprinted the paper 自评表")
    IN_PERSON = "in_person", _("The head confirmed in person before a witness")


class Claim(models.Model):
    """A household's self-evaluation (自评表) in a round, and its way through the three tiers."""

    class State(models.TextChoices):
        AWAITING_HEAD = "awaiting_head", _("Waiting for the household head's confirmation")
        AWAITING_GROUP = "awaiting_group", _("Waiting for the group's evaluation")
        AWAITING_VOTE = "awaiting_vote", _("Waiting for the two committees' vote")
        POSTED = "posted", _("Posted for objections")
        EFFECTIVE = "effective", _("In effect")
        REFUSED = "refused", _("Not rated")

    OPEN_STATES = (State.AWAITING_HEAD, State.AWAITING_GROUP, State.AWAITING_VOTE, State.POSTED)

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="claims")
    village = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="star_claims"
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    filled_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    filled_at = models.DateTimeField(auto_now_add=True)
    confirmation = models.CharField(
        _("head's confirmation"), max_length=12, choices=Confirmation.choices
    )
    confirmation_note = models.CharField(_("how the head confirmed"), max_length=200, blank=True)
    confirmed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    group_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    group_at = models.DateTimeField(null=True, blank=True)
    posted_on = models.DateField(_("posted on"), null=True, blank=True)
    objection_until = models.DateField(_("objections until"), null=True, blank=True)
    effective_on = models.DateField(_("in effect from"), null=True, blank=True)
    refused_reason = models.CharField(_("reason not rated"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("self-evaluation")
        verbose_name_plural = _("self-evaluations")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"],
                condition=~Q(state="refused"),
                name="one_live_claim_per_round",
            ),
        ]
        indexes = [models.Index(fields=["village", "state"])]

    def __str__(self):
        return f"{self.household} · {self.campaign}"


class ClaimStar(models.Model):
    """One star the household claims, with the group's grant or denial and its reason."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="stars")
    star = models.ForeignKey(Star, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("self-evaluation"), max_length=300, blank=True)
    granted = models.BooleanField(_("granted by the group"), null=True)
    reason = models.CharField(_("group's reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["claim_id", "star__position"]
        constraints = [models.UniqueConstraint(fields=["claim", "star"], name="claim_star")]

    def __str__(self):
        return str(self.star)


class Vote(models.Model):
    """The two committees' vote (表决) on a claim: who was present and how they voted."""

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="vote")
    members = models.PositiveSmallIntegerField(_("members of the two committees"))
    votes_for = models.PositiveSmallIntegerField(_("for"))
    votes_against = models.PositiveSmallIntegerField(_("against"))
    abstentions = models.PositiveSmallIntegerField(_("abstentions"))
    passed = models.BooleanField(_("passed"))
    held_on = models.DateField(_("held on"))
    note = models.CharField(_("minutes"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    members__gte=models.F("votes_for")
                    + models.F("votes_against")
                    + models.F("abstentions")
                ),
                name="vote_present_le_members",
            ),
        ]

    def __str__(self):
        return f"{self.votes_for}/{self.votes_against}/{self.abstentions}"

    @property
    def present(self) -> int:
        return self.votes_for + self.votes_against + self.abstentions


class Objection(models.Model):
    """An objection to a posted rating, recorded and resolved before the rating takes effect."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld: not rated")
        DISMISSED = "dismissed", _("Dismissed")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="objections")
    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    raised_by = models.CharField(_("raised by"), max_length=50)
    text = models.CharField(_("objection"), max_length=500)
    received_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField(_("received on"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["claim_id", "pk"]

    def __str__(self):
        return self.text[:40]


class RatingEntry(models.Model):
    """A star granted or withdrawn: insert-only; the current rating is the latest per star."""

    class Action(models.TextChoices):
        GRANT = "grant", _("Granted")
        WITHDRAW = "withdraw", _("Withdrawn")

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="star_entries")
    star = models.ForeignKey(Star, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.PROTECT)
    effective_on = models.DateField(_("in effect from"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    authority = models.CharField(_("authority"), max_length=200)
    actor = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rating entry")
        verbose_name_plural = _("rating entries")
        ordering = ["household_id", "pk"]
        # (household, star, id): the latest entry of a star, in held_stars and with_star_count.
        indexes = [models.Index(fields=["household", "star", "id"], name="stars_entry_latest")]

    def __str__(self):
        return f"{self.household} {self.action} {self.star}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("rating entries are insert-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("rating entries are insert-only")


class StarNotice(models.Model):
    """What the household was told (a star withdrawn): shown on its page. Insert-only."""

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="star_notices")
    entry = models.ForeignKey(RatingEntry, null=True, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("notice"), max_length=500)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.text[:40]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("notices are insert-only")
        super().save(*args, **kwargs)


class Pairing(models.Model):
    """1+10: a party member or cadre paired with a household, visiting it every month."""

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="star_pairings")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="star_pairings")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("pairing (1+10)")
        verbose_name_plural = _("pairings (1+10)")
        ordering = ["member_id", "household__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(end_date__isnull=True), name="one_pair_per_home"
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.household}"


class Visit(models.Model):
    """A monthly revisit (回访) or a half-yearly inspection (督查) of a household."""

    class Kind(models.TextChoices):
        REVISIT = "revisit", _("Monthly revisit")
        INSPECTION = "inspection", _("Half-yearly inspection")

    township = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="star_visits")
    visitor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    visited_on = models.DateField(_("visited on"))
    notes = models.TextField(_("notes"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["household", "kind", "visited_on"])]

    def __str__(self):
        return f"{self.household} {self.visited_on}"


class VisitPhoto(models.Model):
    """A photo of a visit, re-encoded without EXIF (no location leaves the phone)."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(upload_to="stars/visits/%Y/%m/")
    thumbnail = models.FileField(upload_to="stars/thumbs/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()

    def __str__(self):
        return self.image.name
