"""A points list for each village of a test township, published through the service."""

import datetime

from points import services

ITEMS = [
    {"code": "A1", "category": "sanitation", "name": "门前三包达标", "value": 5, "monthly_cap": 10},
    {"code": "A2", "category": "morality", "name": "参加志愿服务", "value": 3},
    {"code": "B1", "category": "law", "name": "乱倒垃圾", "value": -5},
    {
        "code": "C1",
        "category": "gratitude",
        "name": "好人好事（附照片）",
        "value": 10,
        "evidence_required": True,
    },
]
SINCE = datetime.date(2026, 1, 1)


def publish_lists(town, actor=None):
    """{village_id: {code: Item}} for every village of `town`."""
    result = {}
    for village in town.villages:
        points_list = services.publish_list(
            township=town.township,
            village=village,
            title=f"{village.name}农户积分清单",
            effective_from=SINCE,
            items=ITEMS,
            actor=actor,
            basis="村民大会 2026-01-05",
        )
        result[village.pk] = {item.code: item for item in points_list.items.all()}
    return result
