"""API: every endpoint allowed, 403 and 404 with the personas; idempotent creation."""

import datetime

import pytest
from django.urls import reverse

from stars import services
from stars.models import Claim, Objection, StarNotice, Visit

from .conftest import required

pytestmark = pytest.mark.django_db


def _claim_body(town, stars, names=("生态环保星",)):
    chosen = required(stars) + [stars[n] for n in names if n in stars]
    return {
        "household": town.households[0].pk,
        "stars": [{"star": s.pk, "note": ""} for s in chosen],
        "confirmation": "signed",
        "confirmation_note": "户主签字",
    }


def test_star_set(api, alice, eve, stars):
    rows = api(alice).get(reverse("api:stars-stars")).json()["results"]
    assert len(rows) == 10 and sum(r["required"] for r in rows) == 3
    other = api(eve).get(reverse("api:stars-stars")).json()["results"]
    assert {r["id"] for r in rows}.isdisjoint({r["id"] for r in other})


@pytest.mark.parametrize(
    ("who", "status"), [("bob", 201), ("dave", 201), ("pat", 403), ("charlie", 404)]
)
def test_claim_create(request, api, town, campaign, stars, who, status):
    response = api(request.getfixturevalue(who)).post(
        reverse("api:stars-claims"), _claim_body(town, stars), format="json"
    )
    assert response.status_code == status, response.content
    assert Claim.objects.exists() is (status == 201)


def test_claim_create_is_idempotent_and_refuses_missing_required(api, town, campaign, stars, bob):
    client = api(bob)
    body = _claim_body(town, stars)
    first = client.post(reverse("api:stars-claims"), body, format="json", HTTP_IDEMPOTENCY_KEY="a1")
    again = client.post(reverse("api:stars-claims"), body, format="json", HTTP_IDEMPOTENCY_KEY="a1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and Claim.objects.count() == 1
    body["household"] = town.households[1].pk
    body["stars"] = body["stars"][1:]
    refused = client.post(reverse("api:stars-claims"), body, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "missing_required_star"


@pytest.mark.parametrize(("who", "status"), [("bob", 200), ("dave", 200), ("charlie", 404)])
def test_claim_list_and_detail(request, api, town, claim_for, who, status):
    claim = claim_for(town.households[0])
    client = api(request.getfixturevalue(who))
    assert client.get(reverse("api:stars-claim-detail", args=[claim.pk])).status_code == status
    ids = [r["id"] for r in client.get(reverse("api:stars-claims")).json()["results"]]
    assert (claim.pk in ids) is (status == 200)


@pytest.mark.parametrize(("who", "status"), [("dave", 200), ("bob", 403), ("charlie", 404)])
def test_confirm(request, api, town, campaign, stars, bob, who, status):
    claim = services.claim_stars(
        household=town.households[0],
        campaign=campaign,
        stars=[(s, "") for s in required(stars)],
        actor=bob,
    )
    response = api(request.getfixturevalue(who)).post(
        reverse("api:stars-claim-confirm", args=[claim.pk])
    )
    assert response.status_code == status


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("pat", 403), ("charlie", 404)])
def test_evaluation(request, api, town, claim_for, stars, who, status):
    claim = claim_for(town.households[0])
    decisions = [{"star": r.star_id, "granted": True} for r in claim.stars.all()]
    decisions[-1] = {"star": decisions[-1]["star"], "granted": False, "reason": "未达标"}
    response = api(request.getfixturevalue(who)).post(
        reverse("api:stars-claim-evaluation", args=[claim.pk]),
        {"decisions": decisions},
        format="json",
    )
    assert response.status_code == status
    if status == 200:
        assert response.json()["state"] == "awaiting_vote"
        assert [s["granted"] for s in response.json()["stars"]].count(False) == 1


def _evaluated(claim, alice):
    return services.evaluate(
        claim=claim, decisions={r.star_id: (True, "") for r in claim.stars.all()}, actor=alice
    )


