"""The demo townships: 达依乡 (seed article 000) and 柳湖街道 (seed article 003).

The figures are the articles' (villages, groups, grids per level, 联户, responsibility areas);
names, households and residents are invented but realistic, and every ID number is valid.
Everything is deterministic: each township draws from its own seeded random generator and
ages are counted from the articles' year, so two loads give the same data.

Writing ~6,000 households and ~20,000 residents through the per-row services (one audit row
each) would take minutes, so the tree is laid out here with the same paths, townships,
villages and grid levels the services would derive, and written with bulk_create. Each
township gets one "import" audit entry instead (see `record_import`).
"""

import datetime
import random
from dataclasses import dataclass, field

from core import audit, tree
from core.idcard import check_char

from . import services
from .models import Household, Resident, ResponsibilityArea, Unit

SEED_YEAR = 2022
REASON = "demo data"
K = Unit.Kind
R = Resident.Relation
CN_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Layout:
    """The shape of one demo township, with the article's figures."""

    name: str
    county: str
    region: str  # GB/T 2260 code of the county: the county's code and the ID numbers' prefix
    number_prefix: str  # household numbers: prefix + 5 digits
    villages: tuple[str, ...]  # a name ending in 社区 is a community
    groups: int
    areas: tuple[str, ...]  # level-2 片区; empty: one level-2 grid per village
    level4: int
    level5: int  # 0 for a four-level township
    joints: int
    households_per_joint: tuple[int, int]
    responsibility_areas: int
    surnames: str  # most common first
    joint_heads: dict[str, str] = field(default_factory=dict)  # grid → its first 联户长

    @property
    def grid_levels(self) -> int:
        return 5 if self.level5 else 4


DAYI = Layout(
    name="达依乡",
    county="赫章县",
    region="520527",
    number_prefix="达依",
    # 和平社区 is the article's; the other names are invented.
    villages=tuple(
        "和平社区 达依村 营上村 鲁机村 拉本村 铁匠村 联合村 新寨村 前进村 大坪村 中营村".split()
    ),
    groups=65,
    areas=(),
    level4=105,
    level5=0,
    joints=288,
    households_per_joint=(8, 12),
    responsibility_areas=294,
    surnames="王李张刘陈杨罗赵龙安陆苏朱吴周黄徐胡马何郭高邓彭文禄余蔡韩田许贺",
    joint_heads={"和平社区002网格": "刘宗先"},
)

LIUHU = Layout(
    name="柳湖街道",
    # The article names no county ("区委、区政府"); 柳湖街道 lies in 淮阳区, 周口市.
    county="淮阳区",
    region="411603",
    number_prefix="柳湖",
    # 小孟楼, 大宋 and 卢关 are the article's model villages; the other names are invented.
    villages=tuple(
        "柳湖社区 北关社区 南关社区 东关社区 西关社区 弦歌社区 龙湖社区 羲皇社区 "
        "小孟楼村 大宋村 卢关村 王店村 李楼村 张庄村 刘寨村 陈营村 赵庄村 孙楼村 "
        "周庄村 吴庄村 许楼村 马庄村 朱集村 胡庄村 郭楼村 何营村".split()
    ),
    groups=96,
    areas=("第一片区", "第二片区", "第三片区", "第四片区", "第五片区", "第六片区"),
    level4=299,
    level5=650,
    joints=650,
    households_per_joint=(4, 5),
    responsibility_areas=0,
    surnames="王李张刘陈杨赵黄周吴孙马朱胡郭何高宋孟卢许郑谢韩冯曹袁邓",
)

LAYOUTS = (DAYI, LIUHU)


