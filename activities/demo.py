"""Demo data of the record of work (called by `seed_demo`), with the seed articles' figures.

达依乡 (000): 18 central training sessions with 640 attendances and 27 other sessions with
1,361; loudspeaker broadcasts every day in 和平社区 and weekly elsewhere; weekly grid meetings of
和平社区's grids and half-monthly township reviews; propaganda as 001 counts it (6 street events,
2,000 brochures, 200 household-head meetings, 1,500 home visits, 3,000 people reached, 400
messages); the budget of 1 yuan per resident per month with 500 bins, 330 uniforms and points
supermarket goods bought (one entry corrected); two village decisions of 和平社区, one through
all six steps of 四议两公开, one in progress.
柳湖街道 (003): 3,000 volunteer events with 10,000+ participations, 34 special and 18 scheduling
meetings, 300 t of rubbish, 200 ponds and ditches, 150 illegal structures, 1,200 bins, and
trees by species (桂花 600, 红叶石楠 2,000, 楸树 1,000, 香樟 1,000).

Everything is dated from 1 January of the current year to today, so the statistics page's
default period (this year) shows the articles' figures. Rows are written with bulk_create and
one audit entry per township for the load (as places/demo.py does), to keep seeding fast;
the funding and the decisions go through the services.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from core import audit
from core.models import AuditEntry
from people.models import Role, RoleAssignment
from places.models import Resident, Unit

from . import services
from .models import (
    Attendance,
    Broadcast,
    Meeting,
    Output,
    Propaganda,
    Spending,
    Step,
    Training,
    VolunteerEvent,
    VolunteerTeam,
)

DAYI, LIUHU = "达依乡", "柳湖街道"
COMMUNITY = "和平社区"
VILLAGE_KINDS = (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY)


def distribute(total: int, parts: int, rng: random.Random, spread: float = 0.3) -> list[int]:
    """`parts` positive integers near total/parts that add up to `total` exactly."""
    base = total / parts
    shares = [max(1, round(base * (1 + rng.uniform(-spread, spread)))) for _ in range(parts)]
    diff = total - sum(shares)
    index = 0
    while diff:
        step = 1 if diff > 0 else -1
        if shares[index % parts] + step >= 1:
            shares[index % parts] += step
            diff -= step
        index += 1
    return shares


class _Seeder:
    def __init__(self, township: Unit, rng: random.Random):
        self.township = township
        self.rng = rng
        self.today = timezone.localdate()
        self.start = self.today.replace(month=1, day=1)
        self.actor = _holder(Role.TOWNSHIP_SECRETARY, township)
        self.villages = list(
            Unit.objects.filter(township=township, kind__in=VILLAGE_KINDS).order_by("path")
        )
        self.counts: dict[str, int] = {}

    def day(self) -> datetime.date:
        span = (self.today - self.start).days
        return self.start + datetime.timedelta(days=self.rng.randint(0, span))

    def days(self, every: int) -> list[datetime.date]:
        result, day = [], self.start
        while day <= self.today:
            result.append(day)
            day += datetime.timedelta(days=every)
        return result

    def save(self, rows: list, what: str) -> list:
        model = type(rows[0])
        created = model.objects.bulk_create(rows, batch_size=1000)
        self.counts[what] = self.counts.get(what, 0) + len(created)
        return created

    def record(self, model, unit: Unit, **fields):
        return model(
            township=self.township, unit=unit, recorded_by=self.actor, date=self.day(), **fields
        )


def seed(townships: list[Unit], rng: random.Random) -> dict[str, dict[str, int]]:
    """Load the demo data; returns counts per township name, printed by `seed_demo`."""
    result = {}
    for township in townships:
        seeder = _Seeder(township, rng)
        if seeder.actor is None:
            continue
        if township.name == DAYI:
            _dayi(seeder)
        elif township.name == LIUHU:
            _liuhu(seeder)
        # One audit entry for the whole load, as places/demo.py records its import.
        audit.record(
            actor=seeder.actor,
            action=AuditEntry.Action.IMPORT,
            obj=services.settings_for(township),
            changes={what: [None, number] for what, number in seeder.counts.items()},
            reason="演示数据",
        )
        result[township.name] = seeder.counts
    return result


# --- 达依乡 -----------------------------------------------------------------------------------


def _dayi(s: _Seeder) -> None:
    _trainings(s, central=(18, 640), other=(27, 1361))
    _propaganda(s)
    _broadcasts(s)
    _meetings_dayi(s)
    _volunteers(s, teams=len(s.villages), events=150, participations=1800)
    _outputs(s, {Output.Kind.RUBBISH_TONS: 120, Output.Kind.DITCHES_KM: 35, Output.Kind.BINS: 500})
    _funding(s)
    _decisions(s)


def _trainings(s: _Seeder, *, central: tuple[int, int], other: tuple[int, int]) -> None:
    pool = list(
        Resident.objects.filter(township=s.township).order_by("id").values_list("id", flat=True)
    )
    people = s.rng.sample(pool, min(len(pool), 900))
    topics = [
        "新时代文明创建政策解读",
        "“党建+积分”考核办法",
        "网格员业务培训",
        "环境卫生“四包”责任制",
        "联户长工作规范",
        "疫情防控与汛期安全排查",
    ]
    attendances = []
    for kind, (sessions, total) in (
        (Training.Kind.CENTRAL, central),
        (Training.Kind.OTHER, other),
    ):
        units = [s.township] if kind == Training.Kind.CENTRAL else s.villages
        rows = s.save(
            [
                s.record(
                    Training,
                    s.rng.choice(units),
                    kind=kind,
                    topic=s.rng.choice(topics),
                    trainer=s.rng.choice(["乡党委办", "乡综治办", "县文明办", "乡纪委"]),
                    hours=Decimal("2") if kind == Training.Kind.CENTRAL else Decimal("1"),
                )
                for _ in range(sessions)
            ],
            "training sessions",
        )
        for training, size in zip(rows, distribute(total, sessions, s.rng), strict=True):
            attendances += [
                Attendance(training=training, resident_id=pk) for pk in s.rng.sample(people, size)
            ]
    Attendance.objects.bulk_create(attendances, batch_size=2000)
    s.counts["attendances"] = len(attendances)


def _propaganda(s: _Seeder) -> None:
    """001's counts: 6 street events, 2,000 brochures, 200 household-head meetings, 1,500 home
    visits (3,000 people reached in all), 400 WeChat/SMS messages."""
    kind = Propaganda.Kind
    rows = []
    street = distribute(200, 6, s.rng)
    meetings = distribute(1300, 200, s.rng)
    plan = [
        (kind.STREET, "人居环境整治设点宣传", street),
        (kind.BROCHURE, "发放宣传册", distribute(2000, 10, s.rng)),
        (kind.HOUSEHOLD_MEETING, "户长会：门前三包", meetings),
        (kind.HOME_VISIT, "入户座谈", [1] * 1500),
        (kind.MESSAGE, "微信群、短信提醒", distribute(400, 20, s.rng)),
    ]
    for what, title, quantities in plan:
        for quantity in quantities:
            rows.append(
                s.record(
                    Propaganda, s.rng.choice(s.villages), kind=what, title=title, quantity=quantity
                )
            )
    s.save(rows, "propaganda actions")


def _broadcasts(s: _Seeder) -> None:
    community = next(v for v in s.villages if v.name == COMMUNITY)
    contents = [
        "环境卫生整治：门前三包，垃圾入桶",
        "疫情防控提醒",
        "汛期安全注意事项",
        "积分超市兑换时间通知",
        "禁毒宣传",
    ]
    rows = []
    for village in s.villages:
        every = 1 if village == community else 7
        for day in s.days(every):
            rows.append(
                Broadcast(
                    township=s.township,
                    unit=village,
                    recorded_by=s.actor,
                    date=day,
                    time=datetime.time(7, 30),
                    content=s.rng.choice(contents),
                    minutes=s.rng.choice([10, 15, 20]),
                )
            )
    s.save(rows, "broadcasts")


def _meetings_dayi(s: _Seeder) -> None:
    community = next(v for v in s.villages if v.name == COMMUNITY)
    grids = list(Unit.objects.filter(village=community, kind=Unit.Kind.GRID).order_by("path"))
    lowest = max(grid.grid_level for grid in grids)
    grids = [grid for grid in grids if grid.grid_level == lowest]
    rows = []
    for grid in grids:
        for day in s.days(7):
            rows.append(
                Meeting(
                    township=s.township,
                    unit=grid,
                    recorded_by=s.actor,
                    date=day,
                    kind=Meeting.Kind.GRID_WEEKLY,
                    title=f"{grid.name}周例会",
                    attendees=s.rng.randint(5, 12),
                    minutes="集中研判本周环境卫生问题，更新问题台账。",
                    decisions="明确整改责任人和时限。",
                )
            )
    for day in s.days(15):
        rows.append(
            Meeting(
                township=s.township,
                unit=s.township,
                recorded_by=s.actor,
                date=day,
                kind=Meeting.Kind.TOWNSHIP_REVIEW,
                title="半月集中研判会",
                attendees=s.rng.randint(20, 40),
                minutes="各村（社区）汇报半月整治情况。",
                decisions="对未按时整改的问题挂账督办。",
            )
        )
    s.save(rows, "meetings")


def _volunteers(s: _Seeder, *, teams: int, events: int, participations: int) -> None:
    team_rows = VolunteerTeam.objects.bulk_create(
        [
            VolunteerTeam(
                township=s.township,
                unit=village,
                name=f"{village.name}党员志愿服务队",
                members=s.rng.randint(20, 60),
                recorded_by=s.actor,
            )
            for village in s.villages[:teams]
        ]
    )
    titles = ["清扫村巷", "清理河塘沟渠", "铲除野广告", "帮扶独居老人", "植树护绿"]
    rows = []
    for participants in distribute(participations, events, s.rng):
        team = s.rng.choice(team_rows)
        rows.append(
            s.record(
                VolunteerEvent,
                team.unit,
                team=team,
                title=s.rng.choice(titles),
                participants=participants,
                hours=Decimal(participants * s.rng.choice([2, 3, 4])),
            )
        )
    s.save(rows, "volunteer events")


def _outputs(s: _Seeder, totals: dict, trees: dict | None = None) -> None:
    rows = []
    for kind, total in totals.items():
        for quantity in distribute(total, min(total, 40), s.rng):
            rows.append(
                s.record(Output, s.rng.choice(s.villages), kind=kind, quantity=Decimal(quantity))
            )
    for species, total in (trees or {}).items():
        for quantity in distribute(total, 10, s.rng):
            rows.append(
                s.record(
                    Output,
                    s.rng.choice(s.villages),
                    kind=Output.Kind.TREES,
                    quantity=Decimal(quantity),
                    species=species,
                )
            )
    s.save(rows, "work outputs")


def _funding(s: _Seeder) -> None:
    budget = services.set_budget(actor=s.actor, township=s.township, year=s.today.year)
    plan = [
        ("bins", "垃圾桶", 500, Decimal("30000")),
        ("uniforms", "网格员、联户长标志性服装", 330, Decimal("26400")),
        ("supermarket", "积分超市兑换物品（第一批）", None, Decimal("42000")),
        ("propaganda", "宣传册印制", 2000, Decimal("3000")),
    ]
    entries = [
        services.spend(
            actor=s.actor,
            budget=budget,
            date=s.day(),
            category=category,
            description=description,
            quantity=quantity,
            amount=amount,
        )
        for category, description, quantity, amount in plan
    ]
    wrong = services.spend(
        actor=s.actor,
        budget=budget,
        date=entries[-1].date,
        category="propaganda",
        description="宣传册印制（重复录入）",
        quantity=2000,
        amount=Decimal("3000"),
    )
    services.reverse_spending(actor=s.actor, entry=wrong, reason="重复录入", date=wrong.date)
    s.counts["spending entries"] = Spending.objects.filter(budget=budget).count()


def _decisions(s: _Seeder) -> None:
    community = next(v for v in s.villages if v.name == COMMUNITY)
    committee = _holder(Role.VILLAGE_COMMITTEE, community) or s.actor
    done = services.start_decision(
        actor=committee,
        village=community,
        title="和平社区主干道路灯安装",
        description="在社区主干道安装太阳能路灯40盏。",
    )
    day = s.start + datetime.timedelta(days=10)
    outcomes = [
        (Step.Kind.PROPOSAL, Step.Outcome.APPROVED, ""),
        (Step.Kind.DISCUSSION, Step.Outcome.APPROVED, ""),
        (Step.Kind.REVIEW, Step.Outcome.APPROVED, ""),
        (Step.Kind.RESOLUTION, Step.Outcome.APPROVED, ""),
        (
            Step.Kind.PUBLISH_RESOLUTION,
            Step.Outcome.PUBLISHED,
            "经村民代表会议表决通过：在社区主干道安装太阳能路灯40盏，资金由一事一议解决。",
        ),
        (
            Step.Kind.PUBLISH_RESULT,
            Step.Outcome.PUBLISHED,
            "路灯40盏已安装完毕并通过验收，共支出8.6万元，明细见公示栏。",
        ),
    ]
    for index, (kind, outcome, summary) in enumerate(outcomes):
        services.record_step(
            actor=committee,
            decision=done,
            kind=kind,
            date=min(day + datetime.timedelta(days=7 * index), s.today),
            outcome=outcome,
            summary=summary,
        )
    open_one = services.start_decision(
        actor=committee,
        village=community,
        title="村集体经济收益分配方案",
        description="讨论本年度村集体经济收益的分配办法。",
    )
    for index, kind in enumerate((Step.Kind.PROPOSAL, Step.Kind.DISCUSSION)):
        services.record_step(
            actor=committee,
            decision=open_one,
            kind=kind,
            date=min(day + datetime.timedelta(days=30 + index * 5), s.today),
            outcome=Step.Outcome.APPROVED,
        )
    s.counts["village decisions"] = 2


# --- 柳湖街道 ---------------------------------------------------------------------------------


def _liuhu(s: _Seeder) -> None:
    _volunteers(s, teams=len(s.villages), events=3000, participations=10200)
    rows = []
    for kind, count, title in (
        (Meeting.Kind.SPECIAL, 34, "人居环境整治专题调度会"),
        (Meeting.Kind.SCHEDULING, 18, "工作调度会及现场推进会"),
    ):
        rows += [
            s.record(Meeting, s.township, kind=kind, title=title, attendees=s.rng.randint(15, 40))
            for _ in range(count)
        ]
    s.save(rows, "meetings")
    _outputs(
        s,
        {
            Output.Kind.RUBBISH_TONS: 300,
            Output.Kind.DITCHES: 200,
            Output.Kind.STRUCTURES: 150,
            Output.Kind.BINS: 1200,
        },
        trees={"桂花": 600, "红叶石楠": 2000, "楸树": 1000, "香樟": 1000},
    )


def _holder(role: str, unit: Unit):
    found = RoleAssignment.objects.filter(role=role, unit=unit).select_related("user").first()
    return found.user if found else None
