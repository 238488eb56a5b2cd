import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from conftest import _persona
from core.errors import ServiceError
from points import selectors, services
from points.models import Entry, Proposal

OCT = datetime.date(2026, 10, 1)


@pytest.fixture
def member(town):
    return _persona("mei", "grid_member", unit=town.grids[0])


def _approved(town, items, member, reviewer, code="A2", household=None):
    household = household or town.households[0]
    item = items[household.group.village_id][code]
    proposal = services.propose(household=household, item=item, period=OCT, actor=member)
    services.review(proposal=proposal, approve=True, actor=reviewer)
    return proposal.entry


def test_an_approved_proposal_reaches_the_ledger_chained(town, items, member, bob):
    entry = _approved(town, items, member, bob)
    assert entry.seq == 1 and entry.amount == 3 and entry.approved_by == bob
    second = _approved(town, items, member, bob, code="B1")
    assert second.prev_hash == entry.hash and second.seq == 2
    assert selectors.balance(town.households[0]) == -2


def test_a_rejection_needs_a_reason_and_writes_nothing(town, items, member, bob):
    item = items[town.villages[0].pk]["A2"]
    proposal = services.propose(household=town.households[0], item=item, period=OCT, actor=member)
    with pytest.raises(ServiceError) as exc:
        services.review(proposal=proposal, approve=False, actor=bob)
    assert exc.value.code == "reason_required"
    services.review(proposal=proposal, approve=False, actor=bob, reason="无照片")
    assert not Entry.objects.exists()
    assert Proposal.objects.get().state == "rejected"


def test_self_review_is_refused(town, items, bob):
    item = items[town.villages[0].pk]["A2"]
    proposal = services.propose(household=town.households[0], item=item, period=OCT, actor=bob)
    with pytest.raises(ServiceError) as exc:
        services.review(proposal=proposal, approve=True, actor=bob)
    assert exc.value.code == "self_review"


def test_the_monthly_cap_counts_pending_and_approved(town, items, member, bob):
    _approved(town, items, member, bob, code="A1")
    item = items[town.villages[0].pk]["A1"]
    services.propose(household=town.households[0], item=item, period=OCT, actor=member)
    with pytest.raises(ServiceError) as exc:
        services.propose(household=town.households[0], item=item, period=OCT, actor=member)
    assert exc.value.code == "cap_exceeded"
    # Another month has its own cap.
    services.propose(
        household=town.households[0], item=item, period=datetime.date(2026, 11, 1), actor=member
    )


def test_evidence_is_required_where_the_item_says(town, items, member):
    item = items[town.villages[0].pk]["C1"]
    with pytest.raises(ServiceError) as exc:
        services.propose(household=town.households[0], item=item, period=OCT, actor=member)
    assert exc.value.code == "evidence_required"


def test_only_the_list_in_force_applies(town, items, member):
    village = town.villages[0]
    newer = services.publish_list(
        township=town.township,
        village=village,
        title="v2",
        actor=None,
        effective_from=datetime.date(2026, 11, 1),
        items=[{"code": "A2", "category": "morality", "name": "志愿服务", "value": 4}],
    )
    old_item = items[village.pk]["A2"]
    services.propose(household=town.households[0], item=old_item, period=OCT, actor=member)
    with pytest.raises(ServiceError) as exc:
        services.propose(
            household=town.households[0],
            item=old_item,
            period=datetime.date(2026, 11, 1),
            actor=member,
        )
    assert exc.value.code == "item_not_in_force"
    services.propose(
        household=town.households[0],
        item=newer.items.get(),
        actor=member,
        period=datetime.date(2026, 11, 1),
    )


def test_an_upheld_appeal_reverses_the_entry_once(town, items, member, bob, alice, dave):
    entry = _approved(town, items, member, bob, code="B1")
    appeal = services.file_appeal(entry=entry, actor=dave, reason="垃圾不是我家倒的")
    decided = services.decide_appeal(appeal=appeal, uphold=True, actor=alice, decision="核实有误")
    reversal = decided.reversal
    assert reversal.reverses == entry and reversal.amount == 5
    assert selectors.balance(town.households[0]) == 0
    with pytest.raises(ServiceError):
        services.reverse_entry(entry=entry, actor=alice, reason="again")
    with pytest.raises(ServiceError):
        services.reverse_entry(entry=reversal, actor=alice, reason="undo")


def test_a_joint_appraisal_is_all_or_nothing(town, items, member):
    joint = town.joints[0]
    households = list(joint.households.all())
    item = items[town.villages[0].pk]["A2"]
    rows = [{"household": h, "item": item} for h in households]
    batch = services.propose_joint(joint=joint, period=OCT, rows=rows, actor=member)
    assert batch.proposals.count() == len(households)
    stranger = town.households[-1]
    with pytest.raises(ServiceError) as exc:
        services.propose_joint(
            joint=joint,
            period=OCT,
            actor=member,
            rows=[*rows, {"household": stranger, "item": item}],
        )
    assert exc.value.code == "not_in_joint"
    assert Proposal.objects.count() == len(households)


def test_snapshots_plus_entries_since_equal_the_sum(town, items, member, bob):
    household = town.households[0]
    _approved(town, items, member, bob, code="A2")
    assert services.snapshot_balances(month=OCT, village=town.villages[0]) >= 1
    assert services.snapshot_balances(month=OCT, village=town.villages[0]) == 0  # idempotent
    _approved(town, items, member, bob, code="B1")
    assert selectors.balance(household) == selectors.balance_by_sum(household) == -2


def test_entries_cannot_be_edited_or_deleted_by_the_application(town, items, member, bob):
    entry = _approved(town, items, member, bob)
    entry.amount = 100
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_verify_ledger_finds_the_first_tampered_entry(town, items, member, bob, capsys):
    entries = [_approved(town, items, member, bob, code=c) for c in ("A2", "B1", "A2")]
    call_command("verify_ledger")
    assert "ok, 3 entries" in capsys.readouterr().out
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a superuser going around the trigger
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE points_entry SET amount = 30 WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError):
        call_command("verify_ledger", village=town.villages[0].pk)
    out = capsys.readouterr().out
    assert f"BROKEN at entry #{entries[1].seq}" in out and "content" in out


@pytest.mark.postgres
def test_postgresql_refuses_updates_deletes_and_truncates(town, items, member, bob):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL; SQLite relies on the application guard")
    entry = _approved(town, items, member, bob)
    for sql in (
        "UPDATE points_entry SET amount = 30 WHERE id = %s",
        "DELETE FROM points_entry WHERE id = %s",
    ):
        with pytest.raises(Exception, match="insert-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    with pytest.raises(Exception, match="insert-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL xiangzhi.allow_truncate = 'off'")
            cursor.execute("TRUNCATE points_entry CASCADE")
    assert Entry.objects.filter(pk=entry.pk, amount=3).exists()


def test_the_monthly_snapshot_command_is_idempotent(town, items, member, bob, capsys):
    _approved(town, items, member, bob, code="A2")
    call_command("snapshot_balances", "2026-10")
    assert "1 household balances" in capsys.readouterr().out
    call_command("snapshot_balances", "2026-10")
    assert "0 household balances" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("snapshot_balances", "October")
