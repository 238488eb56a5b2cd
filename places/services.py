"""Writes to places. Each service is atomic and records its audit entry in the same transaction.

Services trust that the caller checked access (people.access); they enforce the tree's rules.
"""

from collections import Counter, defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from core import audit, tree
from core.errors import ServiceError
from core.idcard import validate_id_number
from core.masking import mask_id_number, mask_phone

from .models import Household, Resident, ResponsibilityArea, TownshipConfig, Unit

UNIT_FIELDS = ["kind", "name", "code", "parent", "village", "grid_level", "work_group", "path"]
HOUSEHOLD_FIELDS = ["number", "group", "joint", "address", "door_area"]
RESIDENT_FIELDS = [
    "household",
    "name",
    "sex",
    "birth_date",
    "id_number",
    "phone",
    "relation",
    "is_party_member",
]


def _next_child_path(parent: Unit | None) -> str:
    siblings = Unit.objects.filter(parent=parent)
    prefix = parent.path if parent else ""
    last = siblings.aggregate(m=Max("path"))["m"]
    number = int(last[len(prefix) :]) + 1 if last else 1
    return prefix + tree.segment(number)


def _derive(kind: str, parent: Unit | None) -> dict:
    """Township, village and grid level that follow from the parent."""
    allowed = Unit.PARENT_KINDS[Unit.Kind(kind)]
    if (parent is None and allowed and kind != Unit.Kind.TOWNSHIP) or (
        parent is not None and parent.kind not in allowed
    ):
        raise ServiceError(
            _("A %(kind)s cannot be placed under a %(parent)s.")
            % {
                "kind": Unit.Kind(kind).label,
                "parent": parent.get_kind_display() if parent else _("nothing"),
            },
            code="bad_parent",
        )
    township = None
    if parent is not None:
        township = parent if parent.kind == Unit.Kind.TOWNSHIP else parent.township
    village = None
    if parent is not None and parent.kind in (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY):
        village = parent
    elif parent is not None and parent.village_id:
        village = parent.village
    grid_level = None
    if kind == Unit.Kind.GRID:
        grid_level = 2 if parent.kind == Unit.Kind.TOWNSHIP else parent.grid_level + 1
        levels = parent_config_levels(township)
        if grid_level > levels:
            raise ServiceError(
                _("This township has %(n)d grid levels; a grid here would be level %(level)d.")
                % {"n": levels, "level": grid_level},
                code="too_deep",
            )
    return {"township": township, "village": village, "grid_level": grid_level}


def parent_config_levels(township: Unit | None) -> int:
    if township is None:
        return TownshipConfig._meta.get_field("grid_levels").default
    return ensure_config(township).grid_levels


def ensure_config(township: Unit) -> TownshipConfig:
    config, _created = TownshipConfig.objects.get_or_create(township=township)
    return config


@transaction.atomic
def create_unit(
    *,
    kind: str,
    name: str,
    parent: Unit | None,
    actor,
    code: str = "",
    village: Unit | None = None,
    work_group: str = "",
    reason: str = "",
) -> Unit:
    derived = _derive(kind, parent)
    if village is not None and kind == Unit.Kind.GRID:
        derived["village"] = village
    unit = Unit(
        kind=kind,
        name=name,
        code=code,
        parent=parent,
        path=_next_child_path(parent),
        work_group=work_group,
        **derived,
    )
    unit.full_clean()
    unit.save()
    if kind == Unit.Kind.TOWNSHIP:
        unit.township = unit
        unit.save(update_fields=["township"])
        ensure_config(unit)
    audit.record(
        actor=actor,
        action="create",
        obj=unit,
        changes=audit.diff({}, audit.snapshot(unit, UNIT_FIELDS)),
        reason=reason,
    )
    return unit


