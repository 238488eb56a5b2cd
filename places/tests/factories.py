"""Test data for places: a small township built through the real services."""

import datetime
import itertools
from dataclasses import dataclass, field

from core.idcard import check_char
from places import services
from places.models import Household, Resident, Unit

_serial = itertools.count(1)


def make_id_number(region: str = "520527", sex: str = "M") -> str:
    """A valid ID number (GB 11643 check digit) that no other call in this process returns."""
    n = next(_serial)
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=n)
    body = f"{region}{birth:%Y%m%d}{n % 100:02d}{1 if sex == 'M' else 2}"
    return body + check_char(body)


@dataclass
class SmallTownship:
    """county → township → 2 villages → groups; grids level 2..4 → 联户 → households."""

    county: Unit
    township: Unit
    villages: list[Unit]
    groups: list[Unit]
    grids: list[Unit]  # the level-4 grids, two per village
    joints: list[Unit]
    households: list[Household] = field(default_factory=list)


def build_township(name: str = "达依乡", county: Unit | None = None, per_joint: int = 3):
    county = county or services.create_unit(kind="county", name="赫章县", parent=None, actor=None)
    township = services.create_unit(kind="township", name=name, parent=county, actor=None)
    villages, groups, grids, joints = [], [], [], []
    for v in range(2):
        village = services.create_unit(
            kind="village", name=f"{name}第{v + 1}村", parent=township, actor=None
        )
        villages.append(village)
        for g in range(2):
            groups.append(
                services.create_unit(
                    kind="group", name=f"{village.name}{g + 1}组", parent=village, actor=None
                )
            )
        level2 = services.create_unit(
            kind="grid",
            name=f"{village.name}二级网格",
            parent=township,
            actor=None,
            village=village,
        )
        level3 = services.create_unit(
            kind="grid", name=f"{village.name}三级网格", parent=level2, actor=None
        )
        for n in range(2):
            grid = services.create_unit(
                kind="grid", name=f"{village.name}{n + 1:03d}网格", parent=level3, actor=None
            )
            grids.append(grid)
            joints.append(
                services.create_unit(
                    kind="joint", name=f"{grid.name}联户1", parent=grid, actor=None
                )
            )
    result = SmallTownship(county, township, villages, groups, grids, joints)
    number = itertools.count(1)
    for i, joint in enumerate(joints):
        group = groups[i]  # joint i lies in village i // 2, as group i does
        for _ in range(per_joint):
            household = services.create_household(
                number=f"{name[:2]}{next(number):04d}",
                group=group,
                joint=joint,
                actor=None,
                address=f"{group.name}{len(result.households) + 1}号",
            )
            services.create_resident(
                household=household,
                actor=None,
                name=f"刘{len(result.households)}先",
                sex=Resident.Sex.MALE,
                relation=Resident.Relation.HEAD,
                id_number=make_id_number(),
                phone=f"1380000{len(result.households):04d}",
            )
            result.households.append(household)
    return result
