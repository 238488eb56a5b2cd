"""Demo data of grievances and petitions for 达依乡 (called by `seed_demo`).

Matches seed 004's figures over "this year so far" (1 January → today) for the township:
- ordinary grievances collected on grid rounds and visits: 52 received ("50余个"), 46 concluded
  ("解决问题46个"); the other 6 still open, 3 of them past their deadline;
- petitions (信访) received on reception duty: 10 received, 10 concluded, all rated satisfied or
  basically satisfied (满意率100%);
and, for one village and one month, 和平社区 in VILLAGE_MONTH (the previous month, or this month
in January): 10 received, 10 concluded, 100% satisfied.
A reception duty rota for this month (weekdays, three leaders in turn) and a shift on each day a
petition was received. Rows are written in bulk (with their intake history rows) to stay fast.
"""

import datetime
import random

from django.utils import timezone

from core import audit
from people.models import Role, RoleAssignment, User
from places.models import Household, Resident, Unit

from . import escalation
from .models import DutyShift, Event, Grievance, Settings

VILLAGE = "和平社区"
ORDINARY, ORDINARY_DONE, OVERDUE = 52, 46, 3
VILLAGE_SET = 10
PETITIONS = 10
LEADERS = ("dayi_secretary", "dayi_head", "dayi_leader")
DEMO_CHIEF = "dayi_chief"
SUBJECTS = {
    "环境卫生": ["垃圾清运不及时", "村口沟渠堵塞发臭", "公厕无人打扫"],
    "道路交通": ["组道塌方", "村道路灯不亮", "桥梁栏杆损坏"],
    "水电供应": ["自来水压力不足", "电压不稳", "饮水管破裂"],
    "土地山林": ["山林界线纠纷", "承包地被占用"],
    "邻里纠纷": ["邻居排水影响房屋", "宅基地边界争议"],
    "社会保障": ["低保申请咨询", "医保报销进度"],
    "住房安全": ["危房改造申请", "房屋墙体开裂"],
    "政策咨询": ["产业补贴政策咨询", "养老保险缴费咨询"],
}
DAYS_10, DAYS_20 = datetime.timedelta(days=10), datetime.timedelta(days=20)
PETITION_SUBJECTS = ["征地补偿标准", "工程款拖欠", "林权证办理", "移民搬迁安置", "土地确权争议"]


