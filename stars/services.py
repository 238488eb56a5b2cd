"""Writes of star-rated households. Who may act is checked by the caller (stars.access);
these services enforce the rules of the evaluation itself.

A rating is never edited: granting and withdrawing stars are RatingEntry rows, and the
household's stars are the latest entry per star (selectors.held_stars).
"""

import datetime
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import ServiceError
from places.models import Household, Resident, TownshipConfig, Unit
from points.evidence import FORMATS, clean_photo

from . import selectors
from .models import (
    Campaign,
    CampaignVillage,
    Claim,
    ClaimStar,
    Confirmation,
    Objection,
    Pairing,
    RatingEntry,
    Star,
    StarNotice,
    StarSettings,
    Visit,
    VisitPhoto,
)

# Criteria of the ten stars (the article names seven; the last three are the common ones of
# Shanxi's 十星级文明户 and are renamed by a township as it likes).
DEFAULT_CRITERIA = {
    "爱党爱国星": "拥护党的领导，热爱祖国，积极参加村党组织和村委会组织的活动。",
    "遵规守法星": "遵守法律法规和村规民约，家庭成员无违法犯罪、无赌博吸毒、无违规建房。",
    "诚实守信星": "诚实做人、守信做事，按时偿还借款，不拖欠应缴费用，无失信记录。",
    "生态环保星": "爱护生态，不乱砍滥伐、不焚烧秸秆、不乱倒垃圾，垃圾分类投放。",
    "整洁健康星": "室内外整洁卫生，门前三包落实，庭院美化，家人讲卫生、生活习惯健康。",
    "文明实践星": "积极参加新时代文明实践活动和志愿服务，移风易俗，红白喜事简办。",
    "崇教尚美星": "重视子女教育，无辍学；崇德向善，参加关山微课堂等学习活动。",
    "孝老爱亲星": "孝敬老人，赡养义务落实，夫妻和睦，家庭关系融洽。",
    "勤劳致富星": "勤劳肯干，积极发展产业或务工增收，不等不靠。",
    "团结互助星": "邻里和睦，互帮互助，主动调解矛盾，关心帮助困难群众。",
}
AUTHORITY_SETTLED = "两委表决通过并经公示无异议"


# --- Configuration ------------------------------------------------------------------------------


def settings_for(township: Unit) -> StarSettings:
    """The township's star evaluation settings, created with the defaults on first use."""
    found, _created = StarSettings.objects.get_or_create(township=township)
    return found


def star_set(township: Unit) -> list[Star]:
    """The township's star set, seeded on first use from its configuration (TownshipConfig.stars
    names the stars and which are required) with the default criteria."""
    stars = list(Star.objects.filter(township=township, is_active=True))
    if stars:
        return stars
    config = TownshipConfig.objects.filter(township=township).first()
    defaults = (config.stars if config and config.stars else None) or TownshipConfig.DEFAULT_STARS
    with transaction.atomic():
        Star.objects.bulk_create(
            [
                Star(
                    township=township,
                    position=index,
                    name=item["name"],
                    criteria=item.get("criteria") or DEFAULT_CRITERIA.get(item["name"], ""),
                    required=bool(item.get("required")),
                )
                for index, item in enumerate(defaults, start=1)
            ],
            ignore_conflicts=True,
        )
    return list(Star.objects.filter(township=township, is_active=True))


@transaction.atomic
def configure_star(*, star: Star, actor, name=None, criteria=None, required=None) -> Star:
    """Rename a star, change its criteria or whether it is required ("3+N" is configuration)."""
    before = audit.snapshot(star, ["name", "criteria", "required"])
    if name is not None:
        star.name = name.strip()
    if criteria is not None:
        star.criteria = criteria.strip()
    if required is not None:
        star.required = required
    star.save()
    audit.record(
        actor=actor,
        action="update",
        obj=star,
        changes=audit.diff(before, audit.snapshot(star, ["name", "criteria", "required"])),
    )
    return star