@transaction.atomic
def move_unit(*, unit: Unit, new_parent: Unit, actor, reason: str = "") -> Unit:
    """Hang `unit` (and its subtree) under `new_parent`; every copied path follows."""
    if new_parent.path.startswith(unit.path):
        raise ServiceError(_("A unit cannot be moved under itself."), code="cycle")
    if unit.kind == Unit.Kind.TOWNSHIP or new_parent.township_id != unit.township_id:
        raise ServiceError(_("Units move only within their township."), code="other_township")
    before = audit.snapshot(unit, UNIT_FIELDS)
    derived = _derive(unit.kind, new_parent)
    old_path, new_path = unit.path, _next_child_path(new_parent)
    if unit.kind == Unit.Kind.GRID:
        depth_below = (
            Unit.objects.filter(tree.under("path", old_path), kind=Unit.Kind.GRID).aggregate(
                m=Max("grid_level")
            )["m"]
            - unit.grid_level
        )
        if derived["grid_level"] + depth_below > parent_config_levels(unit.township):
            raise ServiceError(_("The moved grids would exceed the township's grid levels."))
    _rewrite_paths(Unit, "path", old_path, new_path)
    _rewrite_paths(Household, "group_path", old_path, new_path)
    _rewrite_paths(Household, "joint_path", old_path, new_path)
    _rewrite_paths(ResponsibilityArea, "grid_path", old_path, new_path)
    level_shift = (derived["grid_level"] or 0) - (unit.grid_level or 0)
    if level_shift:
        Unit.objects.filter(tree.under("path", new_path), kind=Unit.Kind.GRID).update(
            grid_level=F("grid_level") + level_shift
        )
    unit.refresh_from_db()
    unit.parent = new_parent
    if unit.kind == Unit.Kind.GROUP or derived["village"] is not None:
        unit.village = derived["village"]
    unit.save(update_fields=["parent", "village"])
    audit.record(
        actor=actor,
        action="move",
        obj=unit,
        changes=audit.diff(before, audit.snapshot(unit, UNIT_FIELDS)),
        reason=reason,
    )
    return unit


def _rewrite_paths(model, field: str, old: str, new: str) -> None:
    """Replace the prefix `old` by `new` on every row under `old`, in one UPDATE."""
    model.objects.filter(tree.under(field, old)).update(
        **{field: Concat(Value(new), Substr(field, len(old) + 1, Length(field)))}
    )


@transaction.atomic
def rename_unit(*, unit: Unit, name: str, actor, work_group=None, reason: str = "") -> Unit:
    before = audit.snapshot(unit, UNIT_FIELDS)
    unit.name = name
    if work_group is not None:
        unit.work_group = work_group
    unit.full_clean()
    unit.save(update_fields=["name", "work_group"])
    audit.record(
        actor=actor,
        action="update",
        obj=unit,
        changes=audit.diff(before, audit.snapshot(unit, UNIT_FIELDS)),
        reason=reason,
    )
    return unit


def _check_household_places(group: Unit, joint: Unit) -> None:
    if group.kind != Unit.Kind.GROUP:
        raise ServiceError(_("“%(name)s” is not a villagers' group.") % {"name": group.name})
    if joint.kind != Unit.Kind.JOINT:
        raise ServiceError(_("“%(name)s” is not a 联户.") % {"name": joint.name})
    if group.township_id != joint.township_id:
        raise ServiceError(_("The group and the 联户 must be in the same township."))


@transaction.atomic
def create_household(
    *,
    number: str,
    group: Unit,
    joint: Unit,
    actor,
    address: str = "",
    door_area: str = "",
    reason: str = "",
) -> Household:
    _check_household_places(group, joint)
    if Household.objects.filter(township_id=group.township_id, number=number).exists():
        raise ServiceError(
            _("Household number %(number)s already exists in this township.") % {"number": number},
            code="duplicate",
        )
    household = Household.objects.create(
        township_id=group.township_id,
        number=number,
        group=group,
        joint=joint,
        group_path=group.path,
        joint_path=joint.path,
        address=address,
        door_area=door_area,
    )
    audit.record(
        actor=actor,
        action="create",
        obj=household,
        changes=audit.diff({}, audit.snapshot(household, HOUSEHOLD_FIELDS)),
        reason=reason,
    )
    return household


@transaction.atomic
def update_household(
    *, household: Household, actor, address=None, door_area=None, reason: str = ""
) -> Household:
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    if address is not None:
        household.address = address
    if door_area is not None:
        household.door_area = door_area
    household.save(update_fields=["address", "door_area"])
    changes = audit.diff(before, audit.snapshot(household, HOUSEHOLD_FIELDS))
    if changes:
        audit.record(actor=actor, action="update", obj=household, changes=changes, reason=reason)
    return household


