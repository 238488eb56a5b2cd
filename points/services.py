"""Writes of household points. The ledger is insert-only: corrections are reversing entries.

Access (who may propose, review, appeal) is checked by the caller through people.access; these
services enforce the rules of the points themselves: lists in force, caps, evidence, review by
someone other than the proposer, one reversal per entry, and the per-village hash chain.
"""

import datetime
import hashlib
import json
import secrets

from django.db import transaction
from django.db.models import Max, Sum
from django.db.models.functions import Abs
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import ServiceError
from places.models import Household, Unit

from . import ledger
from .evidence import attach_photos
from .models import (
    Appeal,
    AppraisalBatch,
    BalanceSnapshot,
    ChainHead,
    Entry,
    Item,
    PointsCard,
    PointsList,
    Proposal,
    Publication,
)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


# --- Points lists ------------------------------------------------------------------------------


@transaction.atomic
def publish_list(
    *,
    township: Unit,
    title: str,
    effective_from: datetime.date,
    items: list[dict],
    actor,
    village: Unit | None = None,
    basis: str = "",
    adopted_from: PointsList | None = None,
) -> PointsList:
    """A new version of a village's list (or of the township template), in force from a date.

    Earlier versions stay: entries keep pointing at the item version they were made under.
    """
    if not items:
        raise ServiceError(_("A points list needs at least one item."), code="empty_list")
    codes = [item["code"] for item in items]
    if len(set(codes)) != len(codes):
        raise ServiceError(_("Item codes must be unique within a list."), code="duplicate_code")
    for item in items:
        if not item.get("value"):
            raise ServiceError(
                _("Item %(code)s must add or deduct points.") % {"code": item["code"]},
                code="zero_value",
            )
    last = PointsList.objects.filter(township=township, village=village).aggregate(
        m=Max("version")
    )["m"]
    points_list = PointsList.objects.create(
        township=township,
        village=village,
        version=(last or 0) + 1,
        effective_from=effective_from,
        title=title,
        basis=basis,
        adopted_from=adopted_from,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    Item.objects.bulk_create(
        Item(
            points_list=points_list,
            code=item["code"],
            category=item["category"],
            name=item["name"],
            value=item["value"],
            monthly_cap=item.get("monthly_cap"),
            evidence_required=item.get("evidence_required", False),
        )
        for item in items
    )
    audit.record(
        actor=actor,
        action="create",
        obj=points_list,
        changes={"version": [None, points_list.version], "items": [None, codes]},
        reason=basis,
    )
    return points_list


def adopt_template(
    *, template: PointsList, village: Unit, effective_from: datetime.date, actor, basis: str = ""
) -> PointsList:
    """A village adopts the township's template as its own new list version."""
    if template.village_id is not None:
        raise ServiceError(_("Only a township template can be adopted."), code="not_a_template")
    if village.township_id != template.township_id:
        raise ServiceError(
            _("%(village)s cannot adopt another township's template.") % {"village": village.name},
            code="other_township",
        )
    items = [
        {
            "code": item.code,
            "category": item.category,
            "name": item.name,
            "value": item.value,
            "monthly_cap": item.monthly_cap,
            "evidence_required": item.evidence_required,
        }
        for item in template.items.all()
    ]
    return publish_list(
        township=template.township,
        village=village,
        title=template.title,
        effective_from=effective_from,
        items=items,
        actor=actor,
        basis=basis,
        adopted_from=template,
    )


def list_in_force(village: Unit, on: datetime.date) -> PointsList | None:
    return (
        PointsList.objects.filter(village=village, effective_from__lte=on)
        .order_by("-effective_from", "-version")
        .first()
    )


# --- Proposals and review ----------------------------------------------------------------------


def _village_of(household: Household) -> Unit:
    return household.group.village


def _check_item(item: Item, household: Household, period: datetime.date) -> None:
    in_force = list_in_force(_village_of(household), month_end(period))
    if in_force is None or item.points_list_id != in_force.pk:
        raise ServiceError(
            _("Item %(code)s is not on the village's points list in force for %(month)s.")
            % {"code": item.code, "month": f"{period:%Y-%m}"},
            code="item_not_in_force",
        )


def month_end(period: datetime.date) -> datetime.date:
    following = (period.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _check_cap(item: Item, household: Household, period: datetime.date, *, pending: bool) -> None:
    """The item's monthly cap: approved entries (and, when proposing, pending ones) count."""
    if item.monthly_cap is None:
        return
    used = (
        Entry.objects.filter(
            household=household,
            period=period,
            item__code=item.code,
            item__points_list__village=item.points_list.village,
        ).aggregate(s=Sum(Abs("amount")))["s"]
        or 0
    )
    if pending:
        used += (
            Proposal.objects.filter(
                household=household,
                period=period,
                item__code=item.code,
                state=Proposal.State.PENDING,
            ).aggregate(s=Sum(Abs("amount")))["s"]
            or 0
        )
    if used + abs(item.value) > item.monthly_cap:
        raise ServiceError(
            _(
                "Item %(code)s allows at most %(cap)d points a month; household %(household)s "
                "already has %(used)d for %(month)s."
            )
            % {
                "code": item.code,
                "cap": item.monthly_cap,
                "household": household.number,
                "used": used,
                "month": f"{period:%Y-%m}",
            },
            code="cap_exceeded",
        )


@transaction.atomic
def propose(
    *,
    household: Household,
    item: Item,
    period: datetime.date,
    actor,
    note: str = "",
    photos=(),
    batch: AppraisalBatch | None = None,
) -> Proposal:
    """Propose an award or deduction for one household; it reaches the ledger when approved."""
    period = month_start(period)
    _check_item(item, household, period)
    _check_cap(item, household, period, pending=True)
    if item.evidence_required and not photos:
        raise ServiceError(
            _("Item %(code)s needs a photo as evidence.") % {"code": item.code},
            code="evidence_required",
        )
    proposal = Proposal.objects.create(
        township_id=household.township_id,
        village=_village_of(household),
        household=household,
        group_path=household.group_path,
        joint_path=household.joint_path,
        item=item,
        amount=item.value,
        period=period,
        note=note,
        batch=batch,
        proposed_by=actor,
    )
    if photos:
        attach_photos(proposal=proposal, files=photos)
    audit.record(
        actor=actor,
        action="create",
        obj=proposal,
        changes={"item": [None, item.code], "amount": [None, item.value]},
    )
    return proposal


@transaction.atomic
def propose_joint(
    *, joint: Unit, period: datetime.date, rows: list[dict], actor, note: str = ""
) -> AppraisalBatch:
    """The monthly 联户评: one form, a row per household (household, item, note, photos).

    All rows or none: one wrong row refuses the whole form, naming the household.
    """
    if joint.kind != Unit.Kind.JOINT:
        raise ServiceError(_("An appraisal is made for a 联户."), code="not_a_joint")
    if not rows:
        raise ServiceError(_("The appraisal has no rows."), code="empty_appraisal")
    batch = AppraisalBatch.objects.create(
        township_id=joint.township_id,
        joint=joint,
        period=month_start(period),
        note=note,
        proposed_by=actor,
    )
    for row in rows:
        household = row["household"]
        if household.joint_id != joint.pk:
            raise ServiceError(
                _("Household %(number)s is not in this 联户.") % {"number": household.number},
                code="not_in_joint",
            )
        try:
            propose(
                household=household,
                item=row["item"],
                period=period,
                actor=actor,
                note=row.get("note", ""),
                photos=row.get("photos", ()),
                batch=batch,
            )
        except ServiceError as exc:
            exc.household = household  # so that a form can put the refusal on its row
            raise
    return batch


@transaction.atomic
def review(*, proposal: Proposal, approve: bool, actor, reason: str = "") -> Proposal:
    """Approve (the entry reaches the ledger) or reject (with a reason) a pending proposal."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.state != Proposal.State.PENDING:
        raise ServiceError(_("This proposal has already been reviewed."), code="already_reviewed")
    if proposal.proposed_by_id == getattr(actor, "pk", None):
        raise ServiceError(_("You cannot review your own proposal."), code="self_review")
    if not approve and not reason.strip():
        raise ServiceError(_("Say why the proposal is rejected."), code="reason_required")
    if approve:
        _check_cap(proposal.item, proposal.household, proposal.period, pending=False)
        append(
            village=proposal.village,
            household=proposal.household,
            kind=Entry.Kind.AWARD,
            amount=proposal.amount,
            item=proposal.item,
            period=proposal.period,
            note=proposal.note[:300],
            proposal=proposal,
            proposed_by=proposal.proposed_by,
            approved_by=actor,
        )
    proposal.state = Proposal.State.APPROVED if approve else Proposal.State.REJECTED
    proposal.reviewed_by = actor
    proposal.reviewed_at = timezone.now()
    proposal.review_reason = reason
    proposal.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_reason"])
    audit.record(
        actor=actor,
        action="update",
        obj=proposal,
        changes={"state": [Proposal.State.PENDING, proposal.state]},
        reason=reason,
    )
    return proposal


# --- The ledger --------------------------------------------------------------------------------


def append(
    *,
    village: Unit,
    household: Household,
    kind: str,
    amount: int,
    period: datetime.date,
    proposed_by,
    approved_by,
    item: Item | None = None,
    note: str = "",
    proposal: Proposal | None = None,
    reverses: Entry | None = None,
) -> Entry:
    """Append one entry to the village's chain. Must run inside the caller's transaction.

    The chain head row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite's writers are
    already serialised by BEGIN IMMEDIATE), so appends of one village happen one at a time and
    `seq` follows commit order.
    """
    if amount == 0:
        raise ServiceError(_("An entry must add or deduct points."), code="zero_amount")
    return _append_under(
        _locked_head(village),
        village=village,
        household=household,
        kind=kind,
        amount=amount,
        period=period,
        proposed_by=proposed_by,
        approved_by=approved_by,
        item=item,
        note=note,
        proposal=proposal,
        reverses=reverses,
    )


def _locked_head(village: Unit) -> ChainHead:
    """The village's chain head, locked (made on the village's first entry)."""
    head = ChainHead.objects.select_for_update().filter(village=village).first()
    if head is None:
        ChainHead.objects.get_or_create(
            village=village, defaults={"township_id": village.township_id}
        )
        head = ChainHead.objects.select_for_update().get(village=village)
    return head


def _append_under(
    head: ChainHead,
    *,
    village,
    household,
    kind,
    amount,
    period,
    proposed_by,
    approved_by,
    item=None,
    note="",
    proposal=None,
    reverses=None,
) -> Entry:
    """`append` once the caller holds the locked `head`."""
    entry = Entry(
        township_id=village.township_id,
        village=village,
        household=household,
        seq=head.seq + 1,
        kind=kind,
        amount=amount,
        item=item,
        period=month_start(period),
        note=note,
        proposal=proposal,
        reverses=reverses,
        proposed_by=proposed_by,
        approved_by=approved_by,
        created_at=timezone.now(),
        prev_hash=head.hash,
    )
    entry.hash = ledger.digest(entry)
    entry.save()
    head.seq, head.hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "hash"])
    return entry


@transaction.atomic
def redeem(*, village: Unit, household: Household, amount: int, actor, note: str = "") -> Entry:
    """Spend `amount` points of the household (a negative redemption entry), never more than
    its balance.

    The village's chain head is locked first, as `append` does, so the balance read under that
    lock cannot change before the entry is written: two redemptions for one household at the
    same moment are serialised and the second sees the first's entry.
    """
    if amount <= 0:
        raise ServiceError(_("A redemption must spend at least one point."), code="zero_amount")
    head = _locked_head(village)
    from .selectors import balance  # selectors import services: import here, once locked

    current = balance(household)
    if current < amount:
        raise insufficient_points(current, amount)
    entry = _append_under(
        head,
        village=village,
        household=household,
        kind=Entry.Kind.REDEMPTION,
        amount=-amount,
        period=timezone.localdate(),
        note=note[:300],
        proposed_by=actor,
        approved_by=actor,
    )
    entry.balance_after = current - amount  # for the receipt, without reading it again
    return entry


def insufficient_points(balance: int, amount: int) -> ServiceError:
    """The refusal of a redemption of `amount` points from a household that has `balance`."""
    error = ServiceError(
        _(
            "Not enough points: the household has %(balance)d points, %(amount)d are "
            "needed (%(shortfall)d short)."
        )
        % {"balance": balance, "amount": amount, "shortfall": amount - balance},
        code="insufficient_points",
    )
    error.balance, error.shortfall = balance, amount - balance
    return error


@transaction.atomic
def reverse_entry(*, entry: Entry, actor, reason: str) -> Entry:
    """A correction: a new entry of the opposite amount that links to the one it corrects."""
    if not reason.strip():
        raise ServiceError(_("Say why the entry is corrected."), code="reason_required")
    if entry.kind == Entry.Kind.REVERSAL:
        raise ServiceError(_("A correction cannot itself be corrected."), code="reversal")
    if Entry.objects.filter(reverses=entry).exists():
        raise ServiceError(_("This entry has already been corrected."), code="already_reversed")
    reversal = append(
        village=entry.village,
        household=entry.household,
        kind=Entry.Kind.REVERSAL,
        amount=-entry.amount,
        item=entry.item,
        period=timezone.localdate(),
        note=reason[:300],
        reverses=entry,
        proposed_by=actor,
        approved_by=actor,
    )
    audit.record(actor=actor, action="create", obj=reversal, reason=reason)
    return reversal


@transaction.atomic
def file_appeal(*, entry: Entry, actor, reason: str):
    if not reason.strip():
        raise ServiceError(_("Say why you appeal."), code="reason_required")
    if entry.kind == Entry.Kind.REVERSAL or Entry.objects.filter(reverses=entry).exists():
        raise ServiceError(_("This entry has already been corrected."), code="already_reversed")
    if entry.appeals.filter(state=Appeal.State.PENDING).exists():
        raise ServiceError(_("An appeal of this entry is already open."), code="appeal_open")
    appeal = Appeal.objects.create(
        township_id=entry.township_id,
        entry=entry,
        household=entry.household,
        reason=reason,
        filed_by=actor,
    )
    audit.record(actor=actor, action="create", obj=appeal, reason=reason)
    return appeal


@transaction.atomic
def decide_appeal(*, appeal, uphold: bool, actor, decision: str):
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.state != Appeal.State.PENDING:
        raise ServiceError(_("This appeal has already been decided."), code="already_decided")
    if not decision.strip():
        raise ServiceError(_("Write down the decision."), code="reason_required")
    if uphold:
        appeal.reversal = reverse_entry(entry=appeal.entry, actor=actor, reason=decision)
    appeal.state = Appeal.State.UPHELD if uphold else Appeal.State.DISMISSED
    appeal.decided_by, appeal.decided_at, appeal.decision = actor, timezone.now(), decision
    appeal.save(update_fields=["state", "decided_by", "decided_at", "decision", "reversal"])
    audit.record(
        actor=actor,
        action="update",
        obj=appeal,
        changes={"state": [Appeal.State.PENDING, appeal.state]},
        reason=decision,
    )
    return appeal


# --- Snapshots, publications, cards ------------------------------------------------------------


@transaction.atomic
def snapshot_balances(*, month: datetime.date, village: Unit) -> int:
    """Record every household's balance of `village` through the chain's current head.

    Set-based (one INSERT ... SELECT); safe to run twice (a month's snapshot is written once).
    """
    month = month_start(month)
    head = ChainHead.objects.select_for_update().filter(village=village).first()
    if (
        head is None
        or BalanceSnapshot.objects.filter(month=month, household__group__village=village).exists()
    ):
        return 0
    totals = (
        Entry.objects.filter(village=village, seq__lte=head.seq)
        .values("household_id")
        .annotate(total=Sum("amount"))
    )
    rows = [
        BalanceSnapshot(
            township_id=village.township_id,
            household_id=row["household_id"],
            month=month,
            through_seq=head.seq,
            balance=row["total"],
        )
        for row in totals
    ]
    BalanceSnapshot.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@transaction.atomic
def publish_quarter(*, village: Unit, quarter: str, actor, rows: list[dict]) -> Publication:
    """Freeze a quarter's publication: rows as computed now, with the chain head.

    Later corrections appear in the next publication; this one never changes.
    """
    if Publication.objects.filter(village=village, quarter=quarter).exists():
        raise ServiceError(
            _("%(quarter)s has already been published for this village.") % {"quarter": quarter},
            code="already_published",
        )
    head = ChainHead.objects.filter(village=village).first()
    seq, head_hash = (head.seq, head.hash) if head else (0, ledger.GENESIS)
    publication = Publication.objects.create(
        township_id=village.township_id,
        village=village,
        quarter=quarter,
        published_at=timezone.now(),
        published_by=actor,
        chain_seq=seq,
        chain_hash=head_hash,
        rows=rows,
        content_hash=publication_hash(
            village_id=village.pk, quarter=quarter, chain_seq=seq, chain_hash=head_hash, rows=rows
        ),
    )
    audit.record(actor=actor, action="create", obj=publication, reason=quarter)
    return publication


def publication_hash(
    *, village_id: int, quarter: str, chain_seq: int, chain_hash: str, rows: list[dict]
) -> str:
    """SHA-256 of a publication's content. Keys sorted: PostgreSQL's jsonb reorders them."""
    body = json.dumps(
        [village_id, quarter, chain_seq, chain_hash, rows],
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def card_for(household: Household) -> PointsCard:
    """The household's points card token (made on first use)."""
    card, _created = PointsCard.objects.get_or_create(
        household=household, defaults={"token": secrets.token_urlsafe(12)}
    )
    return card