def distribute(total: int, parts: int) -> list[int]:
    """`total` split into `parts` near-equal counts, the larger ones spread evenly."""
    base, extra = divmod(total, parts)
    return [base + (i + 1) * extra // parts - i * extra // parts for i in range(parts)]


def exists() -> bool:
    """Whether a demo township is already in the database."""
    names = [layout.name for layout in LAYOUTS]
    return Unit.objects.filter(kind=K.TOWNSHIP, name__in=names).exists()


# --- People ---------------------------------------------------------------------------------

MALE_CHARS = "国建华文军平志伟勇强德金海林成荣福贵富兴忠祥光云龙学永顺发明亮涛斌刚宏俊峰磊超杰先才"
FEMALE_CHARS = "芳秀英兰梅琴丽霞燕红玲娟凤珍萍敏静丹艳婷慧琳雪莉桂春花翠菊美玉"
GENERATION_CHARS = "宗仁正家朝开世德继绍光天大文明永"


class PeopleMaker:
    """Names, birth dates, ID numbers and phones drawn from one generator."""

    def __init__(self, rng: random.Random, layout: Layout, used_ids: set[str]):
        self.rng = rng
        self.region = layout.region
        self.surnames = layout.surnames
        # Zipf-like weights: the first surnames of the list are much more common.
        self.weights = [1 / (rank + 3) for rank in range(len(layout.surnames))]
        self.used_ids = used_ids

    def surname(self) -> str:
        return self.rng.choices(self.surnames, weights=self.weights)[0]

    def given(self, sex: str) -> str:
        rng = self.rng
        if sex == Resident.Sex.FEMALE:
            if rng.random() < 0.35:
                return rng.choice(FEMALE_CHARS)
            return rng.choice(FEMALE_CHARS) + rng.choice(FEMALE_CHARS)
        roll = rng.random()
        if roll < 0.3:
            return rng.choice(MALE_CHARS)
        if roll < 0.7:
            return rng.choice(GENERATION_CHARS) + rng.choice(MALE_CHARS)
        return rng.choice(MALE_CHARS) + rng.choice(MALE_CHARS)

    def full_name(self, sex: str) -> str:
        return self.surname() + self.given(sex)

    def birth_date(self, year: int) -> datetime.date:
        return datetime.date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))

    def id_number(self, born: datetime.date, sex: str) -> str:
        """A valid GB 11643 number: the sequence's last digit is odd for men, even for women."""
        parities = "13579" if sex == Resident.Sex.MALE else "02468"
        while True:
            body = f"{self.region}{born:%Y%m%d}{self.rng.randint(0, 99):02d}"
            body += self.rng.choice(parities)
            number = body + check_char(body)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randint(0, 10**9 - 1):09d}"

    def household(self, size: int, head_name: str = "") -> list[dict]:
        """The members of one household as field dicts, the head first.

        Wives keep their own surnames; husbands and children carry the family's.
        """
        rng = self.rng
        head_sex = "M" if head_name or rng.random() < 0.85 else "F"
        head_year = rng.randint(1950, 1992)
        family = head_name[:1] if head_name else self.surname()
        if not head_name:
            head_name = family + self.given("M") if head_sex == "M" else self.full_name("F")
        members = [(R.HEAD, head_sex, head_year, head_name)]
        if size >= 2:
            sex = "F" if head_sex == "M" else "M"
            name = family + self.given(sex) if sex == "M" else self.full_name(sex)
            members.append((R.SPOUSE, sex, head_year + rng.randint(-4, 4), name))
        if size >= 5 and head_year >= 1965:
            sex = rng.choice("MF")
            name = head_name[:1] + self.given(sex) if sex == "M" else self.full_name(sex)
            members.append((R.PARENT, sex, head_year - rng.randint(22, 30), name))
        while len(members) < size:
            sex = rng.choice("MF")
            year = min(head_year + rng.randint(22, 32), SEED_YEAR - 1)
            members.append((R.CHILD, sex, year, family + self.given(sex)))
        return [self._person(*member) for member in members]

    def _person(self, relation, sex, year, name) -> dict:
        born = self.birth_date(year)
        adult = SEED_YEAR - year >= 18
        is_head = relation == R.HEAD
        party_odds = 0.12 if is_head else 0.04
        return {
            "name": name,
            "sex": sex,
            "birth_date": born,
            "id_number": self.id_number(born, sex),
            "phone": self.phone() if is_head or (adult and self.rng.random() < 0.4) else "",
            "relation": relation,
            "is_party_member": adult and self.rng.random() < party_odds,
        }


def household_size(rng: random.Random) -> int:
    """1 to 6 members, 3.3 on average."""
    return rng.choices((1, 2, 3, 4, 5, 6), weights=(10, 20, 25, 25, 15, 5))[0]


# --- The tree -------------------------------------------------------------------------------


@dataclass
class DemoTownship:
    """What `build` created, for the logins and the responsibility areas."""

    layout: Layout
    county: Unit
    township: Unit
    villages: list[Unit]
    grids: dict[int, list[Unit]]  # level → grids, in path order
    joints: list[Unit]
    households: list[Household]
    residents: int = 0
    areas: int = 0

    @property
    def units(self) -> int:
        groups = self.layout.groups
        return (
            1 + len(self.villages) + groups + sum(map(len, self.grids.values())) + len(self.joints)
        )

    def grid(self, name: str) -> Unit:
        return next(g for level in self.grids.values() for g in level if g.name == name)


