"""Demo logins (one per role, password demo2026) and a chief for every demo grid and 联户.

The logins go through `create_user` and `assign_role` (an audit row each); the ~3,000 other
chiefs and 联户长 are written in bulk, with unusable passwords, so that the seed stays fast.
"""

import datetime
import random

from django.contrib.auth.hashers import make_password

from places.demo import DemoTownship, PeopleMaker
from places.models import Resident, Unit

from . import services
from .models import Role, RoleAssignment, User

DEMO_PASSWORD = "demo2026"
START = datetime.date(2022, 1, 1)  # the articles' year: every demo role holds since then
AUTHORITY = "{issuer}网格化管理实施方案（演示数据）"

# Every login `demo_logins` lists, in its order, with the role it shows (None: superuser).
DEMO_LOGINS = (
    ("admin", None),
    ("county_admin", Role.COUNTY_ADMIN),
    ("dayi_secretary", Role.TOWNSHIP_SECRETARY),
    ("dayi_head", Role.TOWNSHIP_HEAD),
    ("dayi_leader", Role.TOWNSHIP_LEADER),
    ("dayi_committee", Role.VILLAGE_COMMITTEE),
    ("dayi_chief", Role.GRID_CHIEF),
    ("dayi_member", Role.GRID_MEMBER),
    ("dayi_lianhu", Role.JOINT_HEAD),
    ("dayi_party", Role.PARTY_MEMBER),
    ("dayi_supervisor", Role.SUPERVISOR),
    ("dayi_keeper", Role.KEEPER),
    ("dayi_villager", Role.VILLAGER),
    ("liuhu_secretary", Role.TOWNSHIP_SECRETARY),
    ("liuhu_chief", Role.GRID_CHIEF),
    ("liuhu_member", Role.GRID_MEMBER),
)
DAYI_GRID = "和平社区002网格"  # the article's grid, with 联户长 刘宗先


class _Logins:
    """Creates the demo logins; the password is hashed once (hashing is slow on purpose)."""

    def __init__(self):
        self.password = make_password(DEMO_PASSWORD)

    def add(self, username: str, name: str, roles, issuer: Unit, resident=None) -> User:
        """A login with `roles`, each on the authority of `issuer`'s grid management plan."""
        user = User.objects.create_user(username=username, name=name, resident=resident)
        user.password = self.password
        user.save(update_fields=["password"])
        authority = AUTHORITY.format(issuer=issuer.name)
        for role, target in roles:
            on = {"household": target} if role == Role.VILLAGER else {"unit": target}
            services.assign_role(
                user=user, role=role, actor=None, start_date=START, authority=authority, **on
            )
        return user


def create_logins(dayi: DemoTownship, liuhu: DemoTownship) -> None:
    """One login per role (see DEMO_LOGINS), all with the password DEMO_PASSWORD."""
    logins = _Logins()
    User.objects.create_superuser(username="admin", password=None, name="系统管理员")
    User.objects.filter(username="admin").update(password=logins.password)
    logins.add("county_admin", "安国强", [(Role.COUNTY_ADMIN, dayi.county)], dayi.county)
    _dayi_logins(logins, dayi)
    town = liuhu.township
    logins.add(
        "liuhu_secretary",
        "宋建国",
        [(Role.TOWNSHIP_SECRETARY, town), (Role.GRID_CHIEF, town)],
        town,
    )
    chief_grid = liuhu.grids[5][0]
    member_grid = next(g for g in liuhu.grids[5] if g.village_id != chief_grid.village_id)
    logins.add("liuhu_chief", "孟庆华", [(Role.GRID_CHIEF, chief_grid)], town)
    logins.add("liuhu_member", "卢晓燕", [(Role.GRID_MEMBER, member_grid)], town)


def _dayi_logins(logins: _Logins, dayi: DemoTownship) -> None:
    town = dayi.township
    logins.add(
        "dayi_secretary", "文兵", [(Role.TOWNSHIP_SECRETARY, town), (Role.GRID_CHIEF, town)], town
    )
    logins.add("dayi_head", "龙正华", [(Role.TOWNSHIP_HEAD, town), (Role.GRID_CHIEF, town)], town)
    led = [(role, g) for g in dayi.grids[2][:2] for role in (Role.TOWNSHIP_LEADER, Role.GRID_CHIEF)]
    logins.add("dayi_leader", "陈开明", led, town)
    grid = dayi.grid(DAYI_GRID)
    community = grid.village
    logins.add("dayi_committee", "王德芬", [(Role.VILLAGE_COMMITTEE, community)], town)
    logins.add("dayi_chief", "刘光荣", [(Role.GRID_CHIEF, grid)], town)
    elsewhere = next(g for g in dayi.grids[4] if g.village_id != community.pk)
    logins.add("dayi_member", "张朝学", [(Role.GRID_MEMBER, elsewhere)], town)
    joints = [j for j in dayi.joints if j.parent_id == grid.pk]
    heads = _heads_by_joint(grid)
    lianhu = heads[joints[0].pk][0]  # 刘宗先, the article's 联户长
    logins.add("dayi_lianhu", lianhu.name, [(Role.JOINT_HEAD, joints[0])], town, lianhu)
    party = heads[joints[1].pk][1]
    Resident.objects.filter(pk=party.pk).update(is_party_member=True)
    logins.add("dayi_party", party.name, [(Role.PARTY_MEMBER, joints[1])], town, party)
    logins.add("dayi_supervisor", "罗纪平", [(Role.SUPERVISOR, town)], town)
    logins.add("dayi_keeper", "杨秀英", [(Role.KEEPER, community)], town)
    villager = heads[joints[0].pk][1]
    logins.add(
        "dayi_villager", villager.name, [(Role.VILLAGER, villager.household)], town, villager
    )


