"""The rules of star evaluation: 3+N, the three tiers, the vote, the posting, withdrawals."""

import datetime
import io
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone
from PIL import Image

from core.errors import ServiceError
from places.models import TownshipConfig
from points.quarter import publication_rows
from points.selectors import quarter_bounds, quarter_of
from stars import selectors, services
from stars.models import Claim, Confirmation, Objection, RatingEntry, StarNotice, StarSettings

from .conftest import DAY, required


def _withdraw(household, star, actor, **kwargs):
    """A withdrawal whose reason and authority do not matter to the test."""
    return services.withdraw_star(
        household=household, star=star, reason="x", authority="y", actor=actor, **kwargs
    )


pytestmark = pytest.mark.django_db


def test_the_default_star_set_is_ten_stars_three_required(town, stars):
    assert len(stars) == 10
    assert sorted(s.name for s in stars.values() if s.required) == sorted(
        ["爱党爱国星", "遵规守法星", "诚实守信星"]
    )
    for name in ("生态环保星", "整洁健康星", "文明实践星", "崇教尚美星"):
        assert stars[name].criteria and not stars[name].required
    assert services.star_set(town.township) == list(stars.values())  # made once


def test_the_star_set_follows_the_township_configuration(town):
    config, _ = TownshipConfig.objects.get_or_create(township=town.township)
    config.stars = [{"name": "爱党爱国星", "required": True}, {"name": "美丽庭院星"}]
    config.save()
    names = [(s.name, s.required) for s in services.star_set(town.township)]
    assert names == [("爱党爱国星", True), ("美丽庭院星", False)]


def test_a_claim_without_every_required_star_is_refused(town, campaign, stars, bob):
    chosen = [stars["爱党爱国星"], stars["诚实守信星"], stars["生态环保星"]]
    with pytest.raises(ServiceError) as exc:
        services.claim_stars(
            household=town.households[0],
            campaign=campaign,
            stars=[(s, "") for s in chosen],
            actor=bob,
            confirmation=Confirmation.SIGNED,
            confirmation_note="户主签字",
        )
    assert exc.value.code == "missing_required_star"
    assert "遵规守法星" in str(exc.value.message)
    assert not Claim.objects.exists()


def test_which_stars_are_required_is_configuration(town, campaign, stars, bob, alice):
    services.configure_star(star=stars["遵规守法星"], required=False, actor=alice)
    chosen = [stars["爱党爱国星"], stars["诚实守信星"]]
    claim = services.claim_stars(
        household=town.households[0],
        campaign=campaign,
        stars=[(s, "") for s in chosen],
        actor=bob,
        confirmation=Confirmation.SIGNED,
        confirmation_note="户主签字",
    )
    assert claim.state == Claim.State.AWAITING_GROUP


def test_a_cadre_cannot_claim_without_the_heads_confirmation(town, campaign, stars, bob, dave):
    household = town.households[0]
    chosen = [(s, "") for s in required(stars)]
    with pytest.raises(ServiceError) as exc:
        services.claim_stars(
            household=household,
            campaign=campaign,
            stars=chosen,
            actor=bob,
            confirmation=Confirmation.SIGNED,
        )
    assert exc.value.code == "confirmation_note_required"
    claim = services.claim_stars(household=household, campaign=campaign, stars=chosen, actor=bob)
    assert claim.state == Claim.State.AWAITING_HEAD and claim.confirmed_at is None
    with pytest.raises(ServiceError) as exc:
        services.confirm_claim(claim=claim, actor=bob)
    assert exc.value.status == 403
    claim = services.confirm_claim(claim=claim, actor=dave)
    assert claim.state == Claim.State.AWAITING_GROUP and claim.confirmed_by == dave


def test_the_head_claiming_in_their_own_login_is_confirmed(town, campaign, stars, dave):
    claim = services.claim_stars(
        household=town.households[0],
        campaign=campaign,
        stars=[(s, "") for s in required(stars)],
        actor=dave,
    )
    assert claim.state == Claim.State.AWAITING_GROUP
    assert claim.confirmation == Confirmation.LOGIN and claim.confirmed_by == dave


def test_one_live_claim_per_round(town, claim_for):
    claim_for(town.households[0])
    with pytest.raises(ServiceError) as exc:
        claim_for(town.households[0])
    assert exc.value.code == "already_claimed"


