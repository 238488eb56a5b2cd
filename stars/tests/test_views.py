"""Pages: allowed, 403 (visible but not allowed) and 404 (out of sight) for every page, the
self-evaluation with its idempotency key, and the blocks on other pages."""

import datetime
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from points import quarter
from stars import selectors, services
from stars.models import Claim, Objection, RatingEntry, StarNotice, Visit

from .conftest import required

pytestmark = pytest.mark.django_db


def _claim_post(stars, names=(), **extra):
    data = {
        "key": extra.pop("key", "k-1"),
        "confirmation": "signed",
        "confirmation_note": "户主签字",
    }
    for star in required(stars) + [stars[n] for n in names]:
        data[f"star_{star.pk}"] = "on"
    data.update(extra)
    return data


def test_anonymous_users_are_sent_to_log_in(client, town):
    response = client.get(reverse("stars:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["alice", "bob", "cora", "pat", "dave", "eve"])
def test_everyone_logged_in_has_the_index(
    request, login, campaign, who, django_assert_max_num_queries
):
    client = login(request.getfixturevalue(who))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("stars:index")).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("bob", 200), ("dave", 200), ("alice", 200), ("charlie", 404), ("eve", 404)],
)
def test_household_page(request, login, town, campaign, who, status):
    client = login(request.getfixturevalue(who))
    response = client.get(reverse("stars:household", args=[town.households[0].pk]))
    assert response.status_code == status


def test_the_paired_member_sees_the_household(login, town, pat, alice):
    outside = town.households[6]  # another village, beyond pat's 联户
    assert login(pat).get(reverse("stars:household", args=[outside.pk])).status_code == 404
    services.pair(member=pat, households=[outside], actor=alice)
    assert login(pat).get(reverse("stars:household", args=[outside.pk])).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"), [("bob", 200), ("dave", 200), ("pat", 403), ("charlie", 404)]
)
def test_self_evaluation_form_access(request, login, town, campaign, who, status):
    client = login(request.getfixturevalue(who))
    response = client.get(reverse("stars:claim_form", args=[town.households[0].pk]))
    assert response.status_code == status


def test_the_chief_fills_the_self_evaluation_once(login, town, campaign, stars, bob):
    client = login(bob)
    url = reverse("stars:claim_form", args=[town.households[0].pk])
    page = client.get(url).content.decode()
    assert "爱党爱国星" in page and stars["爱党爱国星"].criteria in page
    data = _claim_post(stars, ["生态环保星"])
    response = client.post(url, data)
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "stars:claim", args=[claim.pk]
    )
    assert claim.state == Claim.State.AWAITING_GROUP and claim.confirmation == "signed"
    assert client.post(url, data).status_code == 302  # a re-sent form changes nothing
    assert Claim.objects.count() == 1


def test_the_form_refuses_a_claim_without_required_stars(login, town, campaign, stars, bob):
    data = _claim_post(stars, ["生态环保星"])
    del data[f"star_{stars['遵规守法星'].pk}"]
    response = login(bob).post(reverse("stars:claim_form", args=[town.households[0].pk]), data)
    assert response.status_code == 200
    assert "遵规守法星" in response.content.decode() and not Claim.objects.exists()


def test_the_head_claims_in_his_own_login(login, town, campaign, stars, dave):
    data = _claim_post(stars)
    del data["confirmation"]
    login(dave).post(reverse("stars:claim_form", args=[town.households[0].pk]), data)
    assert Claim.objects.get().confirmed_by == dave


@pytest.mark.parametrize(
    ("who", "status"), [("bob", 200), ("dave", 200), ("charlie", 404), ("eve", 404)]
)
def test_claim_page(request, login, town, claim_for, who, status):
    claim = claim_for(town.households[0])
    assert (
        login(request.getfixturevalue(who)).get(reverse("stars:claim", args=[claim.pk])).status_code
        == status
    )


@pytest.mark.parametrize(("who", "status"), [("dave", 302), ("bob", 403), ("charlie", 404)])
def test_confirm(request, login, town, campaign, stars, bob, who, status):
    claim = services.claim_stars(
        household=town.households[0],
        campaign=campaign,
        stars=[(s, "") for s in required(stars)],
        actor=bob,
    )
    response = login(request.getfixturevalue(who)).post(reverse("stars:confirm", args=[claim.pk]))
    assert response.status_code == status
    claim.refresh_from_db()
    assert (claim.state == Claim.State.AWAITING_GROUP) is (status == 302)