@transaction.atomic
def move_household(
    *,
    household: Household,
    actor,
    group: Unit | None = None,
    joint: Unit | None = None,
    reason: str = "",
) -> Household:
    """Put a household into another group and/or 联户; the audit keeps where it was."""
    group = group or household.group
    joint = joint or household.joint
    _check_household_places(group, joint)
    if group.township_id != household.township_id:
        raise ServiceError(_("Households move only within their township."))
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    household.group, household.joint = group, joint
    household.group_path, household.joint_path = group.path, joint.path
    household.save(update_fields=["group", "joint", "group_path", "joint_path"])
    audit.record(
        actor=actor,
        action="move",
        obj=household,
        changes=audit.diff(before, audit.snapshot(household, HOUSEHOLD_FIELDS)),
        reason=reason,
    )
    return household


def _clean_resident(resident: Resident, **full_clean) -> None:
    """Normalise the ID number and run the model's validation (raises ValidationError)."""
    try:
        resident.id_number = validate_id_number(resident.id_number) if resident.id_number else None
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.error_list}) from exc
    resident.full_clean(**full_clean)


@transaction.atomic
def create_resident(*, household: Household, actor, reason: str = "", **fields) -> Resident:
    resident = Resident(township_id=household.township_id, household=household, **fields)
    _clean_resident(resident)
    resident.save()
    audit.record(
        actor=actor,
        action="create",
        obj=resident,
        changes=_masked(audit.diff({}, audit.snapshot(resident, RESIDENT_FIELDS))),
        reason=reason,
    )
    return resident


@transaction.atomic
def update_resident(*, resident: Resident, actor, reason: str = "", **fields) -> Resident:
    before = audit.snapshot(resident, RESIDENT_FIELDS)
    for key, value in fields.items():
        if key not in RESIDENT_FIELDS or key == "household":
            raise ServiceError(_("Field %(field)s cannot be changed here.") % {"field": key})
        setattr(resident, key, value)
    _clean_resident(resident)
    resident.save()
    changes = audit.diff(before, audit.snapshot(resident, RESIDENT_FIELDS))
    if changes:
        audit.record(
            actor=actor, action="update", obj=resident, changes=_masked(changes), reason=reason
        )
    return resident


def _masked(changes: dict) -> dict:
    """The audit log never holds a full ID or phone number: keep masked forms only."""
    maskers = {"id_number": mask_id_number, "phone": mask_phone}
    return {
        key: [maskers[key](v or "") for v in values] if key in maskers else values
        for key, values in changes.items()
    }


# --- Imports: many households and residents at once (a township's roster) ---------------------

BULK_BATCH = 1000  # rows per INSERT; Django makes batches smaller where SQLite needs it
LOOKUP_CHUNK = 500  # values per IN (...) lookup


def _chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _record_imports(objs: list, fields: list[str], *, actor, reason: str, masked=False) -> None:
    """One "import" audit entry per object, with the changes the per-row services record."""

    def changes_of(obj):
        changes = audit.diff({}, audit.snapshot(obj, fields))
        return _masked(changes) if masked else changes

    audit.record_many(
        objs,
        actor=actor,
        action="import",
        changes_of=changes_of,
        reason=reason,
        batch_size=BULK_BATCH,
    )


@transaction.atomic
def import_households(*, rows: list[dict], actor, reason: str = "") -> list[Household]:
    """Create many households at once, each with its "import" audit entry.

    `rows`: dicts of `number`, `group`, `joint`, and optionally `address` and `door_area`.
    create_household's checks hold for every row, made set-based: a group and a 联户 of one
    township, and a number that is new in its township and not repeated in `rows`.
    Returns the saved households in the order of `rows`.
    """
    households = []
    for row in rows:
        group, joint = row["group"], row["joint"]
        _check_household_places(group, joint)
        households.append(
            Household(
                township_id=group.township_id,
                number=row["number"],
                group=group,
                joint=joint,
                group_path=group.path,
                joint_path=joint.path,
                address=row.get("address", ""),
                door_area=row.get("door_area", ""),
            )
        )
    _refuse_taken_numbers(households)
    Household.objects.bulk_create(households, batch_size=BULK_BATCH)
    _record_imports(households, HOUSEHOLD_FIELDS, actor=actor, reason=reason)
    return households