def test_the_filler_does_not_evaluate_and_a_denied_required_star_means_no_rating(
    town, claim_for, bob, alice, stars
):
    claim = claim_for(town.households[0])
    decisions = {row.star_id: (True, "") for row in claim.stars.all()}
    with pytest.raises(ServiceError) as exc:
        services.evaluate(claim=claim, decisions=decisions, actor=bob)
    assert exc.value.code == "own_claim"
    decisions[stars["诚实守信星"].pk] = (False, "")
    with pytest.raises(ServiceError) as exc:
        services.evaluate(claim=claim, decisions=decisions, actor=alice)
    assert exc.value.code == "reason_required"
    decisions[stars["诚实守信星"].pk] = (False, "有失信被执行记录")
    claim = services.evaluate(claim=claim, decisions=decisions, actor=alice)
    assert claim.state == Claim.State.REFUSED and "诚实守信星" in claim.refused_reason


@pytest.mark.parametrize(
    ("members", "votes", "outcome"),
    [
        (9, (3, 2, 0), "no_quorum"),  # 5 of 9 present: below two-thirds
        (9, (3, 2, 1), "failed"),  # 6 present (quorum exactly), 3 for: not more than half
        (9, (4, 2, 0), "passed"),  # 6 present, 4 for
        (9, (4, 0, 2), "passed"),  # abstentions count as present, not as for
        (3, (1, 1, 0), "failed"),  # 2 of 3 present is two-thirds: quorum; 1 of 2 is no majority
        (3, (2, 0, 0), "passed"),
        (10, (4, 3, 0), "passed"),  # 7 of 10 present
        (10, (3, 3, 0), "no_quorum"),  # 6 of 10 < two-thirds
    ],
)
def test_the_vote_threshold(town, members, votes, outcome):
    settings = services.settings_for(town.township)
    for_, against, abstain = votes
    kwargs = dict(members=members, votes_for=for_, votes_against=against, abstentions=abstain)
    if outcome == "no_quorum":
        with pytest.raises(ServiceError) as exc:
            services.vote_outcome(settings, **kwargs)
        assert exc.value.code == "no_quorum"
    else:
        assert services.vote_outcome(settings, **kwargs) is (outcome == "passed")


def test_the_majority_and_quorum_are_configuration(town):
    settings = services.settings_for(town.township)
    StarSettings.objects.filter(pk=settings.pk).update(majority_numerator=2, majority_denominator=3)
    settings.refresh_from_db()
    assert not services.vote_outcome(
        settings, members=6, votes_for=4, votes_against=2, abstentions=0
    )
    assert services.vote_outcome(settings, members=6, votes_for=5, votes_against=1, abstentions=0)


def test_a_failed_vote_refuses_and_a_passed_vote_posts(town, claim_for, alice, cora):
    claim = claim_for(town.households[0])
    services.evaluate(
        claim=claim, decisions={r.star_id: (True, "") for r in claim.stars.all()}, actor=alice
    )
    vote = services.record_vote(
        claim=claim, members=9, votes_for=3, votes_against=4, abstentions=0, actor=cora
    )
    claim.refresh_from_db()
    assert not vote.passed and claim.state == Claim.State.REFUSED
    assert not selectors.rating_of(town.households[0]).rated


def test_the_objection_period_day_seven_and_day_eight(town, voted, cora):
    posted = datetime.date(2026, 11, 1)
    claim = voted(town.households[0], on=posted)
    assert claim.state == Claim.State.POSTED
    assert claim.objection_until == datetime.date(2026, 11, 8)  # 7 days by default
    day7, day8 = claim.objection_until, claim.objection_until + datetime.timedelta(days=1)
    assert not services.settle_claim(claim=claim, today=day7)
    objection = services.raise_objection(
        claim=claim, raised_by="村民张某", text="该户门前堆放杂物", actor=cora, today=day7
    )
    with pytest.raises(ServiceError) as exc:
        services.raise_objection(
            claim=claim, raised_by="村民李某", text="迟到的异议", actor=cora, today=day8
        )
    assert exc.value.code == "period_over"
    assert not services.settle_claim(claim=claim, today=day8)  # an objection is open
    services.resolve_objection(
        objection=objection, upheld=False, resolution="经核实已清理", actor=cora, today=day8
    )
    claim.refresh_from_db()
    assert claim.state == Claim.State.EFFECTIVE and claim.effective_on == day8
    rating = selectors.rating_of(town.households[0], on=day8)
    assert rating.count == 5
    assert selectors.rating_of(town.households[0], on=day7).count == 0


def test_an_upheld_objection_means_no_rating(town, voted, cora):
    claim = voted(town.households[0])
    objection = services.raise_objection(
        claim=claim, raised_by="村民", text="不实", actor=cora, today=claim.posted_on
    )
    services.resolve_objection(objection=objection, upheld=True, resolution="属实", actor=cora)
    claim.refresh_from_db()
    assert claim.state == Claim.State.REFUSED
    assert objection.__class__.objects.get().state == Objection.State.UPHELD
    assert services.settle_due() == 0
    assert not RatingEntry.objects.exists()


