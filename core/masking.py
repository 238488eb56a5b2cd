"""Masking for display, as GB/T 35273 practice and a paper notice board show people."""

import re

# Compound surnames kept whole when masking (欧阳*). The common ones of the Baijiaxing.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 "
    "独孤 南宫 西门 百里 呼延 闻人 万俟 单于 澹台 公冶 宗政 濮阳 太叔 申屠 钟离 "
    "拓跋 赫连 东郭 鲜于 司空".split()
)

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 李四 → 李*, 欧阳修 → 欧阳*, 四字或以上: first and last kept."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) <= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2] + "*"
    if len(name) == 2:
        return name[0] + "*"
    if len(name) == 3:
        return name[0] + "*" + name[2]
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(value: str) -> str:
    """4201**********1236: first four and last four kept."""
    value = (value or "").strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """136****8888 for a mobile number; other numbers keep only their last four."""
    value = (value or "").strip()
    if not value:
        return ""
    if MOBILE_RE.match(value):
        return value[:3] + "****" + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]