# --- Campaigns ----------------------------------------------------------------------------------


def _check_villages(township: Unit, villages) -> None:
    for village in villages:
        if village.kind not in (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY) or (
            village.township_id != township.pk
        ):
            raise ServiceError(
                _("%(unit)s is not a village of %(township)s.")
                % {"unit": village.name, "township": township.name},
                code="not_a_village",
            )


@transaction.atomic
def start_campaign(
    *, township: Unit, name: str, year: int, villages, actor, pilot: bool = True, today=None
) -> Campaign:
    """A new evaluation round in `villages` (the pilots, by default)."""
    villages = list(villages)
    if not villages:
        raise ServiceError(_("Choose at least one village."), code="no_villages")
    _check_villages(township, villages)
    star_set(township)
    today = today or timezone.localdate()
    campaign = Campaign.objects.create(
        township=township, name=name, year=year, started_on=today, created_by=actor
    )
    add_villages(campaign=campaign, villages=villages, pilot=pilot, actor=actor, today=today)
    audit.record(actor=actor, action="create", obj=campaign, changes={"name": [None, name]})
    return campaign


@transaction.atomic
def add_villages(*, campaign: Campaign, villages, actor, pilot: bool = False, today=None) -> int:
    """Extend a round to more villages (after the pilots: the rest). Returns how many were new."""
    villages = list(villages)
    _check_villages(campaign.township, villages)
    taken = set(campaign.villages.values_list("village_id", flat=True))
    new = [
        CampaignVillage(
            campaign=campaign,
            village=village,
            is_pilot=pilot,
            added_on=today or timezone.localdate(),
            added_by=actor,
        )
        for village in villages
        if village.pk not in taken
    ]
    CampaignVillage.objects.bulk_create(new)
    if new:
        audit.record(
            actor=actor,
            action="update",
            obj=campaign,
            changes={"villages": [None, [row.village.name for row in new]]},
        )
    return len(new)


# --- 农户认星: the self-evaluation ----------------------------------------------------------------


def is_head_of(user, household: Household) -> bool:
    """Whether `user` is the household's head (the resident they log in as heads it)."""
    return Resident.objects.filter(
        pk=getattr(user, "resident_id", None), household=household, relation="head"
    ).exists()


def _missing_required(township: Unit, star_ids) -> list[Star]:
    return [s for s in star_set(township) if s.required and s.pk not in set(star_ids)]


def _refuse_missing(missing: list[Star]):
    raise ServiceError(
        _(
            "Without all the required stars (%(stars)s) a household holds no star rating; "
            "it cannot be rated."
        )
        % {"stars": "、".join(s.name for s in missing)},
        code="missing_required_star",
    )