def _heads_by_joint(grid: Unit) -> dict[int, list[Resident]]:
    """The household heads of the grid's 联户, in household-number order."""
    heads = (
        Resident.objects.filter(household__joint__parent=grid, relation=Resident.Relation.HEAD)
        .select_related("household")
        .order_by("household__number")
    )
    result: dict[int, list[Resident]] = {}
    for head in heads:
        result.setdefault(head.household.joint_id, []).append(head)
    return result


# --- Everyone else, in bulk -----------------------------------------------------------------


class _Bulk:
    """Users and their role assignments, collected and then written in two bulk inserts."""

    def __init__(self, result: DemoTownship, prefix: str):
        self.result = result
        self.prefix = prefix
        self.authority = AUTHORITY.format(issuer=result.township.name)
        rng = random.Random(f"xiangzhi-demo-chiefs-{result.layout.name}")
        self.names = PeopleMaker(rng, result.layout, set())
        self.users: list[User] = []
        self.assignments: list[RoleAssignment] = []

    def add(self, tag: str, roles, name: str = "", resident_id=None) -> None:
        user = User(
            username=f"{self.prefix}_{tag}{len(self.users) + 1:04d}",
            name=name or self.names.full_name(self.names.rng.choice("MMMF")),
            password=make_password(None),
            resident_id=resident_id,
        )
        self.users.append(user)
        for role, unit in roles:
            self.assignments.append(
                RoleAssignment(
                    township=self.result.township,
                    user=user,
                    role=role,
                    unit=unit,
                    start_date=START,
                    authority=self.authority,
                )
            )

    def save(self) -> int:
        User.objects.bulk_create(self.users, batch_size=500)
        RoleAssignment.objects.bulk_create(self.assignments, batch_size=500)
        return len(self.users)


def fill_chiefs(result: DemoTownship, prefix: str) -> tuple[int, dict[int, int]]:
    """A grid chief for every grid and a 联户长 for every 联户 that has none yet.

    Level-2 grids are led by township leaders (a leader may lead two villages' grids; a 片区
    has its own), level-3 grids by the village heads (also on the village committee), the
    lower grids by their grid members. A 联户长 is the head of one of the 联户's households.
    Returns the number of users created and each level-4 grid's chief (grid id → user id).
    """
    bulk = _Bulk(result, prefix)
    held = set(
        RoleAssignment.objects.filter(
            township=result.township, role__in=[Role.GRID_CHIEF, Role.JOINT_HEAD]
        ).values_list("unit_id", flat=True)
    )
    free = [g for g in result.grids[2] if g.pk not in held]
    per_leader = 1 if result.layout.areas else 2
    for i in range(0, len(free), per_leader):
        grids = free[i : i + per_leader]
        bulk.add("l", [(r, g) for g in grids for r in (Role.TOWNSHIP_LEADER, Role.GRID_CHIEF)])
    for grid in result.grids[3]:
        if grid.pk not in held:
            bulk.add("v", [(Role.GRID_CHIEF, grid), (Role.VILLAGE_COMMITTEE, grid.village)])
    for level in range(4, result.layout.grid_levels + 1):
        for grid in result.grids[level]:
            if grid.pk not in held:
                bulk.add("g", [(Role.GRID_CHIEF, grid)])
    _joint_heads(bulk, held)
    created = bulk.save()
    chiefs = RoleAssignment.objects.filter(role=Role.GRID_CHIEF, unit__in=result.grids[4])
    return created, dict(chiefs.values_list("unit_id", "user_id"))


def _joint_heads(bulk: _Bulk, held: set[int]) -> None:
    linked = set(
        User.objects.filter(resident__township=bulk.result.township).values_list(
            "resident_id", flat=True
        )
    )
    candidates: dict[int, tuple[int, str]] = {}
    heads = (
        Resident.objects.filter(township=bulk.result.township, relation=Resident.Relation.HEAD)
        .exclude(pk__in=linked)
        .order_by("household__number")
        .values_list("pk", "name", "household__joint_id")
    )
    for pk, name, joint_id in heads:
        candidates.setdefault(joint_id, (pk, name))
    for joint in bulk.result.joints:
        if joint.pk not in held:
            resident_id, name = candidates[joint.pk]
            bulk.add("j", [(Role.JOINT_HEAD, joint)], name=name, resident_id=resident_id)
