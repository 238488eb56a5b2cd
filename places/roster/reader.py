"""Reading a roster's cells: each row checked on its own, places looked up by name."""

import datetime
import re
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.idcard import birth_date as id_birth_date
from core.idcard import sex_of, validate_id_number
from core.masking import MOBILE_RE

from ..models import Unit
from .rows import (
    ADDRESS,
    BIRTH,
    DOOR_AREA,
    GRID,
    GROUP,
    ID_NUMBER,
    JOINT,
    MASKED_ID_RE,
    MASKED_PHONE_RE,
    NAME,
    NUMBER,
    PARTY,
    PARTY_LABELS,
    PHONE,
    PLACE_FIELDS,
    RELATION,
    RELATION_LABELS,
    REQUIRED_COLUMNS,
    SEX,
    SEX_LABELS,
    VILLAGE,
    RowError,
    row_error,
)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).strip()


def _header_key(value) -> str:
    return _text(value).replace("（", "(").replace("）", ")").replace(" ", "")


class Places:
    """The township's active villages, groups, grids and 联户, looked up by name."""

    def __init__(self, township: Unit):
        self.by_name: dict[tuple[str, str], list[Unit]] = defaultdict(list)
        kinds = {"village": "village", "community": "village", "group": "group"}
        kinds |= {"grid": "grid", "joint": "joint"}
        units = Unit.objects.filter(township=township, is_active=True, kind__in=list(kinds))
        for unit in units.order_by("path"):
            self.by_name[(kinds[unit.kind], unit.name)].append(unit)

    def village(self, name: str):
        return self._one(self.by_name[("village", name)], name)

    def group(self, name: str, village: Unit):
        found = [u for u in self.by_name[("group", name)] if u.parent_id == village.id]
        if not found and self.by_name[("group", name)]:
            return None, "group_not_in_village", _("“%(name)s” is not a group of %(parent)s.")
        return self._one(found, name)

    def grid(self, name: str, village: Unit | None):
        found = self.by_name[("grid", name)]
        if len(found) > 1 and village is not None:
            found = [u for u in found if u.village_id == village.id] or found
        return self._one(found, name)

    def joint(self, name: str, grid: Unit):
        found = [u for u in self.by_name[("joint", name)] if u.path.startswith(grid.path)]
        if not found and self.by_name[("joint", name)]:
            return None, "joint_not_in_grid", _("“%(name)s” is not a 联户 of %(parent)s.")
        return self._one(found, name)

    @staticmethod
    def _one(found: list[Unit], name: str):
        if len(found) == 1:
            return found[0], "", ""
        if found:
            return None, "ambiguous", _("Several places are named “%(name)s”; rename them.")
        return None, "not_found", _("There is no “%(name)s” in this township.")