class _TreeBuilder:
    """Lays out units under a new township with the paths `services.create_unit` would give."""

    def __init__(self, township: Unit):
        self.township = township
        self.children: dict[str, int] = {}
        self.by_depth: list[list[Unit]] = []

    def add(self, parent: Unit, *, kind: str, name: str, **fields) -> Unit:
        number = self.children.get(parent.path, 0) + 1
        self.children[parent.path] = number
        if "village" not in fields:
            in_village = parent.kind in (K.VILLAGE, K.COMMUNITY)
            fields["village"] = parent if in_village else parent.village
        unit = Unit(
            kind=kind,
            name=name,
            parent=parent,
            township=self.township,
            path=parent.path + tree.segment(number),
            **fields,
        )
        # Grids name their village, which may lie at the same depth: save villages first.
        depth = tree.depth(parent.path) - tree.depth(self.township.path)
        batch = 2 * depth + (kind in Unit.GRID_KINDS)
        while len(self.by_depth) <= batch:
            self.by_depth.append([])
        self.by_depth[batch].append(unit)
        return unit

    def grid(self, parent: Unit, name: str, level: int, village, work_group: str) -> Unit:
        return self.add(
            parent,
            kind=K.GRID,
            name=name,
            grid_level=level,
            village=village,
            work_group=work_group,
        )

    def save(self) -> None:
        for units in self.by_depth:  # parents first, so that children get their ids
            Unit.objects.bulk_create(units, batch_size=500)


def _township(layout: Layout) -> Unit:
    county = Unit.objects.filter(kind=K.COUNTY, name=layout.county).first()
    if county is None:
        county = services.create_unit(
            kind=K.COUNTY,
            name=layout.county,
            code=layout.region,
            parent=None,
            actor=None,
            reason=REASON,
        )
    township = services.create_unit(
        kind=K.TOWNSHIP, name=layout.name, parent=county, actor=None, reason=REASON
    )
    config = services.ensure_config(township)
    config.grid_levels = layout.grid_levels
    config.joint_size = layout.households_per_joint[1]
    config.save()
    return township


def build(layout: Layout) -> DemoTownship:
    """Create the township with its villages, groups, grids, 联户, households and residents."""
    township = _township(layout)
    builder = _TreeBuilder(township)
    villages = [
        builder.add(township, kind=K.COMMUNITY if name.endswith("社区") else K.VILLAGE, name=name)
        for name in layout.villages
    ]
    groups = {
        village.path: [
            builder.add(village, kind=K.GROUP, name=f"{village.name}{CN_NUMBERS[k]}组")
            for k in range(count)
        ]
        for village, count in zip(villages, distribute(layout.groups, len(villages)), strict=True)
    }
    level2 = _level2_grids(builder, layout, villages)
    grids: dict[int, list[Unit]] = {2: list({g.path: g for g in level2.values()}.values())}
    group_of = _village_grids(builder, layout, villages, level2, groups, grids)
    lowest = grids[4]
    if layout.level5:
        grids[5] = []
        for grid, count in zip(lowest, distribute(layout.level5, len(lowest)), strict=True):
            for k in range(count):
                name = f"{grid.name[:-2]}-{k + 1}网格"
                grids[5].append(builder.grid(grid, name, 5, grid.village, f"{name}联户群"))
        lowest = grids[5]
    joints = [
        builder.add(grid, kind=K.JOINT, name=n)
        for grid, count in zip(lowest, distribute(layout.joints, len(lowest)), strict=True)
        for n in (f"{grid.name}第{k + 1}联户" for k in range(count))
    ]
    builder.save()
    result = DemoTownship(layout, township.parent, township, villages, grids, joints, [])
    level4_length = len(grids[4][0].path)
    _households(result, group_of, level4_length)
    return result


def _level2_grids(builder: _TreeBuilder, layout: Layout, villages: list[Unit]) -> dict[str, Unit]:
    """Village path → its level-2 grid: a 片区 over several villages, or one per village."""
    township = builder.township
    if not layout.areas:
        return {
            v.path: builder.grid(township, f"{v.name}二级网格", 2, v, f"{v.name}二级网格工作群")
            for v in villages
        }
    result = {}
    remaining = iter(villages)
    sizes = distribute(len(villages), len(layout.areas))
    for area_name, size in zip(layout.areas, sizes, strict=True):
        name = f"{layout.name}{area_name}"
        area = builder.grid(township, name, 2, None, f"{name}工作群")
        for _ in range(size):
            result[next(remaining).path] = area
    return result


