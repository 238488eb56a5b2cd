"""Demo household points (积分制) for the demo townships 达依乡 and 柳湖街道.

Each township publishes a template points list (农户积分清单: 000's five categories plus
sanitation and 门前三包) and every village adopts it from 2026-01-01, some with items of their
own; 和平社区 revises its list from July. Then ten months of monthly 联户评: the 联户长 proposes,
the chief of the household's grid approves. Snapshots close every month but the last, 和平社区
publishes 2026-Q3, and the demo grid chief's grid (和平社区002网格) has this month's
appraisals waiting for review and three appeals (upheld, dismissed, open).

~35,000 entries one by one through services.append (a locked head and an audit row each) would
take minutes, so each month is written in bulk and chained exactly as `services.append` chains
(seq, prev_hash, hash = ledger.digest, ChainHead); each township gets one "import" audit entry
(reason REASON). Items that need a photo are on the lists but not drawn: the demo stores no
photos. Deterministic for a given random generator.
"""

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from core import audit
from people.models import Role, RoleAssignment, User
from places.models import Household, Unit

from . import ledger, quarter, selectors, services
from .models import AppraisalBatch, BalanceSnapshot, ChainHead, Entry, Item, PointsList, Proposal

SINCE = datetime.date(2026, 1, 1)
MONTHS = tuple(datetime.date(2026, month, 1) for month in range(1, 11))  # approved: Jan–Oct
LAST_SNAPSHOT = datetime.date(2026, 9, 1)  # October is served from the entries since
PUBLISHED_VILLAGE, PUBLISHED_QUARTER = "和平社区", "2026-Q3"
OPEN_MONTH = datetime.date(2026, 11, 1)  # this month's appraisals wait for review
ACTIVE_SHARE = 0.4  # households that take part in the monthly 联户评
REASON = "demo points"
CHIEF, COMMITTEE, MEMBER, VILLAGER = "dayi_chief", "dayi_committee", "dayi_member", "dayi_villager"

# code, category, item, points, monthly cap, photo required, monthly chance for a household
# that takes part (0 for photo items: the demo stores no photos).
DAYI_ITEMS = (
    ("G1", "gratitude", "参加感恩教育院坝会", 2, 4, False, 0.10),
    ("G2", "gratitude", "投工投劳参与村级公益事业", 3, 6, False, 0.05),
    ("G3", "gratitude", "等靠要思想严重、拒不参与产业发展", -3, None, False, 0.004),
    ("M1", "morality", "参加志愿服务", 3, 9, False, 0.10),
    ("M2", "morality", "见义勇为、助人为乐（附照片）", 10, None, True, 0),
    ("M3", "morality", "主动调解邻里纠纷", 3, 6, False, 0.02),
    ("M4", "morality", "损坏公共设施", -5, None, False, 0.003),
    ("L1", "law", "按时参加村民（组）会议", 2, 2, False, 0.20),
    ("L2", "law", "参与禁毒、防诈骗宣传", 2, 4, False, 0.03),
    ("L3", "law", "野外用火、烧荒", -10, None, False, 0.002),
    ("L4", "law", "参与赌博", -10, None, False, 0.002),
    ("L5", "law", "私搭乱建", -5, None, False, 0.004),
    ("C1", "customs", "红白喜事简办", 5, None, False, 0.01),
    ("C2", "customs", "高价彩礼", -10, None, False, 0.002),
    ("C3", "customs", "大操大办、铺张浪费", -10, None, False, 0.003),
    ("C4", "customs", "参与封建迷信活动", -5, None, False, 0.002),
    ("F1", "family", "孝敬老人被评为好媳妇（好儿女）（附照片）", 10, None, True, 0),
    ("F2", "family", "子女按时入学、无辍学", 3, 3, False, 0.03),
    ("F3", "family", "家庭和睦、邻里互助", 2, 2, False, 0.06),
    ("F4", "family", "不赡养老人", -10, None, False, 0.001),
    ("S1", "sanitation", "门前三包达标", 5, 10, False, 0.45),
    ("S2", "sanitation", "庭院整洁、物品摆放有序", 3, 3, False, 0.12),
    ("S3", "sanitation", "乱倒垃圾", -5, None, False, 0.02),
    ("S4", "sanitation", "乱堆乱放、畜禽散养", -3, None, False, 0.02),
    ("S5", "sanitation", "参加环境卫生大扫除", 2, 4, False, 0.12),
)
SORTING = ("S6", "sanitation", "垃圾分类投放", 2, 4, False, 0.15)