@pytest.mark.parametrize(
    ("utc", "settled"),
    [
        (datetime.datetime(2026, 11, 8, 15, 59, tzinfo=datetime.UTC), False),  # 11-08 23:59 CST
        (datetime.datetime(2026, 11, 8, 16, 0, tzinfo=datetime.UTC), True),  # 11-09 00:00 CST
    ],
)
def test_the_period_ends_at_midnight_in_asia_shanghai(town, voted, utc, settled):
    voted(town.households[0], on=datetime.date(2026, 11, 1))
    with mock.patch("django.utils.timezone.now", return_value=utc):
        assert services.settle_due() == int(settled)
    assert Claim.objects.get().state == (Claim.State.EFFECTIVE if settled else Claim.State.POSTED)


def test_settling_twice_changes_nothing(town, voted):
    voted(town.households[0])
    assert services.settle_due() == 1
    assert services.settle_due() == 0
    assert RatingEntry.objects.count() == 5


def test_withdrawing_a_star_tells_the_household_and_keeps_history(town, rated, stars, cora):
    household = town.households[0]
    rated(household)
    services.withdraw_star(
        household=household,
        star=stars["生态环保星"],
        reason="乱倒垃圾被查处",
        authority="村两委会议决定",
        actor=cora,
    )
    rating = selectors.rating_of(household)
    assert rating.count == 4 and stars["生态环保星"] not in rating.stars
    notice = StarNotice.objects.get(household=household)
    assert "生态环保星" in notice.text and "乱倒垃圾被查处" in notice.text
    assert list(RatingEntry.objects.values_list("action", flat=True)).count("withdraw") == 1
    with pytest.raises(ServiceError) as exc:
        _withdraw(household, stars["生态环保星"], cora)
    assert exc.value.code == "not_held"


def test_without_a_required_star_the_household_holds_no_rating(town, rated, stars, cora):
    household = town.households[0]
    rated(household)
    services.withdraw_star(
        household=household,
        star=stars["遵规守法星"],
        reason="违法用地被处罚",
        authority="乡党委决定",
        actor=cora,
    )
    rating = selectors.rating_of(household)
    assert rating.count == 0 and not rating.rated
    assert rating.missing_required == [stars["遵规守法星"]]
    assert (
        "no star rating" in StarNotice.objects.get().text or "不再" in StarNotice.objects.get().text
    )


def test_a_yearly_re_rating_replaces_the_stars(town, rated, alice, cora, stars):
    household = town.households[0]
    rated(household, extra=("生态环保星", "整洁健康星"))
    second = services.start_campaign(
        township=town.township,
        name="2027年评比",
        year=2027,
        villages=[town.villages[0]],
        actor=alice,
    )
    claim = services.claim_stars(
        household=household,
        campaign=second,
        stars=[(s, "") for s in required(stars)] + [(stars["文明实践星"], "")],
        actor=alice,
        confirmation=Confirmation.SIGNED,
        confirmation_note="户主签字",
    )
    services.evaluate(
        claim=claim, decisions={r.star_id: (True, "") for r in claim.stars.all()}, actor=cora
    )
    services.record_vote(
        claim=claim,
        members=5,
        votes_for=5,
        votes_against=0,
        abstentions=0,
        actor=cora,
        today=DAY + datetime.timedelta(days=10),
    )
    services.settle_claim(claim=claim, today=DAY + datetime.timedelta(days=18))
    names = {s.name for s in selectors.rating_of(household).stars}
    assert names == {"爱党爱国星", "遵规守法星", "诚实守信星", "文明实践星"}


def test_rating_entries_refuse_updates(town, rated):
    rated(town.households[0])
    entry = RatingEntry.objects.first()
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers exist on PostgreSQL")
def test_postgresql_refuses_to_change_rating_entries_and_notices(town, rated, stars, cora):
    from django.db import DatabaseError

    rated(town.households[0])
    _withdraw(town.households[0], stars["生态环保星"], cora)
    for rows in (RatingEntry.objects.all(), StarNotice.objects.all()):
        with pytest.raises(DatabaseError), transaction.atomic():
            rows.update(created_at=timezone.now())
        with pytest.raises(DatabaseError), transaction.atomic():
            rows._raw_delete(rows.db)
    assert RatingEntry.objects.count() == 6 and StarNotice.objects.count() == 1