@transaction.atomic
def claim_stars(
    *,
    household: Household,
    campaign: Campaign,
    stars: list[tuple[Star, str]],
    actor,
    confirmation: str = Confirmation.LOGIN,
    confirmation_note: str = "",
) -> Claim:
    """The household's self-evaluation (自评表), filled by its head or with a cadre.

    No cadre claims for a household (杜绝干部包办代替): when someone other than the head fills
    the form, the claim waits for the head to confirm in their own login, unless the cadre
    records how the head confirmed it (signed the paper form, or in person before a witness).
    """
    if campaign.is_closed:
        raise ServiceError(_("This evaluation round is closed."), code="campaign_closed")
    village = household.group.village
    if not campaign.villages.filter(village_id=village.pk).exists():
        raise ServiceError(
            _("%(village)s does not take part in this evaluation round.")
            % {"village": village.name},
            code="village_not_in_round",
        )
    chosen = {star.pk: (star, note) for star, note in stars}
    if any(star.township_id != household.township_id for star, _note in chosen.values()):
        raise ServiceError(_("Choose stars of the household's township."), code="other_township")
    missing = _missing_required(household.township, chosen)
    if missing:
        _refuse_missing(missing)
    if (
        Claim.objects.filter(campaign=campaign, household=household)
        .exclude(state=Claim.State.REFUSED)
        .exists()
    ):
        raise ServiceError(
            _("Household %(number)s has already claimed stars in this round.")
            % {"number": household.number},
            code="already_claimed",
        )
    now = timezone.now()
    claim = Claim(
        township=household.township,
        campaign=campaign,
        village=village,
        household=household,
        filled_by=actor,
        confirmation_note=confirmation_note.strip(),
    )
    if is_head_of(actor, household):
        claim.confirmation, claim.confirmed_by, claim.confirmed_at = Confirmation.LOGIN, actor, now
        claim.state = Claim.State.AWAITING_GROUP
    elif confirmation == Confirmation.LOGIN:
        claim.confirmation, claim.state = Confirmation.LOGIN, Claim.State.AWAITING_HEAD
    else:
        if confirmation not in Confirmation.values:
            raise ServiceError(_("Choose how the head confirmed."), code="bad_confirmation")
        if not claim.confirmation_note:
            raise ServiceError(
                _(
                    "Say how the household head confirmed this self-evaluation "
                    "(who, where, with whom as witness)."
                ),
                code="confirmation_note_required",
            )
        claim.confirmation, claim.confirmed_at = confirmation, now
        claim.state = Claim.State.AWAITING_GROUP
    claim.save()
    ClaimStar.objects.bulk_create(
        ClaimStar(claim=claim, star=star, note=note.strip()) for star, note in chosen.values()
    )
    audit.record(
        actor=actor,
        action="create",
        obj=claim,
        changes={
            "stars": [None, [star.name for star, _note in chosen.values()]],
            "confirmation": [None, claim.confirmation],
        },
        reason=claim.confirmation_note,
    )
    return claim


def _expect(claim: Claim, state: str) -> None:
    if claim.state != state:
        raise ServiceError(
            _("This self-evaluation is “%(state)s”; that step is not open.")
            % {"state": claim.get_state_display()},
            code="wrong_state",
            status=409,
        )