def _variant(base, drop=(), add=()):
    return tuple(spec for spec in base if spec[0] not in drop) + tuple(add)


# 柳湖街道 is half town: no burning of fields, but dogs, sorting and things thrown from windows.
LIUHU_ITEMS = _variant(
    DAYI_ITEMS,
    drop=("G3", "L3", "S4"),
    add=(
        ("S4", "sanitation", "乱堆乱放、占道经营", -3, None, False, 0.02),
        SORTING,
        ("M5", "morality", "不文明养犬（未拴绳、不清理粪便）", -3, None, False, 0.01),
        ("L6", "law", "高空抛物", -10, None, False, 0.001),
    ),
)
TEMPLATES = {"达依乡": DAYI_ITEMS, "柳湖街道": LIUHU_ITEMS}
OWN_ITEMS = {  # villages that added items of their own when adopting the template
    "达依村": (("O1", "other", "发展庭院经济（种植、养殖）", 3, 3, False, 0.06),),
    "小孟楼村": (("O1", "other", "参与美丽庭院创建", 3, 3, False, 0.08),),
    "大宋村": (("O1", "other", "参加“好婆婆”“好媳妇”评选活动", 2, 2, False, 0.04),),
    "卢关村": (("O1", "other", "参与秸秆禁烧巡查", 2, 4, False, 0.05),),
}
# 和平社区's residents' meeting doubled the bride-price deduction and added rubbish sorting.
REVISION = (
    "和平社区",
    datetime.date(2026, 7, 1),
    "和平社区居民代表大会 2026-06-26 修订",
    {"drop": ("C2",), "add": (("C2", "customs", "高价彩礼", -20, None, False, 0.002), SORTING)},
)
NOTES = {  # why a deduction was made, as a grid chief writes it
    "S3": "在河沟边倾倒生活垃圾",
    "S4": "柴草、建材堆放占用通道",
    "C3": "办酒席超过简办标准",
    "L5": "未经审批搭建彩钢棚",
}


@dataclass(frozen=True)
class _Home:
    pk: int
    township_id: int
    village_id: int
    joint_id: int
    grid_id: int  # the lowest grid, whose chief reviews
    group_path: str
    joint_path: str


def seed_points(townships: list[Unit], rng: random.Random) -> dict[str, dict[str, int]]:
    """Points lists, ten approved months, a publication, open appraisals and appeals.

    Runs inside the caller's transaction, after the places and the people (logins, chiefs,
    联户长) are seeded. Returns counts per township name.
    """
    seeder = _Seeder(townships, rng)
    for month in MONTHS:
        seeder.month(month)
    seeder.open_appraisals()
    seeder.appeals()
    return seeder.record()


