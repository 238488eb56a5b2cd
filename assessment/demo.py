"""Demo data of the monthly assessment (called by `seed_demo`).

For both townships: the default assessment list, commendations and deductions on about one grid
in ten each month (reasons as the articles give them: board posted properly, rubbish found by
the supervision round, …), and the last six complete months closed — the five oldest published
(so the dashboard has trends and red/black history) and the last one computed, waiting for the
township to publish it. 和平社区002网格 (dayi_chief's) is deducted into the warning band in the
last published month, so a warning talk case is there to handle; key-work marks for the year.
Months are counted back from today, so the demo stays current.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from core import audit
from people.models import User
from places.models import Unit

from . import close, publication, setup
from .models import Adjustment, KeyWork, KeyWorkMark

GRID = "和平社区002网格"
REASONS_PLUS = ["公示栏张贴规范", "环境整治成效明显", "志愿服务表现突出", "按时完成包保任务"]
REASONS_MINUS = ["督查发现垃圾乱堆", "门前三包不落实", "公示栏内容未更新", "会议无故缺席"]
AUTHORITY = "乡党委月度考评会"


def _months(today: datetime.date, count: int) -> list[datetime.date]:
    first = today.replace(day=1)
    months = []
    for _ in range(count):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        months.append(first)
    return list(reversed(months))


def seed(townships: list[Unit], rng: random.Random) -> dict[str, dict[str, int]]:
    counts = {}
    months = _months(timezone.localdate(), 6)
    for township in townships:
        setup.ensure(township)
        secretary = (
            User.objects.filter(
                assignments__unit=township, assignments__role="township_secretary"
            ).first()
            or User.objects.filter(is_superuser=True).first()
        )
        grids = list(
            Unit.objects.filter(township=township, kind=Unit.Kind.GRID, is_active=True).order_by(
                "path"
            )
        )
        adjustments = []
        for month in months:
            for grid in rng.sample(grids, max(1, len(grids) // 10)):
                plus = rng.random() < 0.4
                points = Decimal(rng.choice([1, 2, 3])) if plus else -Decimal(rng.choice([2, 3, 5]))
                adjustments.append(
                    Adjustment(
                        township=township,
                        unit=grid,
                        month=month,
                        points=points,
                        reason=rng.choice(REASONS_PLUS if plus else REASONS_MINUS),
                        authority=AUTHORITY,
                        created_by=secretary,
                    )
                )
        chief_grid = next((g for g in grids if g.name == GRID), None)
        if chief_grid is not None:
            adjustments.append(
                Adjustment(
                    township=township,
                    unit=chief_grid,
                    month=months[-2],
                    points=Decimal("-17"),
                    reason="督查发现问题整改不到位（红牌一次、黄牌两次）",
                    authority=AUTHORITY,
                    created_by=secretary,
                )
            )
        Adjustment.objects.bulk_create(adjustments)
        published = 0
        for month in months:
            item = close.close_month(township, month)
            if month != months[-1]:
                publication.publish(item, user=secretary, authority=f"{AUTHORITY} {month:%Y-%m}")
                published += 1
        marks = _key_work(township, secretary, rng, months[-1].year)
        audit.record(
            actor=None,
            action="import",
            obj=township,
            reason=f"demo data: {len(adjustments)} commendations/deductions, {published} months",
        )
        counts[township.name] = {
            "assessment adjustments": len(adjustments),
            "months closed": len(months),
            "months published": published,
            "key-work marks": marks,
        }
    return counts


def _key_work(township: Unit, user, rng: random.Random, year: int) -> int:
    items = list(KeyWork.objects.filter(township=township))
    villages = Unit.objects.filter(township=township, kind__in=Unit.VILLAGE_KINDS).order_by("path")
    marks = [
        KeyWorkMark(
            township=township,
            village=village,
            item=item,
            year=year,
            points=Decimal(rng.randint(-4, 8)),
            note="年度重点工作考核",
            by=user,
        )
        for village in villages
        for item in items
        if rng.random() < 0.7
    ]
    KeyWorkMark.objects.bulk_create(marks)
    return len(marks)
