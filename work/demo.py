"""Demo data of work lists and problem ledgers for 达依乡 (called by `seed_demo`).

Last month's list (published) and this month's (issued) with two tasks per level-4 grid, some
reported and confirmed; about 300 problems in every state, some overdue, with the tickets
`escalate` issues today; a random draw and two 三必问 visits. Written in bulk: well under 2 s.

dayi_chief's grid (和平社区002网格) has problems to rectify named to dayi_member (the
township sent him to help that grid): the browser test has him submit one with a photo, and
dayi_chief accept it.
"""

import datetime
import random

from django.db.models import Max
from django.utils import timezone

from core import audit
from people.models import Role, RoleAssignment, User
from places.models import ResponsibilityArea, Unit

from . import escalation, services
from .models import Draw, Problem, ProblemEvent, Task, TaskReport, Visit, WorkList

DAYI = "达依乡"
E2E_GRID = "和平社区002网格"
E2E_PROBLEM = "串户路边堆放建筑垃圾"
TASKS = (
    ("责任区域环境卫生整治", "路面、沟渠无垃圾杂物，网格员拍照上报，网格长确认"),
    ("公示栏标准内容张贴", "政策、纪委服务卡、安全、卫生、禁毒、防贫二维码、招聘信息七项齐全"),
)
PROBLEMS = (
    ("sanitation", "路边垃圾未及时清运", "三日内清运完毕，设置垃圾收集点"),
    ("doorstep", "门前三包不落实，杂物乱堆", "督促农户清理杂物，签订门前三包责任书"),
    ("water", "河沟内漂浮生活垃圾", "组织保洁员清理河沟，设立警示牌"),
    ("road", "串户路破损积水", "修补路面，疏通排水沟"),
    ("structure", "房前屋后私搭乱建", "限期拆除，恢复原貌"),
    ("board", "公示栏内容过期缺项", "更新七项标准内容"),
    ("safety", "废弃电线杆倾斜存在隐患", "联系供电所处理，设置警戒"),
)
SOURCES = ("inspection", "supervision", "grid_member", "villager")
# (state, share): the mix of a real ledger mid-month
STATES = (
    ("open", 0.25),
    ("rectifying", 0.25),
    ("submitted", 0.12),
    ("closed", 0.33),
    ("withdrawn", 0.05),
)


def seed(townships: list[Unit], rng: random.Random) -> dict[str, dict[str, int]]:
    """Load the demo data; returns counts per township name, printed by `seed_demo`."""
    result = {}
    for township in townships:
        if township.name == DAYI:
            result[township.name] = _Seeder(township, rng).run()
    return result


