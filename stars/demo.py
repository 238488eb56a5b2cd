"""Demo data of star-rated households (called by `seed_demo`, after places, people, points).

达依乡 gets its ten-star set and a round "2026年星级文明户创评" started with three pilot villages
(和平社区 first, the demo grid chief's community) and extended to two more. In 和平社区002网格
households went through the three tiers: most are rated (in effect after their objection period),
some are posted now (one with an open objection), some wait for the group, the vote or the
head's confirmation, one lost a star after a finding (and was told). The demo party member
(dayi_party) is paired with the households of his 联户 (1+10), some visited this month, some
last month, some not for longer (overdue). The other 联户 of the grid stay unclaimed, for the
chief to fill a self-evaluation with them (the browser test does). 柳湖街道 gets its star set.

Written through the services (a few hundred queries: well under a second).
"""

import datetime
import random

from django.utils import timezone

from people.models import User
from places.models import Household, Unit

from . import services
from .models import Confirmation, Visit

GRID = "和平社区002网格"
ROUND = "2026年星级文明户创评"
PILOTS = 3


def seed(townships: list[Unit], rng: random.Random) -> dict[str, dict[str, int]]:
    """Load the demo data; returns counts per township name, printed by `seed_demo`."""
    counts = {}
    for township in townships:
        stars = services.star_set(township)
        services.settings_for(township)
        counts[township.name] = {"stars": len(stars)}
    dayi = next((t for t in townships if t.name == "达依乡"), None)
    grid = Unit.objects.filter(name=GRID, township=dayi).first() if dayi else None
    if grid is None:
        return counts
    counts[dayi.name].update(_seed_dayi(dayi, grid, rng))
    return counts


def _seed_dayi(township: Unit, grid: Unit, rng: random.Random) -> dict[str, int]:
    users = {u.username: u for u in User.objects.filter(username__startswith="dayi_")}
    chief, committee = users["dayi_chief"], users["dayi_committee"]
    secretary, party = users["dayi_secretary"], users["dayi_party"]
    today = timezone.localdate()
    started = today - datetime.timedelta(days=60)
    community = grid.village
    villages = list(
        Unit.objects.filter(township=township, kind__in=[Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY])
        .exclude(pk=community.pk)
        .order_by("path")
    )
    campaign = services.start_campaign(
        township=township,
        name=ROUND,
        year=today.year,
        villages=[community, *villages[: PILOTS - 1]],
        pilot=True,
        actor=secretary,
        today=started,
    )
    services.add_villages(
        campaign=campaign,
        villages=villages[PILOTS - 1 : PILOTS + 1],
        actor=secretary,
        today=today - datetime.timedelta(days=20),
    )
    stars = services.star_set(township)
    required = [s for s in stars if s.required]
    optional = [s for s in stars if not s.required]
    joints = list(Unit.objects.filter(parent=grid, kind=Unit.Kind.JOINT).order_by("path"))
    by_joint = {
        joint.pk: list(Household.objects.filter(joint=joint).order_by("number")) for joint in joints
    }
    # The first two 联户 (the villager's and the party member's) go through the tiers;
    # the rest of the grid stays unclaimed for the chief's self-evaluations.
    homes = [h for joint in joints[:2] for h in by_joint[joint.pk]]
    counts = {"claims": 0, "rated": 0, "posted": 0, "waiting": 0}
    plan = ["rated"] * max(len(homes) - 7, 0) + [
        "posted",
        "posted",
        "objected",
        "group",
        "group",
        "vote",
        "head",
    ]
    for household, fate in zip(homes, plan, strict=False):
        chosen = required + rng.sample(optional, rng.randint(2, len(optional)))
        claim = services.claim_stars(
            household=household,
            campaign=campaign,
            stars=[(star, "") for star in chosen],
            actor=chief,
            confirmation=Confirmation.LOGIN if fate == "head" else Confirmation.SIGNED,
            confirmation_note="" if fate == "head" else "户主在自评表上签字，联户长在场",
        )
        counts["claims"] += 1
        if fate in ("head", "group"):
            counts["waiting"] += 1
            continue
        decisions = {star.pk: (True, "") for star in chosen}
        if rng.random() < 0.3:
            denied = rng.choice([s for s in chosen if not s.required])
            decisions[denied.pk] = (False, "入户查看未达到标准")
        services.evaluate(claim=claim, decisions=decisions, actor=committee)
        if fate == "vote":
            counts["waiting"] += 1
            continue
        held_on = today - datetime.timedelta(days=30 if fate == "rated" else 2)
        services.record_vote(
            claim=claim,
            members=9,
            votes_for=rng.randint(6, 8),
            votes_against=0,
            abstentions=1,
            actor=committee,
            today=held_on,
        )
        if fate == "objected":
            services.raise_objection(
                claim=claim,
                raised_by="本组村民",
                text="该户门前堆放杂物，整洁健康星不实",
                actor=committee,
                today=today,
            )
        if fate == "rated":
            services.settle_claim(claim=claim, actor=committee, today=held_on + _period(township))
            counts["rated"] += 1
        else:
            counts["posted"] += 1
    _withdraw_one(homes, committee, today)
    counts["pairings"], counts["visits"] = _pairings(
        by_joint[joints[1].pk] if len(joints) > 1 else [], party, secretary, started, today
    )
    return counts


def _period(township: Unit) -> datetime.timedelta:
    return datetime.timedelta(days=services.settings_for(township).objection_days + 1)


def _withdraw_one(homes, actor, today) -> None:
    """The first rated household lost 生态环保星 (or another optional star) after a finding."""
    from . import selectors

    held = selectors.held_stars([h.pk for h in homes], on=today)
    for household in homes:
        own = [
            s for s in services.star_set(household.township) if s.pk in held.get(household.pk, ())
        ]
        optional = [s for s in own if not s.required]
        if optional:
            services.withdraw_star(
                household=household,
                star=optional[0],
                reason="督查发现庭院垃圾长期未清理，经提醒未整改",
                authority="和平社区两委会议决定",
                actor=actor,
                today=today,
            )
            return


def _pairings(households, party, secretary, started, today) -> tuple[int, int]:
    """1+10: the party member pairs with his 联户; this month, last month, or long ago visited."""
    if not households:
        return 0, 0
    services.pair(member=party, households=households, actor=secretary, today=started)
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=5)
    visits = 0
    for index, household in enumerate(households):
        when = (today, last_month, None)[index % 3]
        if when is None:
            continue
        services.record_visit(
            household=household,
            kind=Visit.Kind.REVISIT,
            notes="入户走访，了解创星情况，提醒保持庭院整洁",
            actor=party,
            visited_on=when,
        )
        visits += 1
    return len(households), visits
