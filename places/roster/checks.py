"""Checks across rows and against the database, in a few queries whatever the file's size.

The stored households (by 户号), their members and the residents holding the file's ID numbers
are loaded up front with IN queries of at most 500 values each; every row is then matched in
memory.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.utils.translation import gettext as _

from core.excel import ExcelError, read_rows
from core.masking import mask_id_number, mask_name, mask_phone

from ..models import Household, Resident, Unit
from .reader import Reader
from .rows import (
    ADDRESS,
    DOOR_AREA,
    ID_NUMBER,
    MAX_ROWS,
    NAME,
    PHONE,
    PLACE_FIELDS,
    RELATION,
    ROSTER_COLUMNS,
    RosterError,
    RosterRow,
    RowError,
    is_full,
    row_error,
)

R = Resident.Relation


def _by_household(rows: Iterable[dict]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if "household_number" in row:
            groups[row["household_number"]].append(row)
    return groups


def _check_households(reader: Reader, households: dict[str, list[dict]]) -> None:
    """Each household: the same place on every row, and exactly one 户主 row."""
    for number, rows in households.items():
        first = rows[0]
        for row in rows[1:]:
            for key, column in PLACE_FIELDS + (("address", ADDRESS), ("door_area", DOOR_AREA)):
                mine, theirs = row.get(key), first.get(key)
                if mine and theirs and mine != theirs:
                    problem = _("Household %(number)s has another value in row %(first)d.")
                    reader.error(
                        row["row"],
                        column,
                        "household_mismatch",
                        problem,
                        number=number,
                        first=first["row"],
                    )
        heads = [row for row in rows if row.get("relation") == R.HEAD]
        for extra in heads[1:]:
            problem = _("Household %(number)s already has its head in row %(first)d.")
            reader.error(
                extra["row"], RELATION, "two_heads", problem, number=number, first=heads[0]["row"]
            )
        if not heads and all("relation" in row for row in rows):
            problem = _("Household %(number)s needs one row whose relation is %(head)s.")
            reader.error(first["row"], RELATION, "no_head", problem, number=number, head="户主")


def _chunks(values, size: int = 500):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _load_existing(township: Unit, households: dict[str, list[dict]], rows: list[dict]):
    existing: dict[str, Household] = {}
    for chunk in _chunks(households):
        for household in Household.objects.filter(township=township, number__in=chunk):
            existing[household.number] = household
    members: dict[int, list[Resident]] = defaultdict(list)
    for chunk in _chunks(h.pk for h in existing.values()):
        for resident in Resident.objects.filter(household_id__in=chunk).order_by("pk"):
            members[resident.household_id].append(resident)
    full_ids = {row["id_number"] for row in rows if is_full(row.get("id_number", ""))}
    by_id: dict[str, Resident] = {}
    for chunk in _chunks(full_ids):
        for resident in Resident.objects.filter(id_number__in=chunk):
            by_id[resident.id_number] = resident
    return existing, members, by_id


def _match_members(reader: Reader, households: dict[str, list[dict]]) -> None:
    """Attach each row to its stored household and member (see import_roster's docstring)."""
    rows = [row for group in households.values() for row in group]
    existing, members, by_id = _load_existing(reader.township, households, rows)
    first_row_of: dict[str, int] = {}
    for row in rows:
        if is_full(row.get("id_number", "")):
            first = first_row_of.setdefault(row["id_number"], row["row"])
            if first != row["row"]:
                problem = _("The same ID number is in row %(first)d.")
                reader.error(row["row"], ID_NUMBER, "duplicate_id", problem, first=first)
    for number, group in households.items():
        household = existing.get(number)
        matched: dict[int, int] = {}
        for row in group:
            row["household"] = household
            if "id_number" not in row or "name" not in row:
                continue
            resident = _match(
                reader, row, household, members[household.pk] if household else [], by_id
            )
            _check_masked_phone(reader, row, resident)
            if resident is None:
                continue
            if resident.pk in matched:
                problem = _("Row %(first)d already refers to this resident.")
                reader.error(
                    row["row"], NAME, "duplicate_member", problem, first=matched[resident.pk]
                )
            matched[resident.pk] = row["row"]
            row["resident"] = resident
            if not is_full(row["id_number"]):
                reader.consistent_with_id(row, resident.id_number or "")
        if household is not None:
            _check_stored_head(reader, number, group, members[household.pk], matched)


def _match(reader: Reader, row: dict, household, members: list[Resident], by_id):
    id_number, name = row["id_number"], row["name"]
    if is_full(id_number):
        resident = by_id.get(id_number)
        if resident is not None and (household is None or resident.household_id != household.pk):
            problem = _("This ID number is already registered to a resident of another household.")
            reader.error(row["row"], ID_NUMBER, "id_exists", problem)
            return None
        if resident is not None:
            return resident
        found = [m for m in members if m.name == name and not m.id_number]
        return found[0] if len(found) == 1 else None
    if id_number:
        found = [m for m in members if m.id_number and mask_id_number(m.id_number) == id_number]
        found = [m for m in found if m.name == name] if len(found) > 1 else found
        if len(found) != 1:
            problem = _(
                "A masked ID number must be that of a member already registered in "
                "this household; type the full number."
            )
            reader.error(row["row"], ID_NUMBER, "masked_id", problem)
            return None
        return found[0]
    found = [m for m in members if m.name == name]
    if len(found) > 1:
        problem = _("Several members of this household are called %(name)s; give the ID number.")
        reader.error(row["row"], NAME, "ambiguous_member", problem, name=name)
    return found[0] if len(found) == 1 else None


def _check_masked_phone(reader: Reader, row: dict, resident: Resident | None) -> None:
    phone = row.get("phone", "")
    if "*" in phone and (resident is None or mask_phone(resident.phone) != phone):
        problem = _("A masked phone number must be the stored one; type the full number.")
        reader.error(row["row"], PHONE, "masked_phone", problem)


def _check_stored_head(reader, number: str, rows: list[dict], members, matched) -> None:
    """A stored head missing from the file would make a second head next to the file's."""
    file_heads = [row for row in rows if row.get("relation") == R.HEAD]
    others = [m for m in members if m.relation == R.HEAD and m.pk not in matched]
    if file_heads and others:
        problem = _(
            "Household %(number)s already has a head, %(name)s, who is not in this "
            "file; add a row for them with their new relation."
        )
        reader.error(
            file_heads[0]["row"],
            RELATION,
            "second_head",
            problem,
            number=number,
            name=mask_name(others[0].name),
        )


def check_file(file, township: Unit) -> Reader:
    """Read and check the whole file; the caller raises if `reader.errors` is not empty."""
    try:
        header, data = read_rows(file, max_rows=MAX_ROWS)
    except ExcelError as exc:
        raise RosterError([row_error(0, "", exc.code, str(exc.message))]) from exc
    reader = Reader(township, header)
    if reader.errors:  # without the columns the rows cannot be read
        return reader
    for number, values in data:
        reader.read(number, values)
    households = _by_household(reader.rows)
    _check_households(reader, households)
    _match_members(reader, households)
    return reader


def sorted_errors(errors: list[RowError]) -> list[RowError]:
    order = {column: i for i, column in enumerate(ROSTER_COLUMNS)}
    return sorted(errors, key=lambda e: (e.row, order.get(e.column, -1)))


def roster_rows(reader: Reader) -> list[RosterRow]:
    names = set(RosterRow.__dataclass_fields__)
    return [RosterRow(**{k: v for k, v in row.items() if k in names}) for row in reader.rows]


def parse_roster(file, *, township: Unit) -> list[RosterRow]:
    """Every row of the file's first sheet, checked; raises RosterError listing all problems.

    Writes nothing. Each row comes back with `household` (the stored one with that 户号 in
    this township, or None) and `resident` (the stored member it refers to, or None).
    """
    reader = check_file(file, township)
    if reader.errors:
        raise RosterError(sorted_errors(reader.errors))
    return roster_rows(reader)