def test_revisit_status_by_calendar_month():
    today = datetime.date(2026, 11, 23)
    since = datetime.date(2026, 3, 1)
    assert selectors.revisit_status(datetime.date(2026, 11, 2), since, today) == "done"
    assert selectors.revisit_status(datetime.date(2026, 10, 30), since, today) == "due"
    assert selectors.revisit_status(datetime.date(2026, 9, 30), since, today) == "overdue"
    assert selectors.revisit_status(None, since, today) == "overdue"
    assert selectors.revisit_status(None, datetime.date(2026, 11, 20), today) == "due"
    assert selectors.revisit_status(None, datetime.date(2026, 10, 20), today) == "due"


def test_pairings_and_visits(town, pat, alice):
    homes = town.households[:3]
    services.pair(member=pat, households=homes, actor=alice)
    with pytest.raises(ServiceError) as exc:
        services.pair(member=alice, households=homes[:1], actor=alice)
    assert exc.value.code == "already_paired"
    services.record_visit(household=homes[0], kind="revisit", notes="入户走访", actor=pat)
    statuses = {p.household_id: p.status for p in selectors.my_pairings(pat)}
    assert statuses[homes[0].pk] == "done" and statuses[homes[1].pk] == "due"


def _jpeg_with_location() -> bytes:
    image = Image.new("RGB", (640, 480), (20, 120, 40))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (26.0, 51.0, 0.0), 3: "E", 4: (104.0, 43.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_visit_photos_lose_their_location(town, pat, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("v.jpg", _jpeg_with_location(), content_type="image/jpeg")
    visit = services.record_visit(
        household=town.households[0], kind="revisit", notes="庭院整洁", actor=pat, photos=[upload]
    )
    photo = visit.photos.get()
    with photo.image.open("rb") as handle:
        assert not Image.open(handle).getexif()


def test_a_visit_cannot_be_recorded_in_advance(town, pat):
    with pytest.raises(ServiceError):
        services.record_visit(
            household=town.households[0],
            kind="revisit",
            notes="x",
            actor=pat,
            visited_on=timezone.localdate() + datetime.timedelta(days=1),
        )


def test_the_quarterly_publication_shows_the_stars(
    town, rated, stars, cora, django_assert_num_queries
):
    """Rows carry the stars held on the quarter's last day (today for the current one), the
    same count as ratings_for, computed in the publication's own two queries."""
    for household in town.households[:3]:
        rated(household)
    _withdraw(town.households[1], stars["生态环保星"], cora)
    _withdraw(town.households[2], stars["诚实守信星"], cora)
    today = timezone.localdate()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    with django_assert_num_queries(2):
        rows = {row["number"]: row["stars"] for row in publication_rows(town.villages[0], quarter)}
    homes = town.households[:6]
    assert [rows[h.number] for h in homes] == [5, 4, 0, 0, 0, 0]
    ratings = selectors.ratings_for(homes)
    assert [ratings[h.pk].count for h in homes] == [rows[h.number] for h in homes]
    before = DAY - datetime.timedelta(days=100)
    old = f"{before.year}-Q{(before.month - 1) // 3 + 1}"
    rows = {row["number"]: row for row in publication_rows(town.villages[0], old)}
    assert rows[town.households[0].number]["stars"] == 0  # not yet rated then


def test_the_daily_command_settles_and_is_safe_to_run_twice(town, voted):
    from io import StringIO

    from django.core.management import call_command

    voted(town.households[0])
    out = StringIO()
    call_command("settle_star_postings", stdout=out)
    call_command("settle_star_postings", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("1 ") and out.getvalue().splitlines()[
        1
    ].startswith("0 ")
    assert Claim.objects.get().state == Claim.State.EFFECTIVE


@pytest.mark.django_db
def test_the_quarterly_publication_counts_a_withdrawal_in_the_quarters_last_month(
    town, rated, stars, cora
):
    """Stars are counted on the quarter's last day, not on the first day of its last month: a
    star withdrawn on the 20th of the last month is gone from that quarter's publication."""
    rated(town.households[0])
    granted = RatingEntry.objects.filter(household=town.households[0]).latest("pk").effective_on
    # the 20th of the last month of a later quarter (any quarter is at most 92 days long)
    withdrawn = quarter_bounds(quarter_of(granted + datetime.timedelta(days=92)))[1].replace(day=20)
    _withdraw(town.households[0], stars["生态环保星"], cora, today=withdrawn)
    quarter = quarter_of(withdrawn)
    with mock.patch("points.quarter.timezone.localdate", return_value=withdrawn.replace(day=25)):
        rows = {row["number"]: row["stars"] for row in publication_rows(town.villages[0], quarter)}
    assert rows[town.households[0].number] == 4
