"""Fixtures of the star tests (the personas alice, bob, charlie, dave, eve: root conftest.py).

cora: village committee (两委) member of village 0, who votes and handles objections;
lee: township leader (sees the township, may not manage villages);
pat: party member of 联户 0, paired with its households (1+10);
sam: the township's supervisor (inspections).
"""

import datetime

import pytest

from conftest import _persona
from stars import services
from stars.models import Confirmation

DAY = datetime.date.today() - datetime.timedelta(days=30)  # a vote whose posting is over


@pytest.fixture
def cora(town):
    return _persona("cora", "village_committee", unit=town.villages[0])


@pytest.fixture
def lee(town):
    return _persona("lee", "township_leader", unit=town.township)


@pytest.fixture
def pat(town):
    return _persona("pat", "party_member", unit=town.joints[0])


@pytest.fixture
def sam(town):
    return _persona("sam", "supervisor", unit=town.township)


@pytest.fixture
def stars(town):
    """{name: Star} of the township's default set."""
    return {star.name: star for star in services.star_set(town.township)}


@pytest.fixture
def campaign(town, alice, stars):
    """A round in both villages, village 0 the pilot."""
    campaign = services.start_campaign(
        township=town.township,
        name="2026年创评",
        year=2026,
        villages=[town.villages[0]],
        actor=alice,
    )
    services.add_villages(campaign=campaign, villages=[town.villages[1]], actor=alice)
    return campaign


def required(stars):
    return [s for s in stars.values() if s.required]


@pytest.fixture
def claim_for(campaign, stars, bob):
    """claim_for(household, extra=("生态环保星",), actor=bob): a claim the head confirmed."""

    def _claim(household, extra=("生态环保星", "整洁健康星"), actor=None):
        chosen = required(stars) + [stars[name] for name in extra]
        return services.claim_stars(
            household=household,
            campaign=campaign,
            stars=[(star, "") for star in chosen],
            actor=actor or bob,
            confirmation=Confirmation.SIGNED,
            confirmation_note="户主签字",
        )

    return _claim


@pytest.fixture
def voted(claim_for, alice, cora, town):
    """voted(household, on=DAY): a claim granted by the group and passed by the vote on `on`."""

    def _voted(household, on=DAY, extra=("生态环保星", "整洁健康星")):
        claim = claim_for(household, extra=extra)
        decisions = {row.star_id: (True, "") for row in claim.stars.all()}
        services.evaluate(claim=claim, decisions=decisions, actor=alice)
        services.record_vote(
            claim=claim,
            members=9,
            votes_for=7,
            votes_against=1,
            abstentions=1,
            actor=cora,
            today=on,
        )
        claim.refresh_from_db()
        return claim

    return _voted


@pytest.fixture
def rated(voted):
    """rated(household): stars in effect (the objection period over without objection)."""

    def _rated(household, extra=("生态环保星", "整洁健康星")):
        claim = voted(household, extra=extra)
        assert services.settle_claim(
            claim=claim, today=claim.objection_until + datetime.timedelta(days=1)
        )
        claim.refresh_from_db()
        return claim

    return _rated
