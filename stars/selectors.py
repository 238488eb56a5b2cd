"""Reads of star-rated households, limited by a Scope; the current rating from the history."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import tree
from core.masking import mask_name
from core.scope import CHANGE, MANAGE, PROPOSE, VIEW, Scope
from places.models import Household, Resident, Unit

from .models import Campaign, CampaignVillage, Claim, Pairing, RatingEntry, Star, StarNotice, Visit


@dataclass
class Rating:
    """A household's current stars. Without every required star it holds no rating (0)."""

    stars: list[Star] = field(default_factory=list)
    missing_required: list[Star] = field(default_factory=list)

    @property
    def count(self) -> int:
        return 0 if self.missing_required else len(self.stars)

    @property
    def rated(self) -> bool:
        return self.count > 0

    @property
    def names(self) -> str:
        return "、".join(star.name for star in self.stars)


def held_stars(households, on: datetime.date | None = None) -> dict[int, list[int]]:
    """{household id: ids of the stars held on `on`}: the latest entry per star, one query.

    `households` is a list of ids or a queryset of households (used as a subquery).
    """
    on = on or timezone.localdate()
    if isinstance(households, QuerySet):
        households = households.values("pk")
    held: dict[int, dict[int, bool]] = {}
    rows = (
        RatingEntry.objects.filter(household__in=households, effective_on__lte=on)
        .order_by("pk")
        .values_list("household_id", "star_id", "action")
    )
    for household_id, star_id, action in rows:
        held.setdefault(household_id, {})[star_id] = action == RatingEntry.Action.GRANT
    return {h: [s for s, on_ in stars.items() if on_] for h, stars in held.items()}


def _stars_by_township(township_ids) -> dict[int, list[Star]]:
    found: dict[int, list[Star]] = {}
    for star in Star.objects.filter(township_id__in=set(township_ids)).order_by("position"):
        found.setdefault(star.township_id, []).append(star)
    return found


def ratings_for(households, on: datetime.date | None = None) -> dict[int, Rating]:
    """{household id: Rating} for households (objects with `township_id`), in two queries."""
    households = list(households)
    held = held_stars([h.pk for h in households], on=on)
    stars = _stars_by_township(h.township_id for h in households)
    result = {}
    for household in households:
        own = set(held.get(household.pk, ()))
        township_stars = stars.get(household.township_id, [])
        result[household.pk] = Rating(
            stars=[s for s in township_stars if s.pk in own],
            missing_required=[s for s in township_stars if s.required and s.pk not in own]
            if own
            else [],
        )
    return result


def _held_count(on: datetime.date, **filters):
    """A subquery for a Household row: how many stars (matching `filters`) it holds on `on`:
    grants with no later entry (by id) for the same star, as held_stars folds them."""
    later = RatingEntry.objects.filter(
        household=OuterRef("household"),
        star=OuterRef("star"),
        effective_on__lte=on,
        pk__gt=OuterRef("pk"),
    )
    held = (
        RatingEntry.objects.filter(
            household=OuterRef("pk"),
            effective_on__lte=on,
            action=RatingEntry.Action.GRANT,
            **filters,
        )
        .exclude(Exists(later))
        .order_by()
        .values("household")
        .annotate(n=Count("star", distinct=True))
        .values("n")[:1]
    )
    return Coalesce(Subquery(held), 0)