@pytest.mark.parametrize(("who", "status"), [("alice", 302), ("pat", 403), ("charlie", 404)])
def test_group_evaluation(request, login, town, claim_for, who, status):
    claim = claim_for(town.households[0])
    client = login(request.getfixturevalue(who))
    url = reverse("stars:evaluate", args=[claim.pk])
    if status == 302:
        assert client.get(url).status_code == 200
    data = {f"grant_{row.star_id}": "1" for row in claim.stars.all()}
    assert client.post(url, data).status_code == status
    claim.refresh_from_db()
    assert (claim.state == Claim.State.AWAITING_VOTE) is (status == 302)


def _evaluated(claim, alice):
    return services.evaluate(
        claim=claim, decisions={r.star_id: (True, "") for r in claim.stars.all()}, actor=alice
    )


@pytest.mark.parametrize(("who", "status"), [("cora", 302), ("bob", 403), ("charlie", 404)])
def test_vote(request, login, town, claim_for, alice, who, status):
    claim = _evaluated(claim_for(town.households[0]), alice)
    data = {"members": 9, "votes_for": 7, "votes_against": 1, "abstentions": 1}
    response = login(request.getfixturevalue(who)).post(
        reverse("stars:vote", args=[claim.pk]), data
    )
    assert response.status_code == status
    claim.refresh_from_db()
    assert (claim.state == Claim.State.POSTED) is (status == 302)


def test_a_vote_without_quorum_is_shown_as_refused(login, town, claim_for, alice, cora):
    claim = _evaluated(claim_for(town.households[0]), alice)
    data = {"members": 9, "votes_for": 3, "votes_against": 1, "abstentions": 1}
    response = login(cora).post(reverse("stars:vote", args=[claim.pk]), data, follow=True)
    claim.refresh_from_db()
    assert claim.state == Claim.State.AWAITING_VOTE and "5" in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("cora", 302), ("bob", 403), ("charlie", 404)])
def test_objection_and_resolution(request, login, town, voted, cora, who, status):
    claim = voted(town.households[0], on=datetime.date.today())
    client = login(request.getfixturevalue(who))
    data = {"raised_by": "村民", "text": "门前堆放杂物"}
    assert client.post(reverse("stars:object", args=[claim.pk]), data).status_code == status
    objection = services.raise_objection(claim=claim, raised_by="村民", text="不实", actor=cora)
    response = client.post(
        reverse("stars:resolve", args=[objection.pk]), {"upheld": "0", "resolution": "已核实"}
    )
    assert response.status_code == status
    objection.refresh_from_db()
    assert (objection.state == Objection.State.DISMISSED) is (status == 302)


@pytest.mark.parametrize(
    ("who", "status"), [("pat", 302), ("bob", 302), ("dave", 403), ("charlie", 404)]
)
def test_visit(request, login, town, pat, alice, who, status):
    household = town.households[0]
    services.pair(member=pat, households=[household], actor=alice)
    client = login(request.getfixturevalue(who))
    url = reverse("stars:visit", args=[household.pk])
    data = {"kind": "revisit", "visited_on": datetime.date.today().isoformat(), "notes": "走访"}
    assert client.post(url, data).status_code == status
    assert Visit.objects.filter(household=household).exists() is (status == 302)


@pytest.mark.parametrize(("who", "status"), [("sam", 302), ("cora", 302), ("pat", 403)])
def test_inspections_are_for_supervisors_and_committees(request, login, town, who, status):
    client = login(request.getfixturevalue(who))
    url = reverse("stars:visit", args=[town.households[0].pk])
    data = {"kind": "inspection", "visited_on": datetime.date.today().isoformat(), "notes": "督查"}
    assert client.post(url, data).status_code == status
    assert Visit.objects.filter(kind="inspection").exists() is (status == 302)


@pytest.mark.parametrize(("who", "status"), [("cora", 302), ("bob", 403), ("charlie", 404)])
def test_withdraw(request, login, town, rated, stars, who, status):
    household = town.households[0]
    rated(household)
    client = login(request.getfixturevalue(who))
    data = {"star": stars["生态环保星"].pk, "reason": "乱倒垃圾", "authority": "两委决定"}
    assert client.post(reverse("stars:withdraw", args=[household.pk]), data).status_code == status
    assert StarNotice.objects.exists() is (status == 302)


@pytest.mark.parametrize(
    ("who", "status"), [("cora", 200), ("alice", 200), ("bob", 404), ("charlie", 404), ("eve", 404)]
)
def test_village_page(request, login, town, rated, who, status, django_assert_max_num_queries):
    rated(town.households[0])
    client = login(request.getfixturevalue(who))
    with django_assert_max_num_queries(30):
        response = client.get(reverse("stars:village", args=[town.villages[0].pk]))
    assert response.status_code == status


@pytest.mark.parametrize(("who", "status"), [("cora", 302), ("lee", 403), ("bob", 404)])
def test_pairing(request, login, town, pat, who, status):
    client = login(request.getfixturevalue(who))
    numbers = " ".join(h.number for h in town.households[:2])
    response = client.post(
        reverse("stars:pair", args=[town.villages[0].pk]), {"member": pat.pk, "numbers": numbers}
    )
    assert response.status_code == status
    assert (pat.star_pairings.count() == 2) is (status == 302)


