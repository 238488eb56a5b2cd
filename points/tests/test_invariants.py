"""The ledger's invariants under any sequence of points actions (hypothesis, stateful).

Proposals (random households, items, months), approvals, rejections, appeals upheld or
dismissed, direct corrections and snapshots, in any order. The test keeps its own model of what
each household should have, and after every step checks that:
- selectors.balance (snapshot plus entries since) == selectors.balance_by_sum == the model's sum
  of approved awards minus corrected ones;
- the services accept or refuse each action exactly as the model expects (caps, evidence,
  self-review, one correction per entry, one open appeal per entry);
- no entry is corrected twice and every village's hash chain verifies up to its head.

The township is built once per test; each example runs in a savepoint rolled back at its end.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from conftest import _persona
from core.errors import ServiceError
from points import ledger, selectors, services
from points.models import Appeal, ChainHead, Entry, Proposal
from points.tests.factories import ITEMS, publish_lists

SPEC = {item["code"]: item for item in ITEMS}  # the model's own copy of the item rules
MONTHS = [datetime.date(2026, month, 1) for month in range(1, 7)]
# Corrections are dated today (November 2026 or later), never in a proposal month, so they
# never share a monthly cap with the proposals drawn here.

SETTINGS = settings(
    max_examples=20,
    stateful_step_count=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class _Proposal:
    pk: int
    household: int  # index into world.households
    code: str
    month: datetime.date
    proposer: str
    state: str = "pending"


@dataclass
class _Entry:
    pk: int
    household: int
    amount: int
    is_reversal: bool = False
    reversed: bool = False
    open_appeal: bool = False


@dataclass
class _World:
    town: object
    items: dict
    users: dict
    households: list = field(default_factory=list)


def _refused(code: str, action) -> None:
    with pytest.raises(ServiceError) as exc:
        action()
    assert exc.value.code == code


class LedgerMachine(RuleBasedStateMachine):
    world: _World  # set by the test below

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.proposals: list[_Proposal] = []
        self.entries: list[_Entry] = []
        self.appeals: list[tuple[int, int, str]] = []  # (appeal pk, entry index, state)

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # --- The model -----------------------------------------------------------------------------

    def _used(self, household: int, code: str, month, *, pending: bool) -> int:
        states = ("approved", "pending") if pending else ("approved",)
        return sum(
            abs(SPEC[p.code]["value"])
            for p in self.proposals
            if (p.household, p.code, p.month) == (household, code, month) and p.state in states
        )

    def _expected_balance(self, household: int) -> int:
        return sum(e.amount for e in self.entries if e.household == household)

    def _item(self, household: int, code: str):
        return self.world.items[self.world.households[household].group.village_id][code]

    # --- Rules ---------------------------------------------------------------------------------

    @initialize(
        awards=st.lists(
            st.tuples(
                st.integers(0, 11), st.sampled_from(["A1", "A2", "B1"]), st.sampled_from(MONTHS)
            ),
            min_size=1,
            max_size=6,
        )
    )
    def some_approved_awards(self, awards):
        """Every example starts with a few entries (hypothesis may switch rules off at random)."""
        for household, code, month in awards:
            before = len(self.proposals)
            self.propose(household=household, code=code, month=month, proposer="mei")
            if len(self.proposals) > before:  # not refused by the monthly cap
                self._approve(self.proposals[-1], "bob")

    @rule(
        household=st.integers(0, 11),
        code=st.sampled_from(sorted(SPEC)),
        month=st.sampled_from(MONTHS),
        proposer=st.sampled_from(["mei", "bob"]),
    )
    def propose(self, household, code, month, proposer):
        spec = SPEC[code]

        def action():
            return services.propose(
                household=self.world.households[household],
                item=self._item(household, code),
                period=month,
                actor=self.world.users[proposer],
            )

        cap = spec.get("monthly_cap")
        if (
            cap is not None
            and self._used(household, code, month, pending=True) + abs(spec["value"]) > cap
        ):
            _refused("cap_exceeded", action)
        elif spec.get("evidence_required"):
            _refused("evidence_required", action)
        else:
            proposal = action()
            assert proposal.amount == spec["value"]
            self.proposals.append(_Proposal(proposal.pk, household, code, month, proposer))

    @precondition(lambda self: self.proposals)
    @rule(data=st.data(), approve=st.booleans(), reviewer=st.sampled_from(["bob", "alice"]))
    def review(self, data, approve, reviewer):
        pending = [p for p in self.proposals if p.state == "pending"]
        # Mostly a pending proposal; sometimes one already reviewed, which must be refused.
        model = data.draw(st.sampled_from(pending or self.proposals))
        if pending and data.draw(st.integers(0, 4)) == 0:
            model = data.draw(st.sampled_from(self.proposals))
        proposal = Proposal.objects.get(pk=model.pk)
        actor = self.world.users[reviewer]

        def action():
            return services.review(
                proposal=proposal, approve=approve, actor=actor, reason="" if approve else "不实"
            )

        if model.state != "pending":
            _refused("already_reviewed", action)
        elif reviewer == model.proposer:
            _refused("self_review", action)
        elif approve:
            self._approve(model, reviewer)
        else:
            model.state = str(action().state)
            assert model.state == "rejected"

    def _approve(self, model: _Proposal, reviewer: str) -> None:
        proposal = Proposal.objects.get(pk=model.pk)
        reviewed = services.review(
            proposal=proposal, approve=True, actor=self.world.users[reviewer]
        )
        model.state = str(reviewed.state)
        assert model.state == "approved"
        entry = reviewed.entry
        assert (entry.amount, entry.approved_by_id) == (
            SPEC[model.code]["value"],
            reviewed.reviewed_by_id,
        )
        self.entries.append(_Entry(entry.pk, model.household, entry.amount))

    @precondition(lambda self: self.entries)
    @rule(data=st.data())
    def file_appeal(self, data):
        index = data.draw(st.integers(0, len(self.entries) - 1))
        model = self.entries[index]
        entry = Entry.objects.get(pk=model.pk)

        def action():
            return services.file_appeal(
                entry=entry, actor=self.world.users["dave"], reason="不是我家"
            )

        if model.is_reversal or model.reversed:
            _refused("already_reversed", action)
        elif model.open_appeal:
            _refused("appeal_open", action)
        else:
            appeal = action()
            model.open_appeal = True
            self.appeals.append((appeal.pk, index, "pending"))

    @precondition(lambda self: self.appeals)
    @rule(data=st.data(), uphold=st.booleans())
    def decide_appeal(self, data, uphold):
        position = data.draw(st.integers(0, len(self.appeals) - 1))
        pk, index, state = self.appeals[position]
        model = self.entries[index]
        appeal = Appeal.objects.get(pk=pk)

        def action():
            return services.decide_appeal(
                appeal=appeal, uphold=uphold, actor=self.world.users["alice"], decision="核实"
            )

        if state != "pending":
            _refused("already_decided", action)
        elif uphold and model.reversed:  # corrected directly while the appeal was open
            _refused("already_reversed", action)
        else:
            decided = action()
            model.open_appeal = False
            self.appeals[position] = (pk, index, str(decided.state))
            if uphold:
                self._reversed(model, decided.reversal)

    @precondition(lambda self: self.entries)
    @rule(data=st.data())
    def reverse(self, data):
        model = data.draw(st.sampled_from(self.entries))
        entry = Entry.objects.get(pk=model.pk)

        def action():
            return services.reverse_entry(entry=entry, actor=self.world.users["alice"], reason="错")

        if model.is_reversal:
            _refused("reversal", action)
        elif model.reversed:
            _refused("already_reversed", action)
        else:
            self._reversed(model, action())

    def _reversed(self, model: _Entry, reversal: Entry) -> None:
        assert reversal.reverses_id == model.pk and reversal.amount == -model.amount
        model.reversed = True
        self.entries.append(_Entry(reversal.pk, model.household, -model.amount, is_reversal=True))

    @rule(month=st.sampled_from(MONTHS + [datetime.date(2026, 12, 1)]), village=st.integers(0, 1))
    def snapshot(self, month, village):
        services.snapshot_balances(month=month, village=self.world.town.villages[village])

    # --- Invariants ----------------------------------------------------------------------------

    @invariant()
    def balances_match_the_model(self):
        for index, household in enumerate(self.world.households):
            expected = self._expected_balance(index)
            assert selectors.balance(household) == expected, household.number
            assert selectors.balance_by_sum(household) == expected, household.number

    @invariant()
    def corrections_are_single_and_chains_verify(self):
        reversals = Entry.objects.filter(kind=Entry.Kind.REVERSAL)
        assert reversals.count() == sum(e.is_reversal for e in self.entries)
        corrected = list(reversals.values_list("reverses_id", flat=True))
        assert len(corrected) == len(set(corrected))
        assert Entry.objects.count() == len(self.entries)
        for village in self.world.town.villages:
            entries = list(Entry.objects.filter(village=village).order_by("seq"))
            assert ledger.first_break(entries) is None
            head = ChainHead.objects.filter(village=village).first()
            last = (entries[-1].seq, entries[-1].hash) if entries else (0, ledger.GENESIS)
            assert ((head.seq, head.hash) if head else (0, ledger.GENESIS)) == last


def test_balances_and_chains_hold_for_any_sequence_of_actions(town, alice, bob, dave):
    users = {
        "mei": _persona("mei", "grid_member", unit=town.grids[0]),
        "bob": bob,
        "alice": alice,
        "dave": dave,
    }
    households = list(town.households)
    assert len(households) == 12
    for household in households:
        household.group.village  # noqa: B018 - loaded once, used by every example
    LedgerMachine.world = _World(town=town, items=publish_lists(town), users=users)
    LedgerMachine.world.households = households
    run_state_machine_as_test(LedgerMachine, settings=SETTINGS)