class _Seeder:
    def __init__(self, townships: list[Unit], rng: random.Random):
        self.rng = rng
        self.townships = townships
        self.villages = list(
            Unit.objects.filter(
                township__in=townships, kind__in=[Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY]
            ).order_by("path")
        )
        self.users = {u.username: u for u in User.objects.filter(username__in=_LOGINS)}
        self.lists: dict[int, list[tuple[datetime.date, dict]]] = {}
        for township in townships:
            self._publish_lists(township)
        self.homes = _homes(townships)
        self.home = {home.pk: home for home in self.homes}
        self.active = [home for home in self.homes if rng.random() < ACTIVE_SHARE]
        self.proposer = _holders(Role.JOINT_HEAD)
        self.approver = _holders(Role.GRID_CHIEF)
        self.heads = {v.pk: ChainHead(village=v, township_id=v.township_id) for v in self.villages}
        ChainHead.objects.bulk_create(self.heads.values())
        self.forced = self._forced_deductions()

    # --- Lists ---------------------------------------------------------------------------------

    def _publish_lists(self, township: Unit) -> None:
        actor = _holder(Role.TOWNSHIP_SECRETARY, township)
        specs = TEMPLATES[township.name]
        template = services.publish_list(
            township=township,
            title=f"{township.name}农户积分清单",
            effective_from=SINCE,
            items=_item_dicts(specs),
            actor=actor,
            basis=f"{township.name}村规民约修订指导意见（演示数据）",
        )
        for village in (v for v in self.villages if v.township_id == township.pk):
            basis = f"{village.name}村民大会 2025-12-20 表决通过"
            own = OWN_ITEMS.get(village.name, ())
            if own:  # adopted, and adapted with items of the village's own
                adopted = services.publish_list(
                    township=township,
                    village=village,
                    title=template.title,
                    effective_from=SINCE,
                    items=_item_dicts(specs + own),
                    actor=actor,
                    basis=basis,
                    adopted_from=template,
                )
            else:
                adopted = services.adopt_template(
                    template=template,
                    village=village,
                    effective_from=SINCE,
                    actor=actor,
                    basis=basis,
                )
            self._remember(village, adopted, specs + own)
            if village.name == REVISION[0]:
                self._revise(village, template, specs + own, actor)

    def _revise(self, village: Unit, template: PointsList, specs, actor) -> None:
        """A second version of the village's list, in force from a later month."""
        _name, since, basis, change = REVISION
        revised_specs = _variant(specs, **change)
        revised = services.publish_list(
            township=template.township,
            village=village,
            title=template.title,
            effective_from=since,
            items=_item_dicts(revised_specs),
            actor=actor,
            basis=basis,
            adopted_from=template,
        )
        self._remember(village, revised, revised_specs)

    def _remember(self, village: Unit, points_list: PointsList, specs) -> None:
        chance = {spec[0]: spec[6] for spec in specs}
        items = {item.code: (item, chance[item.code]) for item in points_list.items.all()}
        self.lists.setdefault(village.pk, []).insert(0, (points_list.effective_from, items))

    def items(self, village_id: int, month: datetime.date) -> dict[str, tuple[Item, float]]:
        """The village's items in force for `month` (its newest list already in force)."""
        return next(items for since, items in self.lists[village_id] if since <= month)

    # --- Approved months -----------------------------------------------------------------------

    def month(self, month: datetime.date) -> None:
        drawn: list[tuple[_Home, Item]] = []
        for home in self.active:
            for code, (item, chance) in self.items(home.village_id, month).items():
                if self.rng.random() < chance and (month, home.pk, code) not in self.forced:
                    drawn.append((home, item))
        for forced_month, pk, code in self.forced:
            if forced_month == month:
                home = self.home[pk]
                drawn.append((home, self.items(home.village_id, month)[code][0]))
        self._write(month, drawn)
        if month <= LAST_SNAPSHOT:
            for village in self.villages:
                services.snapshot_balances(month=month, village=village)
        if month == selectors.quarter_bounds(PUBLISHED_QUARTER)[1]:
            self._publish_quarter()

    def _write(self, month: datetime.date, drawn: list[tuple[_Home, Item]]) -> None:
        proposed_at, reviewed_at = _appraisal_times(month)
        batches: dict[int, AppraisalBatch] = {}
        for home, _item in drawn:
            if home.joint_id not in batches:
                batches[home.joint_id] = AppraisalBatch(
                    township_id=home.township_id,
                    joint_id=home.joint_id,
                    period=month,
                    note=f"{month.year}年{month.month}月联户评",
                    proposed_by_id=self.proposer[home.joint_id],
                )
        AppraisalBatch.objects.bulk_create(batches.values(), batch_size=1000)
        in_village: dict[int, int] = {}
        proposals = []
        for home, item in drawn:
            k = in_village[home.village_id] = in_village.get(home.village_id, 0) + 1
            proposals.append(
                Proposal(
                    township_id=home.township_id,
                    village_id=home.village_id,
                    household_id=home.pk,
                    group_path=home.group_path,
                    joint_path=home.joint_path,
                    item=item,
                    amount=item.value,
                    period=month,
                    note=NOTES.get(item.code, "") if item.value < 0 else "",
                    batch=batches[home.joint_id],
                    state=Proposal.State.APPROVED,
                    proposed_by_id=self.proposer[home.joint_id],
                    reviewed_by_id=self.approver[home.grid_id],
                    reviewed_at=reviewed_at + datetime.timedelta(seconds=30 * k),
                )
            )
        Proposal.objects.bulk_create(proposals, batch_size=1000)
        # auto_now_add stamped "now": put the proposals back on the evening of the appraisal.
        Proposal.objects.filter(batch__in=batches.values()).update(proposed_at=proposed_at)
        AppraisalBatch.objects.filter(pk__in=[b.pk for b in batches.values()]).update(
            created_at=proposed_at
        )
        entries = [self._chained(proposal) for proposal in proposals]
        Entry.objects.bulk_create(entries, batch_size=1000)
        ChainHead.objects.bulk_update(self.heads.values(), ["seq", "hash"], batch_size=500)

    def _chained(self, proposal: Proposal) -> Entry:
        """The approved proposal's entry, chained as services.append chains it."""
        head = self.heads[proposal.village_id]
        entry = Entry(
            township_id=proposal.township_id,
            village_id=proposal.village_id,
            household_id=proposal.household_id,
            seq=head.seq + 1,
            kind=Entry.Kind.AWARD,
            amount=proposal.amount,
            item=proposal.item,
            period=proposal.period,
            note=proposal.note[:300],
            proposal=proposal,
            reverses=None,
            proposed_by_id=proposal.proposed_by_id,
            approved_by_id=proposal.reviewed_by_id,
            created_at=proposal.reviewed_at,
            prev_hash=head.hash,
        )
        entry.hash = ledger.digest(entry)
        head.seq, head.hash = entry.seq, entry.hash
        return entry

    def _publish_quarter(self) -> None:
        village = next(v for v in self.villages if v.name == PUBLISHED_VILLAGE)
        services.publish_quarter(
            village=village,
            quarter=PUBLISHED_QUARTER,
            actor=self.users[COMMITTEE],
            rows=quarter.publication_rows(village, PUBLISHED_QUARTER),
        )

    # --- This month: open appraisals and appeals -----------------------------------------------

    def _chief_grid(self) -> Unit:
        return (
            RoleAssignment.objects.filter(user=self.users[CHIEF], role=Role.GRID_CHIEF)
            .select_related("unit")
            .get()
            .unit
        )

    def _forced_deductions(self) -> tuple[tuple[datetime.date, int, str], ...]:
        """The deductions the appeals below dispute, in the demo grid chief's grid."""
        grid = self._chief_grid()
        villager = RoleAssignment.objects.get(user=self.users[VILLAGER], role=Role.VILLAGER)
        homes = [h for h in self.homes if h.grid_id == grid.pk and h.pk != villager.household_id]
        own = self.home[villager.household_id]
        september, october = datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)
        return (
            (september, own.pk, "S3"),
            (october, homes[-1].pk, "S4"),
            (october, homes[-2].pk, "C3"),
        )

    def open_appraisals(self) -> None:
        """This month's 联户评 of the demo chief's grid, and two proposals of the demo member."""
        grid = self._chief_grid()
        for joint in Unit.objects.filter(parent=grid, kind=Unit.Kind.JOINT).order_by("path"):
            rows = []
            for household in Household.objects.filter(joint=joint).order_by("number"):
                items = self.items(self.home[household.pk].village_id, OPEN_MONTH)
                for code in ("S1", "M1", "S3"):
                    if self.rng.random() < items[code][1] * 1.5:
                        rows.append({"household": household, "item": items[code][0]})
            if rows:
                services.propose_joint(
                    joint=joint,
                    period=OPEN_MONTH,
                    rows=rows,
                    actor=User.objects.get(pk=self.proposer[joint.pk]),
                    note=f"{OPEN_MONTH.year}年{OPEN_MONTH.month}月联户评",
                )
        member = self.users[MEMBER]
        member_grid = RoleAssignment.objects.get(user=member, role=Role.GRID_MEMBER).unit
        for home in [h for h in self.homes if h.grid_id == member_grid.pk][:2]:
            household = Household.objects.get(pk=home.pk)
            item = self.items(home.village_id, OPEN_MONTH)["M1"][0]
            services.propose(
                household=household,
                item=item,
                period=OPEN_MONTH,
                actor=member,
                note="参加通组路清扫志愿服务",
            )

    def appeals(self) -> None:
        """One appeal upheld (a reversing entry), one dismissed, one waiting for a decision."""
        committee, chief = self.users[COMMITTEE], self.users[CHIEF]
        upheld, dismissed, waiting = (
            Entry.objects.get(household_id=pk, period=month, item__code=code)
            for month, pk, code in self.forced
        )
        appeal = services.file_appeal(
            entry=upheld, actor=self.users[VILLAGER], reason="垃圾不是我家倒的，请调监控核实"
        )
        services.decide_appeal(
            appeal=appeal,
            uphold=True,
            actor=committee,
            decision="经调取监控核实，系过路车辆丢弃，予以更正",
        )
        appeal = services.file_appeal(
            entry=dismissed, actor=chief, reason="户主口头申诉：柴草只是临时堆放（网格长代为登记）"
        )
        services.decide_appeal(
            appeal=appeal,
            uphold=False,
            actor=committee,
            decision="经现场核实，柴草占用通道已超过一周，维持扣分",
        )
        services.file_appeal(
            entry=waiting,
            actor=chief,
            reason="户主称酒席按简办标准操办，申请复核（网格长代为登记）",
        )

    def record(self) -> dict[str, dict[str, int]]:
        """One import audit entry per township; the counts by township name."""
        result = {}
        for township in self.townships:
            counts = {
                "lists": PointsList.objects.filter(township=township).count(),
                "entries": Entry.objects.filter(township=township).count(),
                "snapshots": BalanceSnapshot.objects.filter(township=township).count(),
                "pending": Proposal.objects.filter(
                    township=township, state=Proposal.State.PENDING
                ).count(),
            }
            audit.record(
                actor=None,
                action="import",
                obj=township,
                changes={key: [0, value] for key, value in counts.items()},
                reason=REASON,
            )
            result[township.name] = counts
        return result