@pytest.mark.parametrize(("who", "status"), [("cora", 201), ("bob", 403), ("charlie", 404)])
def test_vote(request, api, town, claim_for, alice, who, status):
    claim = _evaluated(claim_for(town.households[0]), alice)
    body = {"members": 9, "votes_for": 7, "votes_against": 1, "abstentions": 1}
    response = api(request.getfixturevalue(who)).post(
        reverse("api:stars-claim-vote", args=[claim.pk]),
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY="v1",
    )
    assert response.status_code == status
    if status == 201:
        data = response.json()
        assert data["state"] == "posted" and data["vote"]["passed"]
        until = datetime.date.fromisoformat(data["objection_until"])
        assert until - datetime.date.fromisoformat(data["posted_on"]) == datetime.timedelta(days=7)


def test_vote_without_quorum_is_refused(api, town, claim_for, alice, cora):
    claim = _evaluated(claim_for(town.households[0]), alice)
    body = {"members": 9, "votes_for": 5, "votes_against": 0, "abstentions": 0}
    response = api(cora).post(reverse("api:stars-claim-vote", args=[claim.pk]), body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "no_quorum"


@pytest.mark.parametrize(("who", "status"), [("cora", 201), ("bob", 403), ("charlie", 404)])
def test_objections(request, api, town, voted, cora, who, status):
    claim = voted(town.households[0], on=datetime.date.today())
    client = api(request.getfixturevalue(who))
    response = client.post(
        reverse("api:stars-claim-objections", args=[claim.pk]),
        {"raised_by": "村民", "text": "不实"},
        format="json",
    )
    assert response.status_code == status
    objection = services.raise_objection(claim=claim, raised_by="村民", text="不实", actor=cora)
    response = client.post(
        reverse("api:stars-objection-resolve", args=[objection.pk]),
        {"upheld": True, "resolution": "属实"},
        format="json",
    )
    assert response.status_code == (200 if status == 201 else status)
    objection.refresh_from_db()
    assert (objection.state == Objection.State.UPHELD) is (status == 201)


@pytest.mark.parametrize(("who", "status"), [("cora", 201), ("bob", 403), ("charlie", 404)])
def test_withdrawals(request, api, town, rated, stars, who, status):
    household = town.households[0]
    rated(household)
    body = {
        "household": household.pk,
        "star": stars["生态环保星"].pk,
        "reason": "乱倒垃圾",
        "authority": "两委决定",
    }
    response = api(request.getfixturevalue(who)).post(
        reverse("api:stars-withdrawals"), body, format="json"
    )
    assert response.status_code == status
    if status == 201:
        assert response.json()["count"] == 4
    assert StarNotice.objects.exists() is (status == 201)


@pytest.mark.parametrize(
    ("who", "status"), [("dave", 200), ("bob", 200), ("charlie", 404), ("eve", 404)]
)
def test_rating(request, api, town, rated, who, status):
    rated(town.households[0])
    response = api(request.getfixturevalue(who)).get(
        reverse("api:stars-rating", args=[town.households[0].pk])
    )
    assert response.status_code == status
    if status == 200:
        assert response.json()["count"] == 5


@pytest.mark.parametrize(
    ("who", "status"), [("pat", 201), ("bob", 201), ("dave", 403), ("charlie", 404)]
)
def test_visits(request, api, town, pat, alice, who, status):
    household = town.households[0]
    services.pair(member=pat, households=[household], actor=alice)
    client = api(request.getfixturevalue(who))
    body = {"household": household.pk, "kind": "revisit", "notes": "入户走访"}
    response = client.post(
        reverse("api:stars-visits"), body, format="multipart", HTTP_IDEMPOTENCY_KEY="x"
    )
    assert response.status_code == status
    again = client.post(
        reverse("api:stars-visits"), body, format="multipart", HTTP_IDEMPOTENCY_KEY="x"
    )
    assert again.status_code == status
    assert Visit.objects.count() == (1 if status == 201 else 0)
    listed = client.get(reverse("api:stars-visits")).json()["results"]
    assert len(listed) == (1 if status == 201 else 0)


def test_anonymous_is_refused(api, town):
    assert api().get(reverse("api:stars-claims")).status_code in (401, 403)
