"""The demo points (points/demo.py, loaded by `manage.py seed_demo`): lists, ledgers, queues.

The demo data is loaded once for the class and rolled back after it: a load takes seconds.
"""

import datetime
import hashlib
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Abs
from django.test import override_settings

from core.scope import PROPOSE, REVIEW
from people.access import scope_for
from people.models import Role, RoleAssignment, User
from places.models import Household, Unit
from points import demo, quarter, selectors, services
from points.models import (
    Appeal,
    AppraisalBatch,
    BalanceSnapshot,
    Category,
    ChainHead,
    Entry,
    PointsList,
    Proposal,
    Publication,
)

VILLAGE_KINDS = [Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY]


def _load() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def _ledger_digest() -> str:
    """Every entry's content by village name and seq (ids and hashes vary between loads)."""
    rows = Entry.objects.order_by("village__path", "seq").values_list(
        "village__name",
        "seq",
        "household__number",
        "kind",
        "amount",
        "item__code",
        "item__points_list__version",
        "period",
        "note",
        "proposed_by__username",
        "approved_by__username",
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


_first_load: dict[str, str] = {}


class _Rollback(Exception):
    pass


def _load_into_empty_database() -> str:
    with pytest.raises(_Rollback), transaction.atomic():
        _load()
        digest = _ledger_digest()
        raise _Rollback
    return digest


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        _load()
        _first_load.setdefault("digest", _ledger_digest())
        yield
        transaction.set_rollback(True)


def _user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.mark.usefixtures("seeded", "db")
class TestDemoPoints:
    def test_verify_ledger_reports_every_village_chain_ok(self):
        out = io.StringIO()
        call_command("verify_ledger", stdout=out)
        lines = out.getvalue().splitlines()
        villages = Unit.objects.filter(
            kind__in=VILLAGE_KINDS, township__name__in=["达依乡", "柳湖街道"]
        )
        assert len(lines) == villages.count() == 11 + 26
        assert all(": ok, " in line for line in lines), [x for x in lines if "ok" not in x]
        heads = ChainHead.objects.all()
        assert sum(heads.values_list("seq", flat=True)) == Entry.objects.count()

    def test_counts_of_a_year_of_appraisals(self):
        for name in ("达依乡", "柳湖街道"):
            entries = Entry.objects.filter(township__name=name)
            assert 15_000 < entries.count() < 30_000, name
            assert set(entries.values_list("period", flat=True).distinct()) >= set(demo.MONTHS)
            households = Household.objects.filter(township__name=name)
            assert households.filter(entries__isnull=False).distinct().count() > 1000
        awards = Entry.objects.filter(kind=Entry.Kind.AWARD)
        assert awards.count() == Proposal.objects.filter(state=Proposal.State.APPROVED).count()
        assert not awards.filter(proposal__isnull=True).exists()
        assert not awards.exclude(amount=F("proposal__amount")).exists()
        assert not awards.filter(proposed_by=F("approved_by")).exists()
        assert AppraisalBatch.objects.count() > 5000
        assert awards.filter(amount__lt=0).exists() and awards.filter(amount__gt=0).exists()

    def test_proposed_by_the_joint_head_and_approved_by_the_grid_chief(self):
        def holders(role):
            rows = RoleAssignment.objects.filter(role=role).values_list("unit_id", "user_id")
            return set(rows)

        heads, chiefs = holders(Role.JOINT_HEAD), holders(Role.GRID_CHIEF)
        sample = Entry.objects.filter(kind=Entry.Kind.AWARD, seq__lte=50).values_list(
            "household__joint_id", "household__joint__parent_id", "proposed_by_id", "approved_by_id"
        )
        assert len(sample) == 37 * 50
        for joint_id, grid_id, proposer, approver in sample:
            assert (joint_id, proposer) in heads and (grid_id, approver) in chiefs

    def test_every_village_adopts_its_township_template(self):
        for village in Unit.objects.filter(kind__in=VILLAGE_KINDS, township__name="达依乡"):
            in_force = services.list_in_force(village, datetime.date(2026, 1, 31))
            assert in_force.adopted_from.is_template and in_force.effective_from == demo.SINCE
            categories = set(in_force.items.values_list("category", flat=True))
            assert categories >= {c.value for c in Category if c != Category.OTHER}
            assert in_force.items.filter(evidence_required=True).exists()
        own = PointsList.objects.get(village__name="达依村").items.get(code="O1")
        assert own.category == Category.OTHER

    def test_entries_keep_the_item_version_they_were_made_under(self):
        heping = Unit.objects.get(name="和平社区")
        v1, v2 = PointsList.objects.filter(village=heping).order_by("version")
        assert v2.effective_from == datetime.date(2026, 7, 1)
        assert v1.items.get(code="C2").value == -10 and v2.items.get(code="C2").value == -20
        entries = Entry.objects.filter(village=heping, kind=Entry.Kind.AWARD)
        assert not entries.filter(period__lt=v2.effective_from).exclude(item__points_list=v1)
        assert not entries.filter(period__gte=v2.effective_from).exclude(item__points_list=v2)
        assert entries.filter(item__code="S6").exists()  # only on v2

    def test_monthly_caps_hold(self):
        used = (
            Entry.objects.filter(kind=Entry.Kind.AWARD, item__monthly_cap__isnull=False)
            .values("household", "period", "item__code", "item__monthly_cap")
            .annotate(used=Sum(Abs("amount")))
        )
        assert used and not [row for row in used if row["used"] > row["item__monthly_cap"]]
        assert not Entry.objects.filter(item__evidence_required=True).exists()  # no photos

    def test_snapshots_close_every_month_but_the_last(self):
        months = set(BalanceSnapshot.objects.values_list("month", flat=True).distinct())
        assert months == {m for m in demo.MONTHS if m <= demo.LAST_SNAPSHOT}
        since = Entry.objects.filter(period=datetime.date(2026, 10, 1)).values("household")
        households = Household.objects.filter(pk__in=since).order_by("pk")[::50]
        assert len(households) > 30
        for household in households:
            assert selectors.balance(household) == selectors.balance_by_sum(household)

    def test_the_demo_chief_has_appraisals_waiting_for_his_review(self):
        chief = _user(demo.CHIEF)
        waiting = selectors.proposals(scope_for(chief), REVIEW).filter(state=Proposal.State.PENDING)
        assert waiting.count() >= 10
        assert set(waiting.values_list("period", flat=True)) == {demo.OPEN_MONTH}
        assert waiting.filter(batch__isnull=False).exclude(proposed_by=chief).count() >= 10
        assert Proposal.objects.filter(state=Proposal.State.PENDING).count() == waiting.count() + 2
        member = _user(demo.MEMBER)
        own = selectors.proposals(scope_for(member), PROPOSE).filter(proposed_by=member)
        assert own.count() == 2

    def test_the_published_quarter_is_frozen_before_later_entries(self):
        heping = Unit.objects.get(name=demo.PUBLISHED_VILLAGE)
        publication = Publication.objects.get()
        assert (publication.village, publication.quarter) == (heping, "2026-Q3")
        assert publication.chain_seq < ChainHead.objects.get(village=heping).seq
        assert len(publication.rows) == quarter.village_households(heping).count()
        q3 = Entry.objects.filter(
            village=heping,
            period__gte=datetime.date(2026, 7, 1),
            period__lte=datetime.date(2026, 9, 1),
        )
        assert sum(row["points"] for row in publication.rows) == q3.aggregate(s=Sum("amount"))["s"]
        assert all("*" in row["name"] for row in publication.rows)
        assert quarter.is_intact(publication)
        status = quarter.chain_status(heping)
        assert status.intact and status.publication_matches

    def test_appeals_upheld_dismissed_and_open(self):
        states = dict(Appeal.objects.values_list("state", "entry__item__code"))
        assert states == {"upheld": "S3", "dismissed": "S4", "pending": "C3"}
        upheld = Appeal.objects.get(state=Appeal.State.UPHELD)
        assert upheld.reversal.reverses == upheld.entry and upheld.reversal.amount == 5
        assert upheld.filed_by == _user(demo.VILLAGER)
        household = upheld.household
        assert selectors.balance(household) == selectors.balance_by_sum(household)
        committee = scope_for(_user(demo.COMMITTEE))
        assert Appeal.objects.filter(committee.households_q(prefix="household__")).count() == 3
        assert not Entry.objects.filter(kind=Entry.Kind.REVERSAL).exclude(Q(reverses__isnull=False))


def test_two_loads_give_the_same_ledger(db):
    assert not Entry.objects.exists()
    first = _first_load.get("digest") or _load_into_empty_database()
    second = _load_into_empty_database()
    assert not Entry.objects.exists()
    assert second == first