_LOGINS = (CHIEF, COMMITTEE, MEMBER, VILLAGER)


def _item_dicts(specs) -> list[dict]:
    keys = ("code", "category", "name", "value", "monthly_cap", "evidence_required")
    return [dict(zip(keys, spec[:6], strict=True)) for spec in specs]


def _homes(townships: list[Unit]) -> list[_Home]:
    rows = (
        Household.objects.filter(township__in=townships)
        .order_by("township__path", "number")
        .values_list(
            "pk",
            "township_id",
            "group__village_id",
            "joint_id",
            "joint__parent_id",
            "group_path",
            "joint_path",
        )
    )
    return [_Home(*row) for row in rows]


def _holders(role: str) -> dict[int, int]:
    """Unit id → the user id of its (first) holder of `role`."""
    holders: dict[int, int] = {}
    rows = RoleAssignment.objects.filter(role=role, end_date__isnull=True).order_by("pk")
    for unit_id, user_id in rows.values_list("unit_id", "user_id"):
        holders.setdefault(unit_id, user_id)
    return holders


def _holder(role: str, unit: Unit) -> User | None:
    found = RoleAssignment.objects.filter(role=role, unit=unit).select_related("user").first()
    return found.user if found else None


def _appraisal_times(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The 联户评 meets on the evening of the 2nd of the next month; review on the 5th."""
    following = services.month_end(month) + datetime.timedelta(days=1)
    proposed = timezone.make_aware(datetime.datetime(following.year, following.month, 2, 20))
    reviewed = timezone.make_aware(datetime.datetime(following.year, following.month, 5, 9))
    return proposed, reviewed
