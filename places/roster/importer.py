"""Writing a checked roster: new households in bulk, changes to stored households one by one.

A whole file goes in one transaction, or nothing does. New households and their residents
(most of a first import, up to a whole township) are written set-based by
places.services.import_households and import_residents: a few INSERTs per thousand rows, with
one "import" audit entry per created object. A stored household that the file changes (rare)
goes through the per-row services, as an edit in the pages would.
"""

import os

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.scope import CHANGE, Scope

from .. import services
from ..models import Resident, Unit
from .checks import check_file, roster_rows, sorted_errors
from .reader import Reader
from .rows import GRID, NUMBER, ImportResult, RosterError, RosterRow, row_error

R = Resident.Relation


def _check_scope(reader: Reader, scope: Scope) -> None:
    """Each row's stored household (where it is now) and its new place must be CHANGE-able."""
    for row in reader.rows:
        household = row.get("household")
        if household is not None and not scope.covers_household(
            household.group_path, household.joint_path, CHANGE
        ):
            problem = _("Household %(number)s lies outside your area.")
            reader.error(row["row"], NUMBER, "out_of_scope", problem, number=household.number)
        elif (
            "group" in row
            and "joint" in row
            and not scope.covers_household(row["group"].path, row["joint"].path, CHANGE)
        ):
            problem = _("%(group)s / %(joint)s lies outside your area.")
            reader.error(
                row["row"],
                GRID,
                "out_of_scope",
                problem,
                group=row["group"].name,
                joint=row["joint"].name,
            )


def import_roster(*, file, township: Unit, actor, scope: Scope) -> ImportResult:
    """Import a roster file into `township`: all of it in one transaction, or nothing.

    Every row is checked first (parse_roster's checks, and that `scope` may CHANGE the row's
    group or 联户, and the stored household's current place); any problem raises RosterError
    with all of them. Rows are grouped by 户号:
    - a new 户号 creates the household and all its rows' residents;
    - an existing 户号 is updated: it is moved if its group or 联户 differ; its address and
      门前三包 change when the file's cells are not empty; each row's resident is matched
      among the household's members by full ID number, else by the masked ID of an export,
      else (no ID in the file, or a member without one) by name; a matched member gets the
      row's name, sex and relation, and its birth date, ID number, phone and 党员 when those
      cells are filled and not masked; an unmatched row adds a new member.
    An update never deletes or detaches anyone, never empties a stored value (an empty or
    masked cell keeps it), and leaves members absent from the file untouched. A resident
    registered in another household cannot be moved by an import (the row is an error).
    Audit entries name the file (its `name`, when it has one).
    """
    reader = check_file(file, township)
    _check_scope(reader, scope)
    if reader.errors:
        raise RosterError(sorted_errors(reader.errors))
    households = _by_household_rows(roster_rows(reader))
    new = [rows for rows in households.values() if rows[0].household is None]
    stored = [rows for rows in households.values() if rows[0].household is not None]
    source = _file_name(file)
    result = ImportResult()
    current = 0  # the row being written when a service refuses; 0 while writing in bulk
    try:
        with transaction.atomic():
            _create_households(new, actor, _reason(source), result)
            for rows in stored:
                current = rows[0].row
                _update_household(rows, actor, _reason(source, current), result)
    except (ServiceError, ValidationError, IntegrityError) as exc:
        # The checks passed, so a service refusing now means the data changed meanwhile.
        raise RosterError([row_error(current, "", *_refusal(exc, current))]) from exc
    return result


def _file_name(file) -> str:
    return os.path.basename(str(getattr(file, "name", None) or ""))


def _reason(source: str, row: int = 0) -> str:
    params = {"file": source, "row": row}
    if source and row:
        return _("Household roster import from %(file)s, row %(row)d") % params
    if source:
        return _("Household roster import from %(file)s") % params
    if row:
        return _("Household roster import, row %(row)d") % params
    return _("Household roster import")


def _refusal(exc: Exception, row: int) -> tuple[str, str]:
    if isinstance(exc, ServiceError):
        return exc.code, str(exc.message)
    if isinstance(exc, ValidationError):
        return getattr(exc, "code", None) or "invalid", "; ".join(exc.messages)
    if row:
        return "conflict", _("The row conflicts with a change made meanwhile; try again.")
    return "conflict", _("The file conflicts with a change made meanwhile; try again.")


def _by_household_rows(rows: list[RosterRow]) -> dict[str, list[RosterRow]]:
    groups: dict[str, list[RosterRow]] = {}
    for row in rows:
        groups.setdefault(row.household_number, []).append(row)
    return groups


def _first_filled(rows: list[RosterRow], key: str) -> str:
    return next((getattr(r, key) for r in rows if getattr(r, key)), "")


def _create_households(groups: list[list[RosterRow]], actor, reason: str, result) -> None:
    """The new households and all their residents, set-based (heads first in each household)."""
    if not groups:
        return
    households = services.import_households(
        rows=[
            {
                "number": rows[0].household_number,
                "group": rows[0].group,
                "joint": rows[0].joint,
                "address": _first_filled(rows, "address"),
                "door_area": _first_filled(rows, "door_area"),
            }
            for rows in groups
        ],
        actor=actor,
        reason=reason,
    )
    residents = services.import_residents(
        rows=[
            {"household": household, **row.new_fields()}
            for household, rows in zip(households, groups, strict=True)
            for row in sorted(rows, key=_write_order)
        ],
        actor=actor,
        reason=reason,
    )
    result.households_created += len(households)
    result.residents_created += len(residents)


def _update_household(rows: list[RosterRow], actor, reason: str, result: ImportResult) -> None:
    """A stored household: move it, fill its address, update or add members, row by row."""
    first = rows[0]
    household = first.household
    changed = _update_place(
        household,
        first,
        _first_filled(rows, "address"),
        _first_filled(rows, "door_area"),
        actor,
        reason,
    )
    for row in sorted(rows, key=_write_order):
        if row.resident is None:
            services.create_resident(
                household=household, actor=actor, reason=reason, **row.new_fields()
            )
            result.residents_created += 1
            changed = True
        elif fields := row.changed_fields(row.resident):
            services.update_resident(resident=row.resident, actor=actor, reason=reason, **fields)
            result.residents_updated += 1
            changed = True
    if changed:
        result.households_updated += 1


def _write_order(row: RosterRow) -> int:
    """Demote a stored head before promoting another: one head per household at every step."""
    is_head = row.relation == R.HEAD
    if row.resident is not None:
        return 1 if is_head else 0
    return 2 if is_head else 3


def _update_place(household, row: RosterRow, address, door_area, actor, reason) -> bool:
    changed = False
    if (household.group_id, household.joint_id) != (row.group.pk, row.joint.pk):
        services.move_household(
            household=household, group=row.group, joint=row.joint, actor=actor, reason=reason
        )
        changed = True
    fields = {"address": address, "door_area": door_area}
    fields = {k: v for k, v in fields.items() if v and v != getattr(household, k)}
    if fields:
        services.update_household(household=household, actor=actor, reason=reason, **fields)
        changed = True
    return changed
