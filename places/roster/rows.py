"""The roster's columns, its row type, and the errors and result an import reports."""

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.idcard import birth_date as id_birth_date
from core.masking import mask_id_number, mask_phone

from ..models import Household, Resident, Unit

NUMBER, VILLAGE, GROUP, GRID, JOINT = "户号", "村(社区)", "村民组", "网格", "联户"
ADDRESS, DOOR_AREA, NAME, SEX, BIRTH = "地址", "门前三包", "姓名", "性别", "出生日期"
ID_NUMBER, PHONE, RELATION, PARTY = "身份证号", "手机号", "与户主关系", "党员"
ROSTER_COLUMNS = [
    NUMBER, VILLAGE, GROUP, GRID, JOINT, ADDRESS, DOOR_AREA,
    NAME, SEX, BIRTH, ID_NUMBER, PHONE, RELATION, PARTY,
]  # fmt: skip
REQUIRED_COLUMNS = [NUMBER, VILLAGE, GROUP, GRID, JOINT, NAME, SEX, RELATION]
ROSTER_WIDTHS = [12, 16, 16, 22, 22, 28, 20, 10, 6, 12, 22, 14, 11, 6]
MAX_ROWS = 50_000

SEX_LABELS = {"男": Resident.Sex.MALE, "女": Resident.Sex.FEMALE}
R = Resident.Relation
RELATION_LABELS = {
    "户主": R.HEAD,
    "配偶": R.SPOUSE,
    "子女": R.CHILD,
    "父母": R.PARENT,
    "孙子女": R.GRANDCHILD,
    "其他": R.OTHER,
}
PARTY_LABELS = {"是": True, "否": False}
MASKED_ID_RE = re.compile(r"^[\dX*]{18}$")
MASKED_PHONE_RE = re.compile(r"^[\d*]{7,20}$")
PLACE_FIELDS = (("village", VILLAGE), ("group", GROUP), ("grid", GRID), ("joint", JOINT))


@dataclass(frozen=True)
class RowError:
    """One problem: Excel row number (header = 1, 0 = the whole file), column, stable code."""

    row: int
    column: str  # a ROSTER_COLUMNS header, or "" for the whole row or file
    message: str  # translated, and says where: 第17行，“身份证号”：…
    code: str = "invalid"
    problem: str = ""  # the message without its "row, column" prefix, for a table of errors


class RosterError(ServiceError):
    """The file was refused; `errors` lists every problem found, and nothing was written."""

    code = "roster_invalid"

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(
            _("Nothing was imported: %(n)d problems were found in the file.") % {"n": len(errors)}
        )


@dataclass
class ImportResult:
    households_created: int = 0
    residents_created: int = 0
    households_updated: int = 0
    residents_updated: int = 0


@dataclass
class RosterRow:
    """One resident's row, checked. ID number and phone may be masked forms (with "*")."""

    row: int
    household_number: str
    village: Unit
    group: Unit
    grid: Unit
    joint: Unit
    address: str
    door_area: str
    name: str
    sex: str
    birth_date: datetime.date | None
    id_number: str
    phone: str
    relation: str
    is_party_member: bool | None
    household: Household | None = field(default=None, compare=False, repr=False)
    resident: Resident | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_resident(cls, resident: Resident) -> "RosterRow":
        household = resident.household
        return cls(
            row=0,
            household_number=household.number,
            village=household.group.village,
            group=household.group,
            grid=household.joint.parent,
            joint=household.joint,
            address=household.address,
            door_area=household.door_area,
            name=resident.name,
            sex=resident.sex,
            birth_date=resident.birth_date,
            id_number=resident.id_number or "",
            phone=resident.phone,
            relation=resident.relation,
            is_party_member=resident.is_party_member,
        )

    def cells(self, *, masked: bool = True) -> list:
        """The row's cells in ROSTER_COLUMNS order."""
        party = {True: "是", False: "否", None: ""}[self.is_party_member]
        return [
            self.household_number,
            self.village.name,
            self.group.name,
            self.grid.name,
            self.joint.name,
            self.address,
            self.door_area,
            self.name,
            {v: k for k, v in SEX_LABELS.items()}[self.sex],
            self.birth_date,
            mask_id_number(self.id_number) if masked else self.id_number,
            mask_phone(self.phone) if masked else self.phone,
            {v: k for k, v in RELATION_LABELS.items()}[self.relation],
            party,
        ]

    def new_fields(self) -> dict:
        """Fields for places.services.create_resident; the ID number gives a missing birth date."""
        birth = self.birth_date
        if birth is None and is_full(self.id_number):
            birth = id_birth_date(self.id_number)
        return {
            "name": self.name,
            "sex": self.sex,
            "birth_date": birth,
            "id_number": self.id_number or None,
            "phone": self.phone,
            "relation": self.relation,
            "is_party_member": bool(self.is_party_member),
        }

    def changed_fields(self, resident: Resident) -> dict:
        """What an update changes: empty and masked cells keep the stored value."""
        wanted = {"name": self.name, "sex": self.sex, "relation": self.relation}
        if self.birth_date is not None:
            wanted["birth_date"] = self.birth_date
        if self.id_number and "*" not in self.id_number:
            wanted["id_number"] = self.id_number
        if self.phone and "*" not in self.phone:
            wanted["phone"] = self.phone
        if self.is_party_member is not None:
            wanted["is_party_member"] = self.is_party_member
        return {key: value for key, value in wanted.items() if getattr(resident, key) != value}


def row_error(row: int, column: str, code: str, problem: str) -> RowError:
    """A RowError whose message says where: the row, then the column, when known."""
    if row and column:
        text = _("Row %(row)d, “%(column)s”: %(problem)s")
    elif row:
        text = _("Row %(row)d: %(problem)s")
    else:
        text = "%(problem)s"
    message = text % {"row": row, "column": column, "problem": problem}
    return RowError(row=row, column=column, message=message, code=code, problem=str(problem))


def is_full(id_number: str) -> bool:
    """A full ID number, not empty and not the masked form of an export."""
    return bool(id_number) and "*" not in id_number