def _refuse_taken_numbers(households: list[Household]) -> None:
    numbers: dict[int, list[str]] = defaultdict(list)
    for household in households:
        numbers[household.township_id].append(household.number)
    for township_id, wanted in numbers.items():
        taken = [n for n, count in Counter(wanted).items() if count > 1]
        for chunk in _chunks(wanted):
            stored = Household.objects.filter(township_id=township_id, number__in=chunk)
            taken += stored.values_list("number", flat=True)[:1]
        if taken:
            raise ServiceError(
                _("Household number %(number)s already exists in this township.")
                % {"number": taken[0]},
                code="duplicate",
            )


@transaction.atomic
def import_residents(*, rows: list[dict], actor, reason: str = "") -> list[Resident]:
    """Create many residents at once, each with its "import" audit entry (masked numbers).

    `rows`: dicts of a saved `household` and create_resident's fields. Each resident is
    cleaned as create_resident cleans it (ID number normalised, fields validated), but what
    full_clean would ask the database row by row is checked set-based: an ID number that is
    registered already or repeated in `rows`, a second head of a household.
    Returns the saved residents in the order of `rows`.
    """
    residents = []
    for row in rows:
        fields = dict(row)
        household = fields.pop("household")
        resident = Resident(township_id=household.township_id, household=household, **fields)
        # The foreign keys are a saved household and its township: no need to query them.
        _clean_resident(
            resident,
            exclude=["township", "household"],
            validate_unique=False,
            validate_constraints=False,
        )
        residents.append(resident)
    _refuse_taken_ids(residents)
    _refuse_second_heads(residents)
    Resident.objects.bulk_create(residents, batch_size=BULK_BATCH)
    _record_imports(residents, RESIDENT_FIELDS, actor=actor, reason=reason, masked=True)
    return residents


def _refuse_taken_ids(residents: list[Resident]) -> None:
    wanted = [r.id_number for r in residents if r.id_number]
    taken = [n for n, count in Counter(wanted).items() if count > 1]
    for chunk in _chunks(wanted):
        stored = Resident.objects.filter(id_number__in=chunk)
        taken += stored.values_list("id_number", flat=True)[:1]
    if taken:
        raise ServiceError(
            _("The ID number %(id_number)s is already registered to a resident.")
            % {"id_number": mask_id_number(taken[0])},
            code="duplicate_id",
        )


def _refuse_second_heads(residents: list[Resident]) -> None:
    heads: dict[int, Household] = {}
    twice: list[int] = []
    for resident in residents:
        if resident.relation == Resident.Relation.HEAD:
            if resident.household_id in heads:
                twice.append(resident.household_id)
            heads[resident.household_id] = resident.household
    for chunk in _chunks(list(heads)):
        stored = Resident.objects.filter(household_id__in=chunk, relation=Resident.Relation.HEAD)
        twice += stored.values_list("household_id", flat=True)[:1]
    if twice:
        raise ServiceError(
            _("Household %(number)s would have two heads.") % {"number": heads[twice[0]].number},
            code="two_heads",
        )


AREA_FIELDS = ["grid", "number", "name", "kind", "description", "owner", "owner_household"]


def _check_area_owner(township_id: int, owner, owner_household: Household | None) -> None:
    if owner is None and owner_household is None:
        raise ServiceError(
            _("A responsibility area needs an owner: a person or a household."), code="no_owner"
        )
    if owner_household is not None and owner_household.township_id != township_id:
        raise ServiceError(
            _("Household %(number)s is in another township; choose one of this township.")
            % {"number": owner_household.number},
            code="other_township",
        )


