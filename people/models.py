"""Users and their roles: each role is assigned on one unit for a period."""

import datetime

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from places.models import Household, Resident, Unit


class User(AbstractUser):
    """A login. May be linked to the resident it is."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    resident = models.OneToOneField(
        Resident,
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.name or self.username


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("County administrator")
    TOWNSHIP_SECRETARY = "township_secretary", _("Township party secretary")
    TOWNSHIP_HEAD = "township_head", _("Township head")
    TOWNSHIP_LEADER = "township_leader", _("Township leader")
    VILLAGE_COMMITTEE = "village_committee", _("Village committee member (两委)")
    GRID_CHIEF = "grid_chief", _("Grid chief")
    GRID_MEMBER = "grid_member", _("Grid member")
    JOINT_HEAD = "joint_head", _("联户长")
    PARTY_MEMBER = "party_member", _("Party member (1+10)")
    SUPERVISOR = "supervisor", _("Supervisor")
    KEEPER = "keeper", _("Supermarket keeper")
    VILLAGER = "villager", _("Villager (household head)")


K = Unit.Kind
# Which kinds of unit each role may be assigned on.
ROLE_UNIT_KINDS = {
    Role.COUNTY_ADMIN: (K.COUNTY,),
    Role.TOWNSHIP_SECRETARY: (K.TOWNSHIP,),
    Role.TOWNSHIP_HEAD: (K.TOWNSHIP,),
    Role.TOWNSHIP_LEADER: (K.TOWNSHIP, K.VILLAGE, K.COMMUNITY, K.GRID),
    Role.VILLAGE_COMMITTEE: (K.VILLAGE, K.COMMUNITY),
    Role.GRID_CHIEF: (K.TOWNSHIP, K.GRID),
    Role.GRID_MEMBER: (K.GRID,),
    Role.JOINT_HEAD: (K.JOINT,),
    Role.PARTY_MEMBER: (K.VILLAGE, K.COMMUNITY, K.GRID, K.JOINT),
    Role.SUPERVISOR: (K.COUNTY, K.TOWNSHIP, K.VILLAGE, K.COMMUNITY),
    Role.KEEPER: (K.TOWNSHIP, K.VILLAGE, K.COMMUNITY),
    Role.VILLAGER: (),  # on a household, not a unit
}


class RoleAssignment(models.Model):
    """A role held on a unit (or, for a villager, a household) from one date to another."""

    township = models.ForeignKey(
        Unit, verbose_name=_("township"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    start_date = models.DateField(_("from"), default=timezone.localdate)
    end_date = models.DateField(_("until"), null=True, blank=True)
    authority = models.CharField(
        _("on whose authority"),
        max_length=200,
        blank=True,
        help_text=_("The meeting, decision or document that made this assignment."),
    )
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["-start_date", "id"]
        indexes = [models.Index(fields=["user", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="villager", household__isnull=False, unit__isnull=True))
                | (~Q(role="villager") & Q(unit__isnull=False, household__isnull=True)),
                name="assignment_target",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="assignment_dates",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.target}"

    @property
    def target(self):
        return self.household if self.role == Role.VILLAGER else self.unit

    def is_active_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    def clean(self):
        if self.role == Role.VILLAGER:
            if not self.household_id:
                raise ValidationError({"household": _("A villager's role names a household.")})
            return
        if not self.unit_id:
            raise ValidationError({"unit": _("Choose the unit this role is held on.")})
        allowed = ROLE_UNIT_KINDS[Role(self.role)]
        if self.unit.kind not in allowed:
            raise ValidationError(
                {
                    "unit": _("%(role)s is held on a %(kinds)s, not on a %(kind)s.")
                    % {
                        "role": Role(self.role).label,
                        "kinds": " / ".join(str(K(k).label) for k in allowed),
                        "kind": self.unit.get_kind_display(),
                    }
                }
            )
