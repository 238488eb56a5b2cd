"""A whole township's roster in one import: 3,000 households and ~10,000 residents.

The township is 达依乡's tree (seed 000: 11 villages, 65 groups, 105 grids, 288 联户) laid out
in bulk by places.demo, without its households; the roster's people come from
demo.PeopleMaker (valid ID numbers, realistic families). The import must create everything
with one audit entry per created household and resident, in a handful of bulk statements.
"""

import dataclasses
import io
import random

import pytest
from django.contrib.contenttypes.models import ContentType

from core.excel import export_rows
from core.models import AuditEntry
from core.scope import Scope
from places import demo
from places.models import Household, Resident, Unit
from places.roster import ROSTER_COLUMNS, import_roster

HOUSEHOLDS = 3_000  # 达依乡 has ~2,900 households and ~9,500 residents
SEX = {"M": "男", "F": "女"}
RELATION = {"head": "户主", "spouse": "配偶", "child": "子女", "parent": "父母"}


def build_tree() -> demo.DemoTownship:
    """达依乡's villages, groups, grids and 联户 (bulk-created), and no households."""
    return demo.build(dataclasses.replace(demo.DAYI, households_per_joint=(0, 0)))


def roster_rows(township: demo.DemoTownship, households: int, seed: str = "roster") -> list:
    """A roster of `households` new households spread over the 联户, one row per resident."""
    rng = random.Random(seed)
    maker = demo.PeopleMaker(rng, township.layout, used_ids=set())
    groups: dict[int, list[Unit]] = {}
    for group in Unit.objects.filter(township=township.township, kind=Unit.Kind.GROUP):
        groups.setdefault(group.village_id, []).append(group)
    joints = township.joints
    rows = []
    for n in range(households):
        joint = joints[n * len(joints) // households]
        grid, village = joint.parent, joint.village
        group = groups[village.pk][n % len(groups[village.pk])]
        places = [f"R{n + 1:05d}", village.name, group.name, grid.name, joint.name]
        places += [f"{group.name}{n + 1}号", f"{group.name}{n + 1}号房前屋后"]
        for person in maker.household(demo.household_size(rng)):
            rows.append(places + _person_cells(person))
            places = places[:5] + ["", ""]  # the address is on the head's row only
    return rows


def _person_cells(person: dict) -> list:
    party = "是" if person["is_party_member"] else "否"
    return [
        person["name"],
        SEX[person["sex"]],
        person["birth_date"],
        person["id_number"],
        person["phone"],
        RELATION[person["relation"]],
        party,
    ]


def roster_file(rows: list) -> io.BytesIO:
    file = io.BytesIO(export_rows(title="达依乡花名册", headers=ROSTER_COLUMNS, rows=rows))
    file.name = "达依乡花名册.xlsx"
    return file


def _audited(model, action: str) -> list[int]:
    content_type = ContentType.objects.get_for_model(model)
    entries = AuditEntry.objects.filter(content_type=content_type, action=action)
    return sorted(entries.values_list("object_id", flat=True))


@pytest.mark.django_db
def test_a_whole_township_imports_in_one_request(django_user_model, django_assert_max_num_queries):
    township = build_tree()
    rows = roster_rows(township, HOUSEHOLDS)
    actor = django_user_model.objects.create_superuser("importer", password="x")
    scope = Scope(user_id=actor.pk, is_superuser=True)

    # Set-based: ~300 statements on SQLite (small batches), ~100 on PostgreSQL; row by row
    # it was ~15 per row.
    with django_assert_max_num_queries(500):
        result = import_roster(
            file=roster_file(rows), township=township.township, actor=actor, scope=scope
        )

    assert (result.households_created, result.residents_created) == (HOUSEHOLDS, len(rows))
    assert (result.households_updated, result.residents_updated) == (0, 0)
    assert len(rows) > 9_500
    created = Household.objects.filter(township=township.township)
    residents = Resident.objects.filter(township=township.township)
    assert created.count() == HOUSEHOLDS and residents.count() == len(rows)
    assert residents.filter(relation=Resident.Relation.HEAD).count() == HOUSEHOLDS
    assert _audited(Household, "import") == sorted(created.values_list("pk", flat=True))
    assert _audited(Resident, "import") == sorted(residents.values_list("pk", flat=True))
    entries = AuditEntry.objects.filter(action="import", actor=actor)
    assert entries.filter(reason__contains="达依乡花名册.xlsx").count() == HOUSEHOLDS + len(rows)