def village_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The month of the village set: the previous month, or this month in January."""
    first = today.replace(day=1)
    if first.month == 1:
        return first, today
    start = (first - datetime.timedelta(days=1)).replace(day=1)
    return start, first - datetime.timedelta(days=1)


def seed(townships: list[Unit], rng: random.Random) -> dict[str, dict[str, int]]:
    """Load the demo data; returns counts per township name, printed by `seed_demo`."""
    township = next((t for t in townships if t.name == "达依乡"), None)
    if township is None:
        return {}
    for t in townships:
        Settings.objects.get_or_create(township=t)
    return {township.name: _Dayi(township, rng).seed()}


class _Dayi:
    def __init__(self, township: Unit, rng: random.Random):
        self.township = township
        self.rng = rng
        self.today = timezone.localdate()
        self.year_start = self.today.replace(month=1, day=1)
        self.users = {u.username: u for u in User.objects.filter(username__in=LEADERS)}
        chiefs = RoleAssignment.objects.filter(
            township=township, role=Role.GRID_CHIEF, unit__kind=Unit.Kind.GRID
        ).values_list("unit_id", "user_id")
        self.chief_of: dict[int, int] = {}
        for unit_id, user_id in chiefs:
            self.chief_of.setdefault(unit_id, user_id)
        heads = (
            Resident.objects.filter(township=township, relation=Resident.Relation.HEAD)
            .select_related("household__joint__parent", "household__joint__village")
            .order_by("household__number")
        )
        self.heads = [h for h in heads if h.household.joint.parent_id in self.chief_of]
        self.logins = dict(
            User.objects.filter(resident__township=township).values_list("resident_id", "pk")
        )
        self.grievances: list[Grievance] = []
        self.shifts: dict[tuple, DutyShift] = {}

    def _day(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    def _grievance(
        self,
        head: Resident,
        *,
        received,
        done,
        rating="",
        petition=False,
        late=False,
        open_overdue=False,
        duty=None,
    ):
        household: Household = head.household
        joint = household.joint
        grid = joint.parent
        village = joint.village
        chief = self.chief_of[grid.pk]
        category = self.rng.choice(list(SUBJECTS))
        subject = (
            self.rng.choice(PETITION_SUBJECTS) if petition else self.rng.choice(SUBJECTS[category])
        )
        days = 60 if petition else 15
        deadline = received + datetime.timedelta(days=days)
        if open_overdue:
            deadline = min(deadline, self.today - datetime.timedelta(days=1))
            deadline = max(deadline, received)
        g = Grievance(
            township=self.township,
            is_petition=petition,
            channel=(
                Grievance.Channel.RECEPTION
                if petition
                else self.rng.choice([Grievance.Channel.GRID_ROUND, Grievance.Channel.VISIT])
            ),
            category="其他" if petition else category,
            unit=joint,
            unit_path=joint.path,
            village_path=village.path if village else "",
            group_path=household.group_path,
            household=household,
            resident=head,
            person_user_id=self.logins.get(head.pk),
            subject=subject,
            request=f"{subject}，请求尽快处理。",
            received_on=received,
            recorded_by_id=duty.leader_id if duty else chief,
            duty=duty,
            state=Grievance.State.HANDLING,
            assigned_unit=self.township if petition else grid,
            assigned_path=self.township.path if petition else grid.path,
            assignee_id=duty.leader_id if duty else chief,
            deadline=deadline,
        )
        if done is not None:
            if late:
                g.deadline = max(received, done - datetime.timedelta(days=2))
            g.state = Grievance.State.CONCLUDED
            g.reply = "已协调相关部门处理完毕，并向群众当面答复。"
            g.replied_on = done
            g.concluded_on = done
            if rating:
                g.rating = rating
                g.rating_method = Grievance.RatingMethod.IN_PERSON
                g.rated_on = done
        self.grievances.append(g)
        return g

    def _duty(self, day: datetime.date, leader: User) -> DutyShift:
        key = (day, leader.pk)
        if key not in self.shifts:
            self.shifts[key] = DutyShift(
                township=self.township,
                unit=self.township,
                unit_path=self.township.path,
                date=day,
                leader=leader,
                place="乡信访接待室",
                created_by=self.users["dayi_secretary"],
            )
        return self.shifts[key]

    def seed(self) -> dict[str, int]:
        rng, today = self.rng, self.today
        vstart, vend = village_month(today)
        in_village = [h for h in self.heads if h.household.joint.village.name == VILLAGE]
        elsewhere = [h for h in self.heads if h.household.joint.village.name != VILLAGE]
        # The demo grid chief's grid lies in that village: its first grievance is his grid's, so
        # that his page shows one whatever the day's draws.
        chief = User.objects.filter(username=DEMO_CHIEF).values_list("pk", flat=True).first()
        chiefs_heads = [
            h for h in in_village if self.chief_of.get(h.household.joint.parent_id) == chief
        ]
        # the village's month: 10 received, 10 concluded within it, all satisfied or basically
        for n in range(VILLAGE_SET):
            received = (
                self._day(vstart, vend - datetime.timedelta(days=2))
                if (vend - vstart).days >= 2
                else vstart
            )
            done = self._day(received, vend)
            self._grievance(
                rng.choice(chiefs_heads if n == 0 and chiefs_heads else in_village),
                received=received,
                done=done,
                rating=rng.choice(["satisfied", "satisfied", "basic"]),
            )
        # the rest of the year's ordinary grievances, outside that village-month
        others = ORDINARY - VILLAGE_SET
        concluded_others = ORDINARY_DONE - VILLAGE_SET
        last_day = today - datetime.timedelta(days=1) if today > self.year_start else today
        for i in range(others):
            head = rng.choice(elsewhere)
            received = self._day(self.year_start, last_day)
            if i < concluded_others:
                done = self._day(received, min(received + datetime.timedelta(days=20), today))
                rating = rng.choice(["satisfied", "satisfied", "basic", "", "not"])
                self._grievance(head, received=received, done=done, rating=rating, late=i % 9 == 0)
            elif i - concluded_others < OVERDUE:  # open and past its deadline
                received = self._day(self.year_start, max(self.year_start, today - DAYS_20))
                self._grievance(head, received=received, done=None, open_overdue=True)
            else:  # open, still within its deadline
                received = self._day(max(self.year_start, today - DAYS_10), today)
                self._grievance(head, received=received, done=None)
        # petitions at the township's reception duty, all concluded and rated satisfied
        leaders = [self.users[name] for name in LEADERS if name in self.users]
        for i in range(PETITIONS):
            received = self._day(self.year_start, last_day)
            while received.weekday() >= 5 and received > self.year_start:
                received -= datetime.timedelta(days=1)
            duty = self._duty(received, leaders[i % len(leaders)])
            done = self._day(received, min(received + datetime.timedelta(days=45), today))
            self._grievance(
                rng.choice(elsewhere),
                received=received,
                done=done,
                rating=rng.choice(["satisfied", "basic"]),
                petition=True,
                duty=duty,
            )
        # this month's rota: weekdays, the three leaders in turn
        first = today.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        day, turn = first, 0
        while day < following:
            if day.weekday() < 5:
                self._duty(day, leaders[turn % len(leaders)])
                turn += 1
            day += datetime.timedelta(days=1)
        return self._save()

    def _save(self) -> dict[str, int]:
        shifts = list(self.shifts.values())
        DutyShift.objects.bulk_create(shifts)
        Grievance.objects.bulk_create(self.grievances)
        events = []
        for g in self.grievances:
            events.append(self._event(g, Event.Action.INTAKE, "", "registered", g.recorded_by_id))
            events.append(
                self._event(g, Event.Action.ASSIGN, "registered", "handling", g.recorded_by_id)
            )
            if g.state == Grievance.State.CONCLUDED:
                events.append(
                    self._event(
                        g, Event.Action.REPLY, "handling", "replied", g.assignee_id, g.reply
                    )
                )
                events.append(
                    self._event(g, Event.Action.CONCLUDE, "replied", "concluded", g.assignee_id)
                )
                if g.rating:
                    events.append(
                        self._event(
                            g,
                            Event.Action.RATE,
                            "concluded",
                            "concluded",
                            g.assignee_id,
                            data={"rating": g.rating},
                        )
                    )
        Event.objects.bulk_create(events, batch_size=500)
        audit.record_many(
            self.grievances,
            actor=None,
            action="create",
            changes_of=lambda g: {"state": [None, g.state]},
            reason="演示数据",
        )
        ordinary = [g for g in self.grievances if not g.is_petition]
        # Today's three-colour tickets of the overdue ones (the daily `escalate` would issue them).
        tickets = escalation.escalate_township(township=self.township, day=self.today, notify=False)
        return {
            "grievances": len(ordinary),
            "concluded": sum(g.state == "concluded" for g in ordinary),
            "petitions": len(self.grievances) - len(ordinary),
            "duty shifts": len(shifts),
            "supervision tickets": sum(tickets.created.values()),
        }

    def _event(self, g, action, from_state, to_state, actor_id, note="", data=None):
        return Event(
            township=self.township,
            grievance=g,
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor_id=actor_id,
            note=note,
            data=data or {},
        )