class _Seeder:
    def __init__(self, township: Unit, rng: random.Random):
        self.township = township
        self.rng = random.Random(f"xiangzhi-demo-work-{township.name}")
        self.today = timezone.localdate()
        self.users = {
            u.username: u
            for u in User.objects.filter(
                username__in=["dayi_secretary", "dayi_chief", "dayi_member", "dayi_supervisor"]
            )
        }
        grids = Unit.objects.filter(township=township, kind=Unit.Kind.GRID)
        level = grids.aggregate(n=Max("grid_level"))["n"]
        self.grids = list(grids.filter(grid_level=level).select_related("village").order_by("path"))
        self.chiefs = dict(
            RoleAssignment.objects.filter(
                role=Role.GRID_CHIEF, unit__in=self.grids, end_date__isnull=True
            )
            .order_by("-id")
            .values_list("unit_id", "user_id")
        )
        self.areas: dict[int, list[ResponsibilityArea]] = {}
        for area in ResponsibilityArea.objects.filter(township=township).order_by("number"):
            self.areas.setdefault(area.grid_id, []).append(area)
        self.groups: dict[int, list[int]] = {}
        for pk, village_id in Unit.objects.filter(
            township=township, kind=Unit.Kind.GROUP
        ).values_list("pk", "village_id"):
            self.groups.setdefault(village_id, []).append(pk)

    def run(self) -> dict[str, int]:
        secretary = self.users["dayi_secretary"]
        this_month = self.today.replace(day=1)
        last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
        counts = {"tasks": 0}
        for month, state in ((last_month, WorkList.State.PUBLISHED), (this_month, "issued")):
            counts["tasks"] += self._list(month, state, secretary)
        counts["problems"] = self._problems(secretary)
        self._draw_and_visits()
        result = escalation.escalate_township(township=self.township, day=self.today, notify=False)
        counts["tickets"] = sum(result[0].values())
        audit.record(
            actor=None,
            action="import",
            obj=self.township,
            changes={f"work_{key}": [0, value] for key, value in counts.items()},
            reason="工作清单与问题台账（演示数据）",
        )
        return counts

    def _list(self, month: datetime.date, state: str, actor: User) -> int:
        work_list = WorkList.objects.create(
            township=self.township,
            unit=self.township,
            unit_path=self.township.path,
            month=month,
            title=f"{self.township.name}{month:%Y-%m}月度工作清单",
            state=state,
            created_by=actor,
            issued_at=timezone.now(),
        )
        tasks = []
        for grid in self.grids:
            areas = self.areas.get(grid.pk) or [None]
            for n, (title, done_when) in enumerate(TASKS):
                area = areas[-1] if n == 0 else None
                tasks.append(
                    Task(
                        work_list=work_list,
                        township=self.township,
                        title=f"{title}（{area.name}）" if area else title,
                        done_when=done_when,
                        due_on=month + datetime.timedelta(days=19 if n == 0 else 9),
                        grid=grid,
                        area=area,
                        unit_path=grid.path,
                        village_path=grid.village.path,
                    )
                )
        Task.objects.bulk_create(tasks, batch_size=500)
        reports = []
        past = state == WorkList.State.PUBLISHED
        for task in Task.objects.filter(work_list=work_list).order_by("id"):
            roll = self.rng.random()
            chief = self.chiefs.get(task.grid_id)
            if chief is None or (not past and roll > 0.5):
                continue
            reports.append(
                TaskReport(task=task, kind="done", note="已完成，见照片存档", by_id=chief)
            )
            if past or roll < 0.3:
                task.state = Task.State.CONFIRMED
                task.confirmed_by = actor
                task.confirmed_at = timezone.now()
                reports.append(TaskReport(task=task, kind="confirm", note="", by=actor))
            else:
                task.state = Task.State.REPORTED
        TaskReport.objects.bulk_create(reports, batch_size=500)
        Task.objects.bulk_update(
            [r.task for r in reports], ["state", "confirmed_by", "confirmed_at"], batch_size=500
        )
        return len(tasks)

    def _problems(self, secretary: User) -> int:
        rng = self.rng
        problems = []
        member = self.users["dayi_member"]
        e2e_grid = next(g for g in self.grids if g.name == E2E_GRID)
        states = [s for s, _share in STATES]
        weights = [share for _s, share in STATES]
        for n in range(300):
            grid = e2e_grid if n < 4 else rng.choice(self.grids)
            area = rng.choice(self.areas[grid.pk]) if self.areas.get(grid.pk) else None
            category, description, requirement = rng.choice(PROBLEMS)
            raised = self.today - datetime.timedelta(days=rng.randint(1, 75))
            deadline = raised + datetime.timedelta(days=rng.choice((3, 5, 7, 10, 15, 30)))
            state = rng.choices(states, weights)[0]
            responsible = area.owner_id if area and area.owner_id else self.chiefs[grid.pk]
            if n < 4:  # the browser test's problems: dayi_member rectifies, dayi_chief accepts
                state, responsible = "rectifying", member.pk
                description = E2E_PROBLEM if n == 0 else description
                deadline = self.today + datetime.timedelta(days=5 + n)
            closed = raised + datetime.timedelta(days=rng.randint(1, 20))
            closed = min(closed, self.today)
            groups = self.groups.get(grid.village_id) or [None]
            problems.append(
                Problem(
                    township=self.township,
                    village_id=grid.village_id,
                    group_id=rng.choice(groups),
                    grid=grid,
                    area=area,
                    grid_path=grid.path,
                    village_path=grid.village.path,
                    place=area.name if area else grid.name,
                    source=rng.choice(SOURCES),
                    category=category,
                    description=description,
                    requirement=requirement,
                    responsible_id=responsible,
                    deadline=deadline,
                    state=state,
                    closed_on=closed if state == "closed" else None,
                    withdrawn_on=closed if state == "withdrawn" else None,
                    raised_by=secretary,
                    raised_on=raised,
                )
            )
        Problem.objects.bulk_create(problems, batch_size=500)
        events = []
        for problem in Problem.objects.filter(township=self.township).order_by("id"):
            events.append(
                ProblemEvent(problem=problem, from_state="", to_state="open", actor=secretary)
            )
            if problem.state != "open":
                note = "重复登记" if problem.state == "withdrawn" else ""
                actor_id = problem.responsible_id
                if problem.state in ("closed", "withdrawn"):
                    actor_id = self.chiefs.get(problem.grid_id, secretary.pk)
                events.append(
                    ProblemEvent(
                        problem=problem,
                        from_state="open",
                        to_state=problem.state,
                        note=note,
                        actor_id=actor_id,
                    )
                )
        ProblemEvent.objects.bulk_create(events, batch_size=500)
        return len(problems)

    def _draw_and_visits(self) -> None:
        supervisor = self.users["dayi_supervisor"]
        month = self.today.replace(day=1)
        population = services.draw_population(self.township, Draw.Kind.GRIDS)
        seed = f"{self.township.name}-{month:%Y-%m}-随机考核"
        Draw.objects.create(
            township=self.township,
            unit=self.township,
            unit_path=self.township.path,
            month=month,
            kind=Draw.Kind.GRIDS,
            size=5,
            seed=seed,
            population=population,
            drawn=services.sample(population, seed, 5),
            drawn_by=supervisor,
        )
        grid = next(g for g in self.grids if g.name == E2E_GRID)
        for unit, days in ((grid.village, 3), (grid, 1)):
            Visit.objects.create(
                township=self.township,
                unit=unit,
                unit_path=unit.path,
                visited_on=self.today - datetime.timedelta(days=days),
                survey="已逐户摸排，建立问题台账",
                rectification="已整改大部分，余下限期整改",
                guarantee="包保干部与网格长共同负责",
                supervisor=supervisor,
            )