class Reader:
    """Checks rows one by one; every problem goes to `errors`, checked values to `rows`."""

    def __init__(self, township: Unit, header: list):
        self.township = township
        self.errors: list[RowError] = []
        self.rows: list[dict] = []
        self.places = Places(township)
        self.index: dict[str, int] = {}
        for position, value in enumerate(header):
            self.index.setdefault(_header_key(value), position)
        for column in REQUIRED_COLUMNS:
            if column not in self.index:
                self.error(1, column, "missing_column", _("The header row lacks this column."))

    def error(self, row: int, column: str, code: str, problem: str, **params) -> None:
        self.errors.append(row_error(row, column, code, problem % params if params else problem))

    def read(self, number: int, values: tuple) -> None:
        self.number, self.values, self.data = number, values, {"row": number}
        for column, key, max_length in (
            (NUMBER, "household_number", 30),
            (ADDRESS, "address", 200),
            (DOOR_AREA, "door_area", 200),
            (NAME, "name", 50),
        ):
            self._plain(column, key, max_length)
        self._places()
        self._choice(SEX, "sex", SEX_LABELS, required=True)
        self._choice(RELATION, "relation", RELATION_LABELS, required=True)
        self._choice(PARTY, "is_party_member", PARTY_LABELS, required=False)
        self._birth_date()
        self._id_number()
        self._phone()
        self.consistent_with_id(self.data, self.data.get("id_number", ""))
        self.rows.append(self.data)

    def cell(self, column: str):
        position = self.index.get(column)
        if position is None or position >= len(self.values):
            return None
        return self.values[position]

    def _required(self, column: str, text: str) -> bool:
        if not text and column in REQUIRED_COLUMNS:
            self.error(self.number, column, "required", _("This column is required."))
            return False
        return True

    def _plain(self, column: str, key: str, max_length: int) -> None:
        text = _text(self.cell(column))
        if not self._required(column, text):
            return
        if len(text) > max_length:
            problem = _("At most %(max)d characters.")
            self.error(self.number, column, "too_long", problem, max=max_length)
            return
        self.data[key] = text

    def _places(self) -> None:
        names = {column: _text(self.cell(column)) for _key, column in PLACE_FIELDS}
        if not all([self._required(column, names[column]) for _key, column in PLACE_FIELDS]):
            return
        village = self._place(VILLAGE, self.places.village(names[VILLAGE]), names[VILLAGE])
        if village is not None:
            group = self.places.group(names[GROUP], village)
            self.data["group"] = self._place(GROUP, group, names[GROUP], village)
        grid = self._place(GRID, self.places.grid(names[GRID], village), names[GRID])
        if grid is not None:
            joint = self.places.joint(names[JOINT], grid)
            self.data["joint"] = self._place(JOINT, joint, names[JOINT], grid)
        self.data["village"], self.data["grid"] = village, grid
        for key in ("village", "group", "grid", "joint"):
            if self.data.get(key) is None:
                self.data.pop(key, None)

    def _place(self, column: str, found, name: str, parent: Unit | None = None):
        unit, code, problem = found
        if unit is None:
            parent_name = parent.name if parent else ""
            self.error(self.number, column, code, problem, name=name, parent=parent_name)
        return unit

    def _choice(self, column: str, key: str, labels: dict, *, required: bool) -> None:
        text = _text(self.cell(column))
        if not text and not required:
            self.data[key] = None
        elif not text:
            self._required(column, text)
        elif text not in labels:
            problem = _("Write one of: %(choices)s.")
            self.error(self.number, column, "invalid_choice", problem, choices="、".join(labels))
        else:
            self.data[key] = labels[text]

    def _birth_date(self) -> None:
        value = self.cell(BIRTH)
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, str):
            try:
                value = datetime.datetime.strptime(value.strip(), "%Y-%m-%d").date()
            except ValueError:
                value = value.strip() or None
        if value is None:
            self.data["birth_date"] = None
        elif not isinstance(value, datetime.date):
            problem = _("Write a date as YYYY-MM-DD, e.g. 1980-01-31.")
            self.error(self.number, BIRTH, "invalid_date", problem)
        elif value > datetime.date.today():
            self.error(self.number, BIRTH, "future_date", _("The date is in the future."))
        else:
            self.data["birth_date"] = value

    def _id_number(self) -> None:
        value = self.cell(ID_NUMBER)
        if isinstance(value, float):
            problem = _(
                "Excel stored the ID number as a number and lost digits; format the "
                "column as text and type it again."
            )
            self.error(self.number, ID_NUMBER, "id_as_number", problem)
            return
        text = _text(value).upper()
        if not text or (MASKED_ID_RE.match(text) and "*" in text):
            self.data["id_number"] = text
            return
        try:
            self.data["id_number"] = validate_id_number(text)
        except ValidationError as exc:
            self.error(self.number, ID_NUMBER, exc.code or "invalid", "; ".join(exc.messages))

    def _phone(self) -> None:
        text = re.sub(r"[\s-]", "", _text(self.cell(PHONE)))
        if text and not MOBILE_RE.match(text) and not ("*" in text and MASKED_PHONE_RE.match(text)):
            problem = _("Write an 11-digit mobile number, or leave it empty.")
            self.error(self.number, PHONE, "invalid_phone", problem)
            return
        self.data["phone"] = text

    def consistent_with_id(self, data: dict, id_number: str) -> None:
        """Sex and birth date must agree with a full ID number (the file's or the stored one)."""
        if not id_number or "*" in id_number:
            return
        if data.get("sex") and data["sex"] != sex_of(id_number):
            problem = _("The sex does not match the ID number.")
            self.error(data["row"], SEX, "sex_mismatch", problem)
        if data.get("birth_date") and data["birth_date"] != id_birth_date(id_number):
            problem = _("The birth date does not match the ID number.")
            self.error(data["row"], BIRTH, "birth_mismatch", problem)