def _village_grids(
    builder: _TreeBuilder,
    layout: Layout,
    villages: list[Unit],
    level2: dict[str, Unit],
    groups: dict[str, list[Unit]],
    grids: dict[int, list[Unit]],
) -> dict[str, Unit]:
    """Each village's level-3 grid and its level-4 grids (natural villages) into `grids`.

    Returns each level-4 grid's villagers' group (by path): the grids of a village are spread
    over its groups in order, so that a grid's households all lie in one group.
    """
    grids[3], grids[4] = [], []
    group_of: dict[str, Unit] = {}
    counts = distribute(layout.level4, len(villages))
    for village, count in zip(villages, counts, strict=True):
        name = f"{village.name}三级网格"
        level3 = builder.grid(level2[village.path], name, 3, village, f"{name}工作群")
        grids[3].append(level3)
        village_groups = groups[village.path]
        for k in range(count):
            name = f"{village.name}{k + 1:03d}网格"
            grid = builder.grid(level3, name, 4, village, f"{name}联户群")
            group_of[grid.path] = village_groups[k * len(village_groups) // count]
            grids[4].append(grid)
    return group_of


def _households(result: DemoTownship, group_of: dict[str, Unit], level4_length: int) -> None:
    layout, township = result.layout, result.township
    rng = random.Random(f"xiangzhi-demo-{layout.name}")
    used = set(
        Resident.objects.filter(id_number__startswith=layout.region).values_list(
            "id_number", flat=True
        )
    )
    maker = PeopleMaker(rng, layout, used)
    door_numbers: dict[str, int] = {}
    members: list[tuple[Household, list[dict]]] = []
    for joint in result.joints:
        group = group_of[joint.path[:level4_length]]
        named_head = ""
        if joint.path.endswith(tree.segment(1)):
            named_head = layout.joint_heads.get(joint.parent.name, "")
        for index in range(rng.randint(*layout.households_per_joint)):
            door = door_numbers[group.path] = door_numbers.get(group.path, 0) + 1
            household = Household(
                township=township,
                number=f"{layout.number_prefix}{len(members) + 1:05d}",
                group=group,
                joint=joint,
                group_path=group.path,
                joint_path=joint.path,
                address=f"{group.name}{door}号",
                door_area=f"{group.name}{door}号房前屋后",
            )
            head = named_head if index == 0 else ""
            members.append((household, maker.household(household_size(rng), head_name=head)))
    result.households = Household.objects.bulk_create([h for h, _ in members], batch_size=500)
    residents = [
        Resident(township=township, household=household, **person)
        for household, people in members
        for person in people
    ]
    Resident.objects.bulk_create(residents, batch_size=1000)
    result.residents = len(residents)


# --- Responsibility areas and the audit entry ------------------------------------------------

K_DOOR = ResponsibilityArea.Kind.DOOR
AREA_NAMES = {
    ResponsibilityArea.Kind.ROAD: ("{grid}通组路", "{village}通村公路{grid_no}段", "{grid}串户路"),
    ResponsibilityArea.Kind.RIVER: ("{grid}河沟", "{village}河道{grid_no}段", "{grid}沟渠"),
    ResponsibilityArea.Kind.LAND: ("{grid}房前屋后空地", "{grid}田间地头", "{grid}山林边"),
    ResponsibilityArea.Kind.PUBLIC: ("{grid}垃圾收集点", "{grid}活动广场", "{grid}公厕"),
}


def build_areas(result: DemoTownship, owner_of_grid: dict[int, int]) -> None:
    """The township's responsibility areas on its level-4 grids.

    Each grid's first area is a household's 门前三包 strip; the others (roads, rivers, land,
    public places) belong to the grid's chief, whose user id `owner_of_grid` gives.
    """
    total = result.layout.responsibility_areas
    if not total:
        return
    rng = random.Random(f"xiangzhi-demo-areas-{result.layout.name}")
    grids = result.grids[4]
    households: dict[str, list[Household]] = {}
    level4_length = len(grids[0].path)
    for household in result.households:
        households.setdefault(household.joint_path[:level4_length], []).append(household)
    areas = []
    for grid, count in zip(grids, distribute(total, len(grids)), strict=True):
        owner = rng.choice(households[grid.path])
        areas.append(_area(result, grid, len(areas) + 1, K_DOOR, owner.address + "门前三包", owner))
        for _ in range(count - 1):
            kind = rng.choice(tuple(AREA_NAMES))
            name = rng.choice(AREA_NAMES[kind]).format(
                grid=grid.name, village=grid.village.name, grid_no=grid.name[-5:-2]
            )
            areas.append(_area(result, grid, len(areas) + 1, kind, name, owner_of_grid[grid.pk]))
    ResponsibilityArea.objects.bulk_create(areas, batch_size=500)
    result.areas = len(areas)


def _area(result: DemoTownship, grid: Unit, number: int, kind: str, name: str, owner):
    household = owner if isinstance(owner, Household) else None
    return ResponsibilityArea(
        township=result.township,
        grid=grid,
        grid_path=grid.path,
        number=number,
        name=name,
        kind=kind,
        owner_id=None if household else owner,
        owner_household=household,
    )


def record_import(result: DemoTownship, **extra: int) -> None:
    """One audit entry for the whole township instead of one per row."""
    counts = {
        "units": result.units,
        "households": len(result.households),
        "residents": result.residents,
        "areas": result.areas,
        **extra,
    }
    audit.record(
        actor=None,
        action="import",
        obj=result.township,
        changes={key: [0, value] for key, value in counts.items()},
        reason=REASON,
    )