def with_star_count(households: QuerySet[Household], on: datetime.date) -> QuerySet[Household]:
    """`households` annotated with `stars`: the rating held on `on` (0 without every required
    star), in the same SQL statement (the quarterly publication's rows: no extra query)."""
    required = (
        Star.objects.filter(township=OuterRef("township"), required=True, is_active=True)
        .order_by()
        .values("township")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return households.alias(n_required_held=_held_count(on, star__required=True)).annotate(
        stars=Case(
            When(Q(n_required_held=Coalesce(Subquery(required), 0)), then=_held_count(on)),
            default=Value(0),
        )
    )


def rating_of(household: Household, on: datetime.date | None = None) -> Rating:
    return ratings_for([household], on=on)[household.pk]


def claims(scope: Scope, cap: str = VIEW) -> QuerySet[Claim]:
    """Self-evaluations of the households the scope may see (or act on, by `cap`)."""
    return Claim.objects.filter(scope.households_q(cap, prefix="household__")).select_related(
        "household", "village", "campaign", "filled_by", "township"
    )


def claim_detail(scope: Scope) -> QuerySet[Claim]:
    return claims(scope).prefetch_related("stars__star", "objections").select_related("vote")


def waiting_for_group(scope: Scope, user) -> QuerySet[Claim]:
    """Claims the user's group may evaluate (not those the user filled)."""
    return claims(scope, PROPOSE).filter(state=Claim.State.AWAITING_GROUP).exclude(filled_by=user)


def waiting_for_vote(scope: Scope) -> QuerySet[Claim]:
    if scope.is_superuser:
        query = Q()
    else:
        query = tree.under_any("village__path", scope.paths_for(MANAGE))
    return Claim.objects.filter(query, state=Claim.State.AWAITING_VOTE).select_related(
        "household", "village"
    )


def to_fill(scope: Scope, limit: int = 30) -> list[Household]:
    """Households the user may fill a self-evaluation for, in a village of an open round,
    without a live claim in it (the micro-grid chief's list on the phone)."""
    if not scope.can(CHANGE):
        return []
    rounds = CampaignVillage.objects.filter(campaign__is_closed=False)
    if not scope.is_superuser:
        rounds = rounds.filter(campaign__township_id__in=scope.township_ids)
    live = Claim.objects.filter(campaign__is_closed=False).exclude(state=Claim.State.REFUSED)
    head = Resident.objects.filter(household=OuterRef("pk"), relation=Resident.Relation.HEAD)
    return list(
        Household.objects.filter(
            scope.households_q(CHANGE), group__village_id__in=rounds.values("village_id")
        )
        .exclude(pk__in=live.values("household_id"))
        .annotate(head_name=Subquery(head.values("name")[:1]))
        .order_by("number")[:limit]
    )


def notices(household: Household):
    return StarNotice.objects.filter(household=household).order_by("-created_at", "-pk")


def open_campaigns(township_ids) -> QuerySet[Campaign]:
    return Campaign.objects.filter(township_id__in=township_ids, is_closed=False)


def campaigns(scope: Scope) -> QuerySet[Campaign]:
    if scope.is_superuser:
        return Campaign.objects.all()
    return Campaign.objects.filter(township_id__in=scope.township_ids)


def campaign_for(household: Household) -> Campaign | None:
    """The open round that includes the household's village (the latest)."""
    return (
        Campaign.objects.filter(
            township_id=household.township_id,
            is_closed=False,
            villages__village_id=household.group.village_id,
        )
        .order_by("-started_on", "-pk")
        .first()
    )


def village_progress(campaign: Campaign) -> list[dict]:
    """Per village of the round: households, claims per state, rated; three queries."""
    rows = list(campaign.villages.select_related("village").order_by("-is_pilot", "village__path"))
    households = {
        row.village_id: Household.objects.filter(tree.under("group_path", row.village.path)).count()
        for row in rows
    }
    states: dict[int, dict[str, int]] = {}
    for village_id, state, n in (
        campaign.claims.values_list("village_id", "state").annotate(n=Count("pk")).order_by()
    ):
        states.setdefault(village_id, {})[state] = n
    result = []
    for row in rows:
        counts = states.get(row.village_id, {})
        claimed = sum(counts.values())
        total = households[row.village_id]
        result.append(
            {
                "village": row.village,
                "is_pilot": row.is_pilot,
                "households": total,
                "claimed": claimed,
                "counts": counts,
                "effective": counts.get(Claim.State.EFFECTIVE, 0),
                "posted": counts.get(Claim.State.POSTED, 0),
                "percent": round(100 * claimed / total) if total else 0,
            }
        )
    return result


def campaign_village_rows(village: Unit) -> QuerySet[CampaignVillage]:
    return CampaignVillage.objects.filter(village=village, campaign__is_closed=False)


def _head_names(household_ids) -> dict[int, str]:
    return dict(
        Resident.objects.filter(household_id__in=household_ids, relation=Resident.Relation.HEAD)
        .values_list("household_id", "name")
        .order_by()
    )


def public_board(village: Unit, on: datetime.date | None = None) -> dict:
    """What the village's notice board shows: postings in their objection period and the
    households holding a rating, names masked as on a paper board."""
    on = on or timezone.localdate()
    in_village = Household.objects.filter(tree.under("group_path", village.path))
    posted = list(
        Claim.objects.filter(village=village, state=Claim.State.POSTED)
        .select_related("household")
        .prefetch_related("stars__star")
        .order_by("objection_until", "household__number")
    )
    held = held_stars(in_village, on=on)
    rated_households = list(Household.objects.filter(pk__in=list(held)).order_by("number"))
    ratings = ratings_for(rated_households, on=on)
    names = _head_names([c.household_id for c in posted] + [h.pk for h in rated_households])
    return {
        "posted": [
            {
                "number": claim.household.number,
                "name": mask_name(names.get(claim.household_id, "")),
                "stars": [row.star.name for row in claim.stars.all() if row.granted],
                "until": claim.objection_until,
            }
            for claim in posted
        ],
        "rated": [
            {
                "number": h.number,
                "name": mask_name(names.get(h.pk, "")),
                "count": ratings[h.pk].count,
                "stars": ratings[h.pk].names,
            }
            for h in rated_households
            if ratings[h.pk].rated
        ],
    }


# --- Dynamic management ------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(day: datetime.date) -> datetime.date:
    return (month_start(day) - datetime.timedelta(days=1)).replace(day=1)


def half_year_start(day: datetime.date) -> datetime.date:
    return day.replace(month=1 if day.month <= 6 else 7, day=1)


def revisit_status(last: datetime.date | None, since: datetime.date, today: datetime.date) -> str:
    """一月一回访: "done" (visited this month), "due" (not yet this month), "overdue" (a whole
    month passed without a visit, counted from the pairing's start)."""
    if last is not None and last >= month_start(today):
        return "done"
    reference = last or since
    if reference < previous_month(today) and since < previous_month(today):
        return "overdue"
    return "due"


def pairings_with_status(pairings: QuerySet[Pairing], today=None) -> list[Pairing]:
    """Active pairings, each with `last_visit` and `status` (done/due/overdue), one query."""
    today = today or timezone.localdate()
    last = (
        Visit.objects.filter(household=OuterRef("household_id"), kind=Visit.Kind.REVISIT)
        .order_by()
        .values("household_id")
        .annotate(m=Max("visited_on"))
        .values("m")
    )
    rows = list(
        pairings.filter(end_date__isnull=True)
        .select_related("household", "member")
        .annotate(last_visit=Subquery(last))
        .order_by("household__number")
    )
    for row in rows:
        row.status = revisit_status(row.last_visit, row.start_date, today)
    return rows


def my_pairings(user, today=None) -> list[Pairing]:
    return pairings_with_status(Pairing.objects.filter(member=user), today)


def village_pairings(village: Unit, today=None) -> list[Pairing]:
    return pairings_with_status(
        Pairing.objects.filter(tree.under("household__group_path", village.path)), today
    )


def inspections_due(village: Unit, today=None) -> int:
    """Rated households of the village without an inspection this half-year (半年一督查)."""
    today = today or timezone.localdate()
    in_village = Household.objects.filter(tree.under("group_path", village.path))
    rated = set(held_stars(in_village, on=today))
    inspected = set(
        Visit.objects.filter(
            household_id__in=rated,
            kind=Visit.Kind.INSPECTION,
            visited_on__gte=half_year_start(today),
        ).values_list("household_id", flat=True)
    )
    return len(rated - inspected)


def rerating_due(village: Unit, today=None) -> int:
    """Rated households whose rating took effect more than a year ago (一年一评比)."""
    today = today or timezone.localdate()
    year_ago = today - datetime.timedelta(days=365)
    latest = (
        RatingEntry.objects.filter(tree.under("household__group_path", village.path))
        .values("household_id")
        .annotate(last=Max("effective_on"))
        .order_by()
    )
    return sum(1 for row in latest if row["last"] <= year_ago)


def visits(scope: Scope) -> QuerySet[Visit]:
    return Visit.objects.filter(scope.households_q(VIEW, prefix="household__")).select_related(
        "household", "visitor"
    )