@transaction.atomic
def confirm_claim(*, claim: Claim, actor) -> Claim:
    """The household head confirms, in their own login, a self-evaluation filled with a cadre."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _expect(claim, Claim.State.AWAITING_HEAD)
    if not is_head_of(actor, claim.household):
        raise ServiceError(
            _("Only the household head confirms the household's self-evaluation."),
            code="not_the_head",
            status=403,
        )
    claim.state, claim.confirmed_by, claim.confirmed_at = (
        Claim.State.AWAITING_GROUP,
        actor,
        timezone.now(),
    )
    claim.save(update_fields=["state", "confirmed_by", "confirmed_at"])
    audit.record(actor=actor, action="update", obj=claim, changes={"state": ["head", "group"]})
    return claim


# --- 小组评星 ------------------------------------------------------------------------------------


@transaction.atomic
def evaluate(*, claim: Claim, decisions: dict[int, tuple[bool, str]], actor) -> Claim:
    """The group grants or denies each claimed star (a denial needs its reason).

    Without every required star granted the household is not rated in this round.
    """
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _expect(claim, Claim.State.AWAITING_GROUP)
    if claim.filled_by_id == getattr(actor, "pk", None) and not is_head_of(actor, claim.household):
        raise ServiceError(
            _("Whoever filled the self-evaluation does not evaluate it; another member does."),
            code="own_claim",
            status=403,
        )
    rows = list(claim.stars.select_related("star"))
    if set(decisions) != {row.star_id for row in rows}:
        raise ServiceError(_("Decide every claimed star."), code="undecided_star")
    for row in rows:
        granted, reason = decisions[row.star_id]
        if not granted and not reason.strip():
            raise ServiceError(
                _("Give the reason for denying %(star)s.") % {"star": row.star.name},
                code="reason_required",
            )
        row.granted, row.reason = bool(granted), reason.strip()
    ClaimStar.objects.bulk_update(rows, ["granted", "reason"])
    claim.group_by, claim.group_at = actor, timezone.now()
    denied_required = [row.star for row in rows if row.star.required and not row.granted]
    if denied_required:
        claim.state = Claim.State.REFUSED
        claim.refused_reason = _("The group did not grant the required %(stars)s.") % {
            "stars": "、".join(s.name for s in denied_required)
        }
    else:
        claim.state = Claim.State.AWAITING_VOTE
    claim.save(update_fields=["state", "group_by", "group_at", "refused_reason"])
    audit.record(
        actor=actor,
        action="update",
        obj=claim,
        changes={
            "state": ["group", claim.state],
            "granted": [None, [row.star.name for row in rows if row.granted]],
        },
    )
    return claim


# --- 两委定星 and 表决 ----------------------------------------------------------------------


def vote_outcome(
    settings: StarSettings, *, members: int, votes_for: int, votes_against: int, abstentions: int
) -> bool:
    """Whether the vote passes; refused when the meeting has no quorum.

    Quorum: present × denominator ≥ members × numerator (two-thirds by default).
    Passing: votes for × denominator > present × numerator (more than half of those present).
    """
    present = votes_for + votes_against + abstentions
    if members < 1 or present > members:
        raise ServiceError(
            _("More votes were cast than the committees have members."), code="bad_vote"
        )
    if present * settings.quorum_denominator < members * settings.quorum_numerator:
        raise ServiceError(
            _(
                "No quorum: %(present)d of %(members)d members present, at least "
                "%(num)d/%(den)d must attend."
            )
            % {
                "present": present,
                "members": members,
                "num": settings.quorum_numerator,
                "den": settings.quorum_denominator,
            },
            code="no_quorum",
        )
    return votes_for * settings.majority_denominator > present * settings.majority_numerator


@transaction.atomic
def record_vote(
    *,
    claim: Claim,
    members: int,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    actor,
    note: str = "",
    today=None,
):
    """The two committees' vote. Passed: the rating is posted (张榜公示) for objections."""
    from .models import Vote

    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _expect(claim, Claim.State.AWAITING_VOTE)
    settings = settings_for(claim.township)
    passed = vote_outcome(
        settings,
        members=members,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
    )
    today = today or timezone.localdate()
    vote = Vote.objects.create(
        claim=claim,
        members=members,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        passed=passed,
        held_on=today,
        note=note,
        recorded_by=actor,
    )
    if passed:
        claim.state, claim.posted_on = Claim.State.POSTED, today
        claim.objection_until = today + datetime.timedelta(days=settings.objection_days)
    else:
        claim.state = Claim.State.REFUSED
        claim.refused_reason = _("The two committees' vote did not pass.")
    claim.save(update_fields=["state", "posted_on", "objection_until", "refused_reason"])
    audit.record(
        actor=actor,
        action="update",
        obj=claim,
        changes={
            "state": ["vote", claim.state],
            "vote": [None, [members, votes_for, votes_against, abstentions]],
        },
        reason=note,
    )
    return vote


# --- 张榜公示: objections and taking effect -------------------------------------------------------