@pytest.mark.parametrize(("who", "status"), [("alice", 302), ("bob", 403), ("cora", 403)])
def test_starting_a_round(request, login, town, stars, who, status):
    client = login(request.getfixturevalue(who))
    url = reverse("stars:campaign_new")
    data = {"name": "2026年创评", "year": 2026, "villages": [town.villages[0].pk], "pilot": "on"}
    assert client.post(url, data).status_code == status


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 200), ("eve", 404)])
def test_round_page_and_adding_villages(request, login, town, alice, stars, who, status):
    campaign = services.start_campaign(
        township=town.township, name="试点", year=2026, villages=[town.villages[0]], actor=alice
    )
    client = login(request.getfixturevalue(who))
    url = reverse("stars:campaign", args=[campaign.pk])
    assert client.get(url).status_code == status
    response = client.post(url, {"villages": [town.villages[1].pk]})
    assert response.status_code == {"alice": 302, "bob": 403, "eve": 404}[who]
    assert (campaign.villages.count() == 2) is (who == "alice")


def test_progress_per_village(town, claim_for, campaign):
    claim_for(town.households[0])
    claim_for(town.households[1])
    rows = {row["village"].pk: row for row in selectors.village_progress(campaign)}
    assert rows[town.villages[0].pk]["claimed"] == 2 and rows[town.villages[0].pk]["is_pilot"]
    assert rows[town.villages[1].pk]["claimed"] == 0 and not rows[town.villages[1].pk]["is_pilot"]


def test_household_page_and_public_board_show_current_stars(
    client, login, town, rated, dave, cora, stars
):
    household = town.households[0]
    rated(household)
    page = login(dave).get(reverse("places:household", args=[household.pk])).content.decode()
    assert 'id="stars-household"' in page and "生态环保星" in page
    services.withdraw_star(
        household=household,
        star=stars["生态环保星"],
        reason="乱倒垃圾",
        authority="两委决定",
        actor=cora,
    )
    page = login(dave).get(reverse("places:household", args=[household.pk])).content.decode()
    assert "乱倒垃圾" in page  # the household is told
    client.logout()
    head = household.members.get().name
    board = client.get(reverse("public:village", args=[town.villages[0].pk])).content.decode()
    assert 'id="stars-board"' in board and household.number in board
    assert head not in board and f"{head[0]}*{head[2]}" in board
    assert "4★" in board


def test_public_board_lists_postings_in_their_period(client, town, voted):
    voted(town.households[1], on=datetime.date.today())
    board = client.get(reverse("public:village", args=[town.villages[0].pk])).content.decode()
    assert town.households[1].number in board


def test_public_board_query_count(client, town, rated, voted, django_assert_max_num_queries):
    for household in town.households[:3]:
        rated(household)
    voted(town.households[3], on=datetime.date.today())
    with django_assert_max_num_queries(12):
        assert client.get(reverse("public:village", args=[town.villages[0].pk])).status_code == 200


def test_the_home_card_shows_revisits_due(login, town, pat, alice):
    services.pair(member=pat, households=town.households[:2], actor=alice)
    page = login(pat).get(reverse("home")).content.decode()
    assert 'id="stars-home"' in page


def test_rating_history_is_entries(town, rated):
    rated(town.households[0])
    assert RatingEntry.objects.filter(action="grant").count() == 5


def test_the_quarterly_publication_page_and_pdf_show_the_stars(
    client, town, rated, alice, tmp_path
):
    rated(town.households[0])
    today = timezone.localdate()
    publication = quarter.publish(
        village=town.villages[0], quarter=f"{today.year}-Q{(today.month - 1) // 3 + 1}", actor=alice
    )
    assert {row["number"]: row["stars"] for row in publication.rows}[town.households[0].number] == 5
    html = client.get(reverse("public:publication", args=[publication.pk])).content.decode()
    assert "5★" in html
    response = client.get(reverse("public:publication_pdf", args=[publication.pk]))
    assert response.status_code == 200
    if shutil.which("pdftotext"):
        path = tmp_path / "p.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
        ).stdout.decode()
        assert "5★" in text and town.households[0].number in text


def test_the_unit_pages_show_progress_per_village(login, town, claim_for, cora, alice):
    claim_for(town.households[0])
    page = login(cora).get(reverse("places:unit", args=[town.villages[0].pk])).content.decode()
    assert 'id="stars-unit"' in page and "progress" in page
    page = login(alice).get(reverse("places:unit", args=[town.township.pk])).content.decode()
    assert 'id="stars-unit"' in page and "2026年创评" in page