@transaction.atomic
def create_area(
    *,
    grid: Unit,
    name: str,
    kind: str,
    actor,
    number: int | None = None,
    owner=None,
    owner_household: Household | None = None,
    description: str = "",
    reason: str = "",
) -> ResponsibilityArea:
    """A new area on a grid or 联户, numbered after the township's last one unless `number`."""
    if grid.kind not in (Unit.Kind.GRID, Unit.Kind.JOINT):
        raise ServiceError(_("A responsibility area belongs to a grid."))
    _check_area_owner(grid.township_id, owner, owner_household)
    if number is None:
        number = next_area_number(grid.township_id)
    if ResponsibilityArea.objects.filter(township_id=grid.township_id, number=number).exists():
        raise ServiceError(
            _("Area number %(number)s is already used in this township.") % {"number": number},
            code="duplicate",
        )
    area = ResponsibilityArea.objects.create(
        township_id=grid.township_id,
        grid=grid,
        grid_path=grid.path,
        number=number,
        name=name,
        kind=kind,
        owner=owner,
        owner_household=owner_household,
        description=description,
    )
    audit.record(
        actor=actor,
        action="create",
        obj=area,
        changes=audit.diff({}, audit.snapshot(area, AREA_FIELDS)),
        reason=reason,
    )
    return area


def next_area_number(township_id: int) -> int:
    """The number after the township's highest area number (numbers are per township)."""
    last = ResponsibilityArea.objects.filter(township_id=township_id).aggregate(m=Max("number"))
    return (last["m"] or 0) + 1


@transaction.atomic
def reassign_area(
    *,
    area: ResponsibilityArea,
    owner=None,
    owner_household: Household | None = None,
    actor,
    reason: str,
) -> ResponsibilityArea:
    """Give the area to another person and/or household; the audit keeps the previous owner."""
    _check_area_owner(area.township_id, owner, owner_household)
    owner_id = owner.pk if owner is not None else None
    household_id = owner_household.pk if owner_household is not None else None
    if (area.owner_id, area.owner_household_id) == (owner_id, household_id):
        raise ServiceError(
            _("Area %(area)s already has this owner.") % {"area": area}, code="unchanged"
        )
    before = audit.snapshot(area, AREA_FIELDS)
    area.owner, area.owner_household = owner, owner_household
    area.save(update_fields=["owner", "owner_household"])
    audit.record(
        actor=actor,
        action="update",
        obj=area,
        changes=audit.diff(before, audit.snapshot(area, AREA_FIELDS)),
        reason=reason,
    )
    return area


@transaction.atomic
def record_identity_view(*, resident: Resident, actor, reason: str = "", own: bool = False):
    """Log that `actor` saw the resident's full ID and phone numbers, and why (PIPL: who viewed
    it). An official must say why; a villager looking at their own household need not."""
    reason = (reason or "").strip()
    if not reason and not own:
        raise ServiceError(
            _("Say why you need the full ID and phone numbers (e.g. 入户核实低保申请)."),
            code="reason_required",
        )
    return audit.record(actor=actor, action="view_sensitive", obj=resident, reason=reason)


# --- Township configuration --------------------------------------------------------------------

CONFIG_SCALARS = [
    "grid_levels",
    "joint_size",
    "warning_below",
    "suspension_below",
    "red_list_size",
    "black_list_size",
    "require_totp",
]
CONFIG_FIELDS = [*CONFIG_SCALARS, "stars"]
GRID_LEVELS_RANGE = (2, 8)  # the township is level 1; the model's constraint allows 2..8
MAX_SCORE = 100
MAX_STARS = 10
STAR_NAME_LENGTH = 20


@transaction.atomic
def update_config(*, config: TownshipConfig, actor, reason: str, **fields) -> TownshipConfig:
    """Change a township's rules (any of CONFIG_FIELDS); the audit keeps before and after.

    Raises ValidationError {field: [messages]} naming each rule broken: suspension above the
    warning threshold, fewer grid levels than the township's deepest grid, a list size below
    one, a star set with more than MAX_STARS stars, a repeated or empty name, or none required.
    """
    unknown = sorted(set(fields) - set(CONFIG_FIELDS))
    if unknown:
        raise ServiceError(
            _("Field %(field)s cannot be changed here.") % {"field": unknown[0]},
            code="unknown_field",
        )
    before = audit.snapshot(config, CONFIG_FIELDS) if config.pk else {}
    for key, value in fields.items():
        setattr(config, key, value)
    errors = _config_errors(config)
    if errors:
        raise ValidationError(errors)
    config.save()
    changes = audit.diff(before, audit.snapshot(config, CONFIG_FIELDS))
    if changes:
        action = "update" if before else "create"
        audit.record(actor=actor, action=action, obj=config, changes=changes, reason=reason)
    return config


