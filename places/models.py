"""The administrative and grid trees, 联户, responsibility areas, households and residents."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import tree
from core.idcard import validate_id_number
from core.masking import mask_id_number, mask_name, mask_phone


class Unit(models.Model):
    """A node of the place tree: county, township, village, group, grid or 联户.

    The administrative tree (township → village → group) and the grid tree (township →
    grid level 2 → … → 联户) share one table and one path space: both hang under the township,
    which is also the level-1 grid ("乡党委书记、乡长为一级网格长").
    """

    class Kind(models.TextChoices):
        COUNTY = "county", _("County")
        TOWNSHIP = "township", _("Township")
        VILLAGE = "village", _("Village")
        COMMUNITY = "community", _("Community")
        GROUP = "group", _("Villagers' group")
        GRID = "grid", _("Grid")
        JOINT = "joint", _("Joint households (联户)")

    ADMIN_KINDS = (Kind.VILLAGE, Kind.COMMUNITY, Kind.GROUP)
    VILLAGE_KINDS = (Kind.VILLAGE, Kind.COMMUNITY)  # what the villages' lists and boards rank
    GRID_KINDS = (Kind.GRID, Kind.JOINT)
    PARENT_KINDS = {
        Kind.COUNTY: (),
        Kind.TOWNSHIP: (Kind.COUNTY,),
        Kind.VILLAGE: (Kind.TOWNSHIP,),
        Kind.COMMUNITY: (Kind.TOWNSHIP,),
        Kind.GROUP: (Kind.VILLAGE, Kind.COMMUNITY),
        Kind.GRID: (Kind.TOWNSHIP, Kind.GRID),
        Kind.JOINT: (Kind.GRID,),
    }

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=30, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=64, unique=True)
    township = models.ForeignKey(
        "self",
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    village = models.ForeignKey(
        "self",
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For groups, grids and 联户: the village or community they lie in."),
    )
    grid_level = models.PositiveSmallIntegerField(_("grid level"), null=True, blank=True)
    work_group = models.CharField(_("work group"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["township", "kind"]),
            models.Index(fields=["village", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="grid", grid_level__gte=2) | (~Q(kind="grid")),
                name="unit_grid_has_level",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def depth(self) -> int:
        return tree.depth(self.path)

    @property
    def is_grid_tree(self) -> bool:
        return self.kind in self.GRID_KINDS

    def ancestor_paths(self) -> list[str]:
        return [self.path[:i] for i in range(tree.SEGMENT, len(self.path), tree.SEGMENT)]

    def ancestors(self):
        return Unit.objects.filter(path__in=self.ancestor_paths()).order_by("path")


def default_points_reviewers() -> list[str]:
    return ["grid_chief", "village_committee"]


class TownshipConfig(models.Model):
    """A township's own rules, with the seed articles' values as defaults."""

    township = models.OneToOneField(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="config"
    )
    grid_levels = models.PositiveSmallIntegerField(_("grid levels"), default=4)
    joint_size = models.PositiveSmallIntegerField(_("households per 联户"), default=10)
    warning_below = models.DecimalField(
        _("warning talk below"), max_digits=5, decimal_places=1, default=Decimal("85")
    )
    suspension_below = models.DecimalField(
        _("suspension below"), max_digits=5, decimal_places=1, default=Decimal("80")
    )
    red_list_size = models.PositiveSmallIntegerField(_("red list size"), default=5)
    black_list_size = models.PositiveSmallIntegerField(_("black list size"), default=3)
    stars = models.JSONField(_("star set"), default=list, blank=True)
    points_reviewers = models.JSONField(
        _("who reviews proposed points"),
        default=default_points_reviewers,
        blank=True,
        help_text=_("Roles whose holders approve or reject proposed household points."),
    )
    award_size = models.PositiveSmallIntegerField(
        _("households awarded per village each quarter"), default=10
    )
    require_totp = models.BooleanField(
        _("administrators must use an authenticator app"),
        default=False,
        help_text=_("Township and county administrators log in with a one-time code as well."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("township configuration")
        verbose_name_plural = _("township configurations")
        constraints = [
            models.CheckConstraint(
                condition=Q(grid_levels__gte=2, grid_levels__lte=8), name="config_grid_levels"
            ),
            models.CheckConstraint(
                condition=Q(suspension_below__lte=models.F("warning_below")),
                name="config_warning_band",
            ),
        ]

    def __str__(self):
        return str(self.township)

    # The star set of seed 002: "3+N", ten stars, three required. The article names seven;
    # the last three are placeholders a township renames.
    DEFAULT_STARS = [
        {"name": "爱党爱国星", "required": True},
        {"name": "遵规守法星", "required": True},
        {"name": "诚实守信星", "required": True},
        {"name": "生态环保星", "required": False},
        {"name": "整洁健康星", "required": False},
        {"name": "文明实践星", "required": False},
        {"name": "崇教尚美星", "required": False},
        {"name": "孝老爱亲星", "required": False},
        {"name": "勤劳致富星", "required": False},
        {"name": "团结互助星", "required": False},
    ]

    def save(self, *args, **kwargs):
        if not self.stars:
            self.stars = [dict(star) for star in self.DEFAULT_STARS]
        super().save(*args, **kwargs)


class Household(models.Model):
    """A household (户): one villagers' group, one grid and one 联户."""

    township = models.ForeignKey(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("household number"), max_length=30)
    group = models.ForeignKey(
        Unit, verbose_name=_("villagers' group"), on_delete=models.PROTECT, related_name="+"
    )
    joint = models.ForeignKey(
        Unit,
        verbose_name=_("联户"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    # Copies of the two paths, so that scope filters are one indexed range each.
    group_path = models.CharField(max_length=64, db_index=True, editable=False)
    joint_path = models.CharField(max_length=64, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    door_area = models.CharField(
        _("门前三包 area"),
        max_length=200,
        blank=True,
        help_text=_("The strip in front of the door this household keeps clean, green and tidy."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["township_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["township", "number"], name="household_number"),
        ]

    def __str__(self):
        return self.number

    @property
    def grid(self) -> Unit:
        return self.joint.parent

    def clean(self):
        if self.group_id and self.group.kind != Unit.Kind.GROUP:
            raise ValidationError({"group": _("Choose a villagers' group.")})
        if self.joint_id and self.joint.kind != Unit.Kind.JOINT:
            raise ValidationError({"joint": _("Choose a 联户.")})
        if self.group_id and self.joint_id and self.group.township_id != self.joint.township_id:
            raise ValidationError(_("The group and the 联户 must be in the same township."))


class Resident(models.Model):
    """A person registered in a household."""

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Relation(models.TextChoices):
        HEAD = "head", _("Head of household")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        GRANDCHILD = "grandchild", _("Grandchild")
        OTHER = "other", _("Other")

    township = models.ForeignKey(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_number = models.CharField(
        _("ID number"), max_length=18, null=True, blank=True, validators=[validate_id_number]
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    relation = models.CharField(
        _("relation to head"), max_length=12, choices=Relation.choices, default=Relation.OTHER
    )
    is_party_member = models.BooleanField(_("party member"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household_id", "id"]
        constraints = [
            # No custom message here: Django then reports the clash on the id_number field.
            models.UniqueConstraint(fields=["id_number"], name="resident_id_number"),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation="head"),
                name="one_head_per_household",
                violation_error_message=_("This household already has a head."),
            ),
        ]
        indexes = [models.Index(fields=["township", "name"])]

    def __str__(self):
        return mask_name(self.name)

    @property
    def is_head(self) -> bool:
        return self.relation == self.Relation.HEAD

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class ResponsibilityArea(models.Model):
    """A piece of land, road, river or doorstep (责任区域) that one person or household owns."""

    class Kind(models.TextChoices):
        ROAD = "road", _("Road")
        RIVER = "river", _("River or ditch")
        LAND = "land", _("Land or square")
        DOOR = "door", _("门前三包")
        PUBLIC = "public", _("Public place")

    township = models.ForeignKey(
        Unit, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        Unit, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="areas"
    )
    grid_path = models.CharField(max_length=64, db_index=True, editable=False)
    number = models.PositiveIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="areas",
    )
    owner_household = models.ForeignKey(
        Household,
        verbose_name=_("owner household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="areas",
    )

    class Meta:
        verbose_name = _("responsibility area")
        verbose_name_plural = _("responsibility areas")
        ordering = ["township_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["township", "number"], name="area_number"),
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | Q(owner_household__isnull=False),
                name="area_has_owner",
            ),
        ]

    def __str__(self):
        return f"{self.number:03d} {self.name}"