@transaction.atomic
def raise_objection(*, claim: Claim, raised_by: str, text: str, actor, today=None) -> Objection:
    """Record an objection to a posted rating, received within the objection period."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _expect(claim, Claim.State.POSTED)
    today = today or timezone.localdate()
    if today > claim.objection_until:
        raise ServiceError(
            _("The objection period ended on %(date)s.") % {"date": claim.objection_until},
            code="period_over",
        )
    if not text.strip() or not raised_by.strip():
        raise ServiceError(_("Say who objects and why."), code="objection_empty")
    objection = Objection.objects.create(
        claim=claim,
        township=claim.township,
        raised_by=raised_by.strip(),
        text=text.strip(),
        received_by=actor,
        received_on=today,
    )
    audit.record(actor=actor, action="create", obj=objection, reason=objection.text)
    return objection


@transaction.atomic
def resolve_objection(*, objection: Objection, upheld: bool, resolution: str, actor, today=None):
    """Uphold (the household is not rated this round) or dismiss an objection, with reasons."""
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.state != Objection.State.OPEN:
        raise ServiceError(_("This objection is already resolved."), code="resolved", status=409)
    if not resolution.strip():
        raise ServiceError(_("Give the resolution."), code="resolution_required")
    objection.state = Objection.State.UPHELD if upheld else Objection.State.DISMISSED
    objection.resolution, objection.resolved_by = resolution.strip(), actor
    objection.resolved_at = timezone.now()
    objection.save()
    claim = Claim.objects.select_for_update().get(pk=objection.claim_id)
    if upheld and claim.state == Claim.State.POSTED:
        claim.state = Claim.State.REFUSED
        claim.refused_reason = _("Objection upheld: %(resolution)s") % {
            "resolution": objection.resolution
        }
        claim.save(update_fields=["state", "refused_reason"])
    audit.record(
        actor=actor,
        action="update",
        obj=objection,
        changes={"state": ["open", objection.state]},
        reason=objection.resolution,
    )
    if claim.state == Claim.State.POSTED:
        settle_claim(claim=claim, actor=actor, today=today)
    return objection


def settle_claim(*, claim: Claim, actor=None, today=None) -> bool:
    """Put a posted rating into effect once its objection period is over (the day after its
    last day) and no objection is open. Returns whether it took effect."""
    today = today or timezone.localdate()
    claim = Claim.objects.select_related("campaign", "household").get(pk=claim.pk)
    if claim.state != Claim.State.POSTED or today <= claim.objection_until:
        return False
    if claim.objections.filter(state=Objection.State.OPEN).exists():
        return False
    with transaction.atomic():
        granted = set(claim.stars.filter(granted=True).values_list("star_id", flat=True))
        held = set(selectors.held_stars([claim.household_id], on=today).get(claim.household_id, ()))
        entries = [
            RatingEntry(
                township=claim.township,
                household=claim.household,
                star_id=star_id,
                action=RatingEntry.Action.GRANT,
                claim=claim,
                effective_on=today,
                authority=AUTHORITY_SETTLED,
                reason=claim.campaign.name,
                actor=actor if getattr(actor, "pk", None) else None,
            )
            for star_id in sorted(granted)
        ]
        # A yearly re-rating replaces the rating: stars not granted again lapse.
        entries += [
            RatingEntry(
                township=claim.township,
                household=claim.household,
                star_id=star_id,
                action=RatingEntry.Action.WITHDRAW,
                claim=claim,
                effective_on=today,
                authority=AUTHORITY_SETTLED,
                reason=_("Not granted again in %(round)s") % {"round": claim.campaign.name},
                actor=actor if getattr(actor, "pk", None) else None,
            )
            for star_id in sorted(held - granted)
        ]
        RatingEntry.objects.bulk_create(entries)
        claim.state, claim.effective_on = Claim.State.EFFECTIVE, today
        claim.save(update_fields=["state", "effective_on"])
        audit.record(
            actor=actor,
            action="update",
            obj=claim,
            changes={"state": ["posted", "effective"], "stars": [sorted(held), sorted(granted)]},
            reason=AUTHORITY_SETTLED,
        )
    return True


def settle_due(*, today=None, actor=None) -> int:
    """Every posted rating whose objection period is over takes effect (the daily job; safe to
    run twice). Returns how many took effect."""
    today = today or timezone.localdate()
    done = 0
    for claim in Claim.objects.filter(state=Claim.State.POSTED, objection_until__lt=today):
        done += settle_claim(claim=claim, actor=actor, today=today)
    return done


# --- Dynamic management: withdrawals, pairings, visits -------------------------------------------


@transaction.atomic
def withdraw_star(
    *, household: Household, star: Star, reason: str, authority: str, actor, today=None
) -> RatingEntry:
    """Withdraw a held star after a finding (e.g. a law-breaking record); the household is told."""
    today = today or timezone.localdate()
    if not reason.strip() or not authority.strip():
        raise ServiceError(
            _("Give the finding and on whose decision the star is withdrawn."),
            code="reason_required",
        )
    held = selectors.held_stars([household.pk], on=today).get(household.pk, ())
    if star.pk not in held:
        raise ServiceError(
            _("Household %(number)s does not hold %(star)s.")
            % {"number": household.number, "star": star.name},
            code="not_held",
        )
    entry = RatingEntry.objects.create(
        township=household.township,
        household=household,
        star=star,
        action=RatingEntry.Action.WITHDRAW,
        effective_on=today,
        reason=reason.strip(),
        authority=authority.strip(),
        actor=actor,
    )
    text = _("%(star)s was withdrawn on %(date)s: %(reason)s") % {
        "star": star.name,
        "date": today.isoformat(),
        "reason": entry.reason,
    }
    if star.required:
        text += _(" Without this required star the household holds no star rating.")
    StarNotice.objects.create(
        township=household.township, household=household, entry=entry, text=text, created_by=actor
    )
    audit.record(
        actor=actor,
        action="update",
        obj=household,
        changes={"star": [star.name, None]},
        reason=f"{entry.authority}: {entry.reason}",
    )
    return entry


@transaction.atomic
def pair(*, member, households, actor, today=None) -> list[Pairing]:
    """Pair a party member or cadre with households (1+10); a household has one pair at a time."""
    today = today or timezone.localdate()
    households = list(households)
    taken = set(
        Pairing.objects.filter(household__in=households, end_date__isnull=True).values_list(
            "household__number", flat=True
        )
    )
    if taken:
        raise ServiceError(
            _("Already paired: %(numbers)s.") % {"numbers": "、".join(sorted(taken))},
            code="already_paired",
        )
    pairings = Pairing.objects.bulk_create(
        Pairing(township=h.township, member=member, household=h, start_date=today, created_by=actor)
        for h in households
    )
    for pairing in pairings:
        audit.record(actor=actor, action="create", obj=pairing)
    return pairings


@transaction.atomic
def end_pairing(*, pairing: Pairing, actor, today=None) -> Pairing:
    if pairing.end_date is not None:
        raise ServiceError(_("This pairing has already ended."), code="ended")
    pairing.end_date = today or timezone.localdate()
    pairing.save(update_fields=["end_date"])
    audit.record(actor=actor, action="end", obj=pairing)
    return pairing


MAX_PHOTOS = 6


@transaction.atomic
def record_visit(
    *, household: Household, kind: str, notes: str, actor, visited_on=None, photos=()
) -> Visit:
    """A revisit or inspection with notes and photos (stored without EXIF)."""
    visited_on = visited_on or timezone.localdate()
    if visited_on > timezone.localdate():
        raise ServiceError(_("A visit cannot be recorded in advance."), code="future_visit")
    if not notes.strip():
        raise ServiceError(_("Write what you found."), code="notes_required")
    if len(photos) > MAX_PHOTOS:
        raise ServiceError(
            _("At most %(n)d photos per visit.") % {"n": MAX_PHOTOS}, code="too_many_photos"
        )
    cleaned = [clean_photo(upload) for upload in photos]
    visit = Visit.objects.create(
        township=household.township,
        household=household,
        visitor=actor,
        kind=kind,
        visited_on=visited_on,
        notes=notes.strip(),
    )
    for image, thumb, content_type in cleaned:
        stem = uuid.uuid4().hex
        suffix = next(sfx for ct, sfx in FORMATS.values() if ct == content_type)
        photo = VisitPhoto(visit=visit, content_type=content_type, size=len(image))
        photo.image.save(f"{stem}.{suffix}", ContentFile(image), save=False)
        photo.thumbnail.save(f"{stem}.jpg", ContentFile(thumb), save=False)
        photo.save()
    audit.record(actor=actor, action="create", obj=visit, changes={"kind": [None, kind]})
    return visit