def _config_errors(config: TownshipConfig) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        config.clean_fields(exclude=["township", "stars"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for field in ("warning_below", "suspension_below"):
        if field not in errors:  # 88 is stored and shown as 88.0, as the database gives it back
            setattr(config, field, getattr(config, field).quantize(Decimal("0.1")))
    checks = [
        ("grid_levels", _grid_levels_error),
        ("joint_size", _joint_size_error),
        ("warning_below", lambda c: _score_error(c.warning_below)),
        ("suspension_below", lambda c: _score_error(c.suspension_below)),
        ("red_list_size", lambda c: _list_size_error(c.red_list_size, red=True)),
        ("black_list_size", lambda c: _list_size_error(c.black_list_size, red=False)),
    ]
    for field, check in checks:
        message = None if field in errors else check(config)
        if message:
            errors[field] = [message]
    if not {"warning_below", "suspension_below"} & set(errors):
        if config.suspension_below > config.warning_below:
            errors["suspension_below"] = [_band_error(config)]
    config.stars, star_errors = _clean_stars(config.stars)
    if star_errors:
        errors["stars"] = star_errors
    return errors


def _grid_levels_error(config: TownshipConfig) -> str | None:
    low, high = GRID_LEVELS_RANGE
    if not low <= config.grid_levels <= high:
        return _(
            "A township has from %(low)d to %(high)d grid levels (level 1 is the township itself)."
        ) % {"low": low, "high": high}
    deepest = Unit.objects.filter(township_id=config.township_id, kind=Unit.Kind.GRID).aggregate(
        m=Max("grid_level")
    )["m"]
    if deepest and config.grid_levels < deepest:
        return _(
            "%(township)s already has grids at level %(level)d, so it needs at least "
            "%(level)d grid levels."
        ) % {"township": config.township.name, "level": deepest}
    return None


def _joint_size_error(config: TownshipConfig) -> str | None:
    if config.joint_size < 1:
        return _("A 联户 has at least one household.")
    return None


def _score_error(value) -> str | None:
    if not 0 <= value <= MAX_SCORE:
        return _("A score threshold lies between 0 and %(max)d.") % {"max": MAX_SCORE}
    return None


def _band_error(config: TownshipConfig) -> str:
    return _(
        "The suspension threshold (%(suspension)s) cannot be above the warning threshold "
        "(%(warning)s): a score low enough for suspension gets a warning talk first."
    ) % {"suspension": config.suspension_below, "warning": config.warning_below}


def _list_size_error(size: int, *, red: bool) -> str | None:
    if size >= 1:
        return None
    if red:
        return _("The red list names at least one village.")
    return _("The black list names at least one village.")


def _clean_stars(stars) -> tuple[list, list[str]]:
    """The star set as [{"name", "required"}], names stripped; and what is wrong with it."""
    if not isinstance(stars, list) or not all(isinstance(star, dict) for star in stars):
        return stars, [_("The star set is a list of stars, each with a name and “required”.")]
    cleaned = [
        {"name": str(star.get("name") or "").strip(), "required": bool(star.get("required"))}
        for star in stars
    ]
    errors = []
    if len(cleaned) > MAX_STARS:
        errors.append(
            _("A star set has at most %(max)d stars; this one has %(n)d.")
            % {"max": MAX_STARS, "n": len(cleaned)}
        )
    for number, star in enumerate(cleaned, start=1):
        if not star["name"]:
            errors.append(_("Star %(n)d has no name.") % {"n": number})
        elif len(star["name"]) > STAR_NAME_LENGTH:
            errors.append(
                _("The name of star %(n)d is longer than %(max)d characters.")
                % {"n": number, "max": STAR_NAME_LENGTH}
            )
    repeated = [name for name, n in Counter(s["name"] for s in cleaned).items() if name and n > 1]
    for name in repeated:
        errors.append(_("The star “%(name)s” appears more than once.") % {"name": name})
    if not any(star["required"] for star in cleaned):
        errors.append(_("At least one star must be required of every household."))
    return cleaned, errors
