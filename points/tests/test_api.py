"""The points API: every endpoint allowed, denied (403) and out of scope (404), idempotent
writes, and list endpoints whose query count does not grow with their rows."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import _persona
from core.models import AuditEntry
from points import services
from points.models import Appeal, AppraisalBatch, Entry, PointsList, Proposal

OCT = datetime.date(2026, 10, 1)
LISTS = "/api/v1/points/lists/"
PROPOSALS = "/api/v1/points/proposals/"
JOINT = "/api/v1/points/joint-appraisals/"
ENTRIES = "/api/v1/points/entries/"
APPEALS = "/api/v1/points/appeals/"


@pytest.fixture
def jo(town):
    """联户长 of 联户 0: sees and proposes for its households, may neither change nor review."""
    return _persona("jo", "joint_head", unit=town.joints[0])


@pytest.fixture
def pat(town):
    """Party member of village 0: sees it, grids and 联户 included, and may do nothing."""
    return _persona("pat", "party_member", unit=town.villages[0])


@pytest.fixture
def carl(town):
    """Grid chief of grid 3 (charlie's): reviews there."""
    return _persona("carl", "grid_chief", unit=town.grids[3])


def item_of(items, household, code="A2"):
    return items[household.group.village_id][code]


def propose(items, household, actor, code="A2", period=OCT):
    return services.propose(
        household=household, item=item_of(items, household, code), period=period, actor=actor
    )


def approved(items, household, proposer, reviewer, code="A2"):
    proposal = propose(items, household, proposer, code)
    services.review(proposal=proposal, approve=True, actor=reviewer)
    return Entry.objects.get(proposal=proposal)


def ids(response):
    assert response.status_code == 200, response.data
    return {row["id"] for row in response.data["results"]}


def assert_error(response, status, code):
    assert response.status_code == status, response.data
    assert response.data["code"] == code
    assert response.data["detail"]


def proposal_body(items, household, code="A2", **extra):
    return {
        "household": household.pk,
        "item": item_of(items, household, code).pk,
        "period": "2026-10",
        **extra,
    }


def photo(name="door.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


# --- Points lists ------------------------------------------------------------------------------


def test_lists_show_each_persona_the_villages_in_sight(
    api, town, items, alice, bob, charlie, dave, eve
):
    v0, v1 = (PointsList.objects.get(village=v).pk for v in town.villages)
    assert ids(api(alice).get(LISTS)) == {v0, v1}
    assert ids(api(bob).get(LISTS)) == {v0}  # through his grid of village 0
    assert ids(api(dave).get(LISTS)) == {v0}  # his own household's village
    assert ids(api(charlie).get(LISTS)) == {v1}
    assert ids(api(eve).get(LISTS)) == set()
    assert ids(api(alice).get(LISTS, {"village": town.villages[1].pk})) == {v1}
    row = api(bob).get(LISTS).data["results"][0]
    assert row["village"]["id"] == town.villages[0].pk and not row["is_template"]
    assert [item["code"] for item in row["items"]] == ["A1", "A2", "B1", "C1"]


def test_lists_need_a_login(api, town):
    # Session authentication comes first, so DRF answers 403 rather than 401.
    assert_error(api().get(LISTS), 403, "not_authenticated")


def test_list_query_count_does_not_grow_with_rows(
    api, town, items, alice, django_assert_max_num_queries
):
    for n in range(4):
        services.publish_list(
            township=town.township,
            village=town.villages[n % 2],
            title=f"v{n + 2}",
            effective_from=datetime.date(2026, 2 + n, 1),
            items=[{"code": "A1", "category": "other", "name": "x", "value": 1}],
            actor=alice,
        )
    with django_assert_max_num_queries(4):  # scope, count, lists, items
        response = api(alice).get(LISTS)
    assert response.data["count"] == 6


def new_list(village=None, **extra):
    body = {
        "title": "2026年修订",
        "effective_from": "2026-11-01",
        "basis": "村民代表会议 2026-10-20",
        "items": [
            {"code": "A1", "category": "sanitation", "name": "门前三包", "value": 4},
            {"code": "B1", "category": "law", "name": "乱倒垃圾", "value": -6, "monthly_cap": 12},
        ],
        **extra,
    }
    if village is not None:
        body["village"] = village.pk
    return body


def test_publishing_a_village_list_needs_manage_on_the_village(
    api, town, items, alice, bob, charlie, dave, eve
):
    village = town.villages[0]
    assert_error(api(bob).post(LISTS, new_list(village), format="json"), 403, "permission_denied")
    assert_error(api(dave).post(LISTS, new_list(village), format="json"), 403, "permission_denied")
    assert_error(api(charlie).post(LISTS, new_list(village), format="json"), 404, "not_found")
    assert_error(api(eve).post(LISTS, new_list(village), format="json"), 404, "not_found")
    response = api(alice).post(LISTS, new_list(village), format="json")
    assert response.status_code == 201, response.data
    assert response.data["version"] == 2 and response.data["village"]["id"] == village.pk
    assert response.data["items"][1]["monthly_cap"] == 12
    points_list = PointsList.objects.get(pk=response.data["id"])
    assert AuditEntry.objects.filter(object_id=points_list.pk, action="create").exists()
    zero = new_list(village, items=[{"code": "Z", "category": "other", "name": "z", "value": 0}])
    assert_error(api(alice).post(LISTS, zero, format="json"), 400, "zero_value")
    assert_error(api(alice).post(LISTS, new_list(), format="json"), 400, "invalid")


def test_a_template_is_published_by_the_township_and_adopted_by_villages(
    api, town, items, alice, bob, eve
):
    template_body = new_list(township=town.township.pk)
    assert_error(api(bob).post(LISTS, template_body, format="json"), 403, "permission_denied")
    assert_error(api(eve).post(LISTS, template_body, format="json"), 404, "not_found")
    response = api(alice).post(LISTS, template_body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["is_template"] and response.data["village"] is None
    template = response.data["id"]
    assert template in ids(api(bob).get(LISTS, {"template": "true"}))
    assert ids(api(eve).get(LISTS)) == set()

    adopt = f"{LISTS}{template}/adopt/"
    body = {"village": town.villages[1].pk, "effective_from": "2026-12-01"}
    assert_error(api(bob).post(adopt, body, format="json"), 404, "not_found")  # not his village
    mine = {**body, "village": town.villages[0].pk}
    assert_error(api(bob).post(adopt, mine, format="json"), 403, "permission_denied")
    assert_error(api(eve).post(adopt, body, format="json"), 404, "not_found")
    response = api(alice).post(adopt, body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["adopted_from"] == template
    assert response.data["village"]["id"] == town.villages[1].pk
    assert [i["code"] for i in response.data["items"]] == ["A1", "B1"]
    village_list = PointsList.objects.get(village=town.villages[0], version=1).pk
    not_a_template = f"{LISTS}{village_list}/adopt/"
    assert_error(api(alice).post(not_a_template, body, format="json"), 400, "not_a_template")


def test_a_template_stays_in_its_township(api, town, other_town, items, alice, django_user_model):
    root = django_user_model.objects.create_superuser(username="root", password="x", name="root")
    template = api(alice).post(LISTS, new_list(township=town.township.pk), format="json")
    body = {"village": other_town.villages[0].pk, "effective_from": "2026-12-01"}
    response = api(root).post(f"{LISTS}{template.data['id']}/adopt/", body, format="json")
    assert_error(response, 400, "other_township")
    mixed = new_list(other_town.villages[0], township=town.township.pk)
    assert_error(api(root).post(LISTS, mixed, format="json"), 400, "invalid")
    assert not PointsList.objects.filter(village=other_town.villages[0]).exists()


# --- Proposals ---------------------------------------------------------------------------------


def test_proposing_needs_propose_on_the_household(api, town, items, alice, mei, charlie, dave, eve):
    household = town.households[0]
    body = proposal_body(items, household, note="打扫公共区域")
    assert_error(api(dave).post(PROPOSALS, body, format="json"), 403, "permission_denied")
    assert_error(api(charlie).post(PROPOSALS, body, format="json"), 404, "not_found")
    assert_error(api(eve).post(PROPOSALS, body, format="json"), 404, "not_found")
    response = api(mei).post(PROPOSALS, body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["state"] == "pending" and response.data["amount"] == 3
    assert response.data["period"] == "2026-10" and response.data["proposed_by"]["id"] == mei.pk
    by_date = proposal_body(items, household, period="2026-10-17")
    assert api(alice).post(PROPOSALS, by_date, format="json").data["period"] == "2026-10"
    assert Proposal.objects.filter(household=household).count() == 2
    other_village = {**body, "item": items[town.villages[1].pk]["A2"].pk}
    assert_error(api(mei).post(PROPOSALS, other_village, format="json"), 400, "item_not_in_force")
    assert_error(
        api(mei).post(PROPOSALS, {**body, "period": "October"}, format="json"), 400, "invalid"
    )


def test_a_resent_proposal_with_the_same_key_creates_one_proposal(api, town, items, mei):
    body = proposal_body(items, town.households[0], note="志愿服务")
    client = api(mei)
    first = client.post(PROPOSALS, body, format="json", HTTP_IDEMPOTENCY_KEY="phone-1")
    again = client.post(PROPOSALS, body, format="json", HTTP_IDEMPOTENCY_KEY="phone-1")
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first and again["Idempotent-Replayed"] == "true"
    assert again.data["id"] == first.data["id"]
    assert Proposal.objects.count() == 1
    other = {**body, "note": "另一件事"}
    reused = client.post(PROPOSALS, other, format="json", HTTP_IDEMPOTENCY_KEY="phone-1")
    assert_error(reused, 422, "idempotency_key_reused")
    assert Proposal.objects.count() == 1
    fresh_key = client.post(PROPOSALS, other, format="json", HTTP_IDEMPOTENCY_KEY="phone-2")
    assert fresh_key.status_code == 201 and Proposal.objects.count() == 2


def test_a_photo_goes_with_a_proposal_once(api, town, items, mei, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    household = town.households[0]
    body = proposal_body(items, household, code="C1")
    assert_error(api(mei).post(PROPOSALS, body, format="json"), 400, "evidence_required")
    client = api(mei)
    responses = [
        client.post(
            PROPOSALS, {**body, "photos": [photo()]}, format="multipart", HTTP_IDEMPOTENCY_KEY="p"
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in responses] == [201, 201], responses[0].data
    assert responses[1]["Idempotent-Replayed"] == "true"
    evidence = responses[0].data["evidence"]
    assert len(evidence) == 1 and evidence[0]["content_type"] == "image/jpeg"
    assert Proposal.objects.get().evidence.count() == 1
    other_photo = {**body, "photos": [photo("other.jpg"), photo("third.jpg")]}
    reused = client.post(PROPOSALS, other_photo, format="multipart", HTTP_IDEMPOTENCY_KEY="p")
    assert_error(reused, 422, "idempotency_key_reused")


def test_proposal_list_is_scoped_and_filtered(
    api, town, items, mei, alice, bob, charlie, dave, eve, carl
):
    h0, h1, h9 = town.households[0], town.households[1], town.households[9]
    p0 = propose(items, h0, mei)
    p1 = propose(items, h1, mei, code="B1")
    p9 = propose(items, h9, charlie)
    services.review(proposal=p1, approve=False, actor=bob, reason="核实无此事")
    assert ids(api(alice).get(PROPOSALS)) == {p0.pk, p1.pk, p9.pk}
    assert ids(api(bob).get(PROPOSALS)) == {p0.pk, p1.pk}
    assert ids(api(charlie).get(PROPOSALS)) == {p9.pk}
    assert ids(api(dave).get(PROPOSALS)) == {p0.pk}  # his household's, whatever the ids
    assert ids(api(eve).get(PROPOSALS)) == set()
    assert ids(api(alice).get(PROPOSALS, {"state": "rejected"})) == {p1.pk}
    assert ids(api(alice).get(PROPOSALS, {"village": town.villages[1].pk})) == {p9.pk}
    assert ids(api(alice).get(PROPOSALS, {"household": h0.pk})) == {p0.pk}
    assert ids(api(alice).get(PROPOSALS, {"period": "2026-10"})) == {p0.pk, p1.pk, p9.pk}
    assert ids(api(alice).get(PROPOSALS, {"period": "2026-11-05"})) == set()
    assert_error(api(alice).get(PROPOSALS, {"period": "soon"}), 400, "invalid")


def test_a_villager_never_sees_a_proposal_whose_id_is_his_household_id(api, town, items, mei, dave):
    neighbour = propose(items, town.households[1], mei)
    Proposal.objects.filter(pk=neighbour.pk).update(id=town.households[0].pk)
    assert ids(api(dave).get(PROPOSALS)) == set()
    assert_error(api(dave).get(f"{PROPOSALS}{town.households[0].pk}/"), 404, "not_found")


def test_proposal_list_query_count_does_not_grow_with_rows(
    api, town, items, mei, alice, bob, django_assert_max_num_queries, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    for household in town.households[:3]:
        approved(items, household, mei, bob)
        services.propose(
            household=household,
            item=item_of(items, household, "C1"),
            period=OCT,
            actor=mei,
            photos=[photo()],
        )
    with django_assert_max_num_queries(4):  # scope, count, proposals, evidence
        response = api(alice).get(PROPOSALS)
    assert response.data["count"] == 6


def test_proposal_detail_is_scoped(api, town, items, mei, bob, charlie, dave, eve):
    mine, neighbour = (
        propose(items, town.households[0], mei),
        propose(items, town.households[1], mei),
    )
    url = f"{PROPOSALS}{mine.pk}/"
    assert api(bob).get(url).data["household"]["id"] == town.households[0].pk
    assert api(dave).get(url).status_code == 200
    assert_error(api(dave).get(f"{PROPOSALS}{neighbour.pk}/"), 404, "not_found")
    assert_error(api(charlie).get(url), 404, "not_found")
    assert_error(api(eve).get(url), 404, "not_found")


# --- Review ------------------------------------------------------------------------------------


def test_review_needs_the_review_cap(api, town, items, mei, alice, bob, charlie, dave, eve):
    proposal = propose(items, town.households[0], mei)
    url = f"{PROPOSALS}{proposal.pk}/review/"
    body = {"approve": True}
    # alice manages the township, but reviewing is for grid chiefs and village committees.
    for persona in (alice, mei, dave):
        assert_error(api(persona).post(url, body, format="json"), 403, "permission_denied")
    for persona in (charlie, eve):
        assert_error(api(persona).post(url, body, format="json"), 404, "not_found")
    response = api(bob).post(url, body, format="json")
    assert response.status_code == 200, response.data
    assert response.data["state"] == "approved" and response.data["reviewed_by"]["id"] == bob.pk
    entry = Entry.objects.get(proposal=proposal)
    assert response.data["entry"] == entry.pk and entry.approved_by == bob


def test_a_retried_review_changes_nothing(api, town, items, mei, bob):
    proposal = propose(items, town.households[0], mei)
    url = f"{PROPOSALS}{proposal.pk}/review/"
    client = api(bob)
    first = client.post(url, {"approve": True}, format="json")
    retry = client.post(url, {"approve": True}, format="json")
    assert first.status_code == retry.status_code == 200
    assert retry.data["state"] == "approved" and retry.data["entry"] == first.data["entry"]
    assert Entry.objects.count() == 1
    changed_mind = client.post(url, {"approve": False, "reason": "再想想"}, format="json")
    assert_error(changed_mind, 400, "already_reviewed")
    assert Proposal.objects.get().state == "approved"


def test_a_retried_review_with_a_key_is_replayed(api, town, items, mei, bob):
    proposal = propose(items, town.households[0], mei)
    url = f"{PROPOSALS}{proposal.pk}/review/"
    body = {"approve": False, "reason": "照片不清"}
    client = api(bob)
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    retry = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true" and retry.data == first.data
    assert_error(
        client.post(url, {"approve": True}, format="json", HTTP_IDEMPOTENCY_KEY="r-1"),
        422,
        "idempotency_key_reused",
    )
    assert not Entry.objects.exists()


def test_review_refuses_self_review_and_a_rejection_without_reason(api, town, items, mei, bob):
    own = propose(items, town.households[0], bob)
    response = api(bob).post(f"{PROPOSALS}{own.pk}/review/", {"approve": True}, format="json")
    assert_error(response, 400, "self_review")
    other = propose(items, town.households[1], mei)
    response = api(bob).post(f"{PROPOSALS}{other.pk}/review/", {"approve": False}, format="json")
    assert_error(response, 400, "reason_required")
    assert not Entry.objects.exists()


# --- 联户 appraisals ----------------------------------------------------------------------------


def joint_body(items, town, households, joint=None):
    return {
        "joint": (joint or town.joints[0]).pk,
        "period": "2026-10",
        "note": "十月联户评",
        "rows": [
            {"household": h.pk, "item": item_of(items, h, code).pk, "note": f"第{n}户"}
            for n, (h, code) in enumerate(zip(households, ["A2", "A1", "B1"], strict=False))
        ],
    }


def test_a_joint_appraisal_proposes_a_row_per_household(
    api, town, items, mei, alice, charlie, dave, eve, pat
):
    body = joint_body(items, town, town.households[:3])
    for persona in (charlie, dave, eve):
        assert_error(api(persona).post(JOINT, body, format="json"), 404, "not_found")
    assert_error(api(pat).post(JOINT, body, format="json"), 403, "permission_denied")
    response = api(mei).post(JOINT, body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["joint"]["id"] == town.joints[0].pk
    rows = response.data["proposals"]
    assert [row["household"]["id"] for row in rows] == [h.pk for h in town.households[:3]]
    assert [row["amount"] for row in rows] == [3, 5, -5]
    assert {row["batch"] for row in rows} == {response.data["id"]}
    stranger = joint_body(items, town, [town.households[0], town.households[3]])
    assert_error(api(alice).post(JOINT, stranger, format="json"), 400, "not_in_joint")
    assert Proposal.objects.count() == 3
    assert_error(api(mei).post(JOINT, stranger, format="json"), 404, "not_found")  # out of sight


def test_a_resent_joint_appraisal_is_made_once(api, town, items, mei):
    body = joint_body(items, town, town.households[:3])
    client = api(mei)
    first = client.post(JOINT, body, format="json", HTTP_IDEMPOTENCY_KEY="joint-oct")
    again = client.post(JOINT, body, format="json", HTTP_IDEMPOTENCY_KEY="joint-oct")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.data["id"] == first.data["id"]
    assert AppraisalBatch.objects.count() == 1 and Proposal.objects.count() == 3
    body["rows"] = body["rows"][:2]
    reused = client.post(JOINT, body, format="json", HTTP_IDEMPOTENCY_KEY="joint-oct")
    assert_error(reused, 422, "idempotency_key_reused")


# --- Entries and balances ----------------------------------------------------------------------


@pytest.fixture
def ledger(town, items, mei, bob, charlie, carl):
    """Approved entries: household 0 +3, household 1 +5 and +3, household 9 -5."""
    h0, h1, h9 = town.households[0], town.households[1], town.households[9]
    return {
        "h0": approved(items, h0, mei, bob),
        "h1a": approved(items, h1, mei, bob, code="A1"),
        "h1b": approved(items, h1, mei, bob),
        "h9": approved(items, h9, charlie, carl, code="B1"),
    }


def test_entries_are_scoped_and_filtered(api, town, ledger, alice, bob, charlie, dave, eve):
    every = {e.pk for e in ledger.values()}
    assert ids(api(alice).get(ENTRIES)) == every
    assert ids(api(bob).get(ENTRIES)) == every - {ledger["h9"].pk}
    assert ids(api(charlie).get(ENTRIES)) == {ledger["h9"].pk}
    assert ids(api(dave).get(ENTRIES)) == {ledger["h0"].pk}
    assert ids(api(eve).get(ENTRIES)) == set()
    h1 = town.households[1].pk
    assert ids(api(alice).get(ENTRIES, {"household": h1})) == {ledger["h1a"].pk, ledger["h1b"].pk}
    assert ids(api(alice).get(ENTRIES, {"village": town.villages[1].pk})) == {ledger["h9"].pk}
    assert ids(api(alice).get(ENTRIES, {"period": "2026-09"})) == set()
    row = api(dave).get(ENTRIES).data["results"][0]
    assert row["amount"] == 3 and row["item"]["code"] == "A2" and row["period"] == "2026-10"
    assert row["approved_by"]["id"] == bob.pk and row["hash"] == ledger["h0"].hash


def test_entry_list_query_count_does_not_grow_with_rows(
    api, town, ledger, alice, django_assert_max_num_queries
):
    services.reverse_entry(entry=ledger["h0"], actor=alice, reason="录入错误")
    with django_assert_max_num_queries(3):  # scope, count, entries
        response = api(alice).get(ENTRIES)
    assert response.data["count"] == 5
    by_id = {row["id"]: row for row in response.data["results"]}
    reversal = by_id[ledger["h0"].reversed_by.pk]
    assert reversal["reverses"] == ledger["h0"].pk and reversal["amount"] == -3


def test_a_balance_and_its_ranks(api, town, ledger, bob, charlie, dave, eve):
    h0, h1 = town.households[0], town.households[1]
    url = f"/api/v1/points/balances/{h0.pk}/"
    response = api(dave).get(url, {"month": "2026-10"})
    assert response.status_code == 200, response.data
    assert response.data == {
        "household": h0.pk,
        "month": "2026-10",
        "quarter": "2026-Q4",
        "balance": 3,
        "rank_month": 2,
        "rank_quarter": 2,
        "ranked_households": 2,
        "ranked_households_quarter": 2,
    }
    other = api(bob).get(f"/api/v1/points/balances/{h1.pk}/", {"month": "2026-11"})
    assert other.data["balance"] == 8 and other.data["rank_month"] is None
    assert other.data["rank_quarter"] == 1 and other.data["ranked_households"] == 0
    assert_error(api(dave).get(f"/api/v1/points/balances/{h1.pk}/"), 404, "not_found")
    for persona in (charlie, eve):
        assert_error(api(persona).get(url), 404, "not_found")
    assert_error(api(dave).get(url, {"month": "later"}), 400, "invalid")


# --- Appeals -----------------------------------------------------------------------------------


def test_filing_an_appeal(api, town, ledger, bob, charlie, dave, eve, jo):
    body = {"entry": ledger["h0"].pk, "reason": "那天我家不在"}
    assert_error(api(jo).post(APPEALS, body, format="json"), 403, "permission_denied")
    for persona in (charlie, eve):
        assert_error(api(persona).post(APPEALS, body, format="json"), 404, "not_found")
    neighbour = {"entry": ledger["h1a"].pk, "reason": "不服"}
    assert_error(api(dave).post(APPEALS, neighbour, format="json"), 404, "not_found")
    response = api(dave).post(APPEALS, body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["state"] == "pending" and response.data["filed_by"]["id"] == dave.pk
    assert response.data["entry"]["id"] == ledger["h0"].pk
    assert_error(api(dave).post(APPEALS, body, format="json"), 400, "appeal_open")
    by_official = api(bob).post(APPEALS, neighbour, format="json")
    assert by_official.status_code == 201, by_official.data
    assert Appeal.objects.count() == 2


def test_appeal_list_is_scoped(
    api, town, ledger, alice, bob, charlie, dave, eve, django_assert_max_num_queries
):
    mine = services.file_appeal(entry=ledger["h0"], actor=dave, reason="不服")
    theirs = [
        services.file_appeal(entry=ledger[key], actor=alice, reason="核实")
        for key in ("h1a", "h1b", "h9")
    ]
    assert ids(api(dave).get(APPEALS)) == {mine.pk}
    assert ids(api(bob).get(APPEALS)) == {mine.pk, theirs[0].pk, theirs[1].pk}
    assert ids(api(charlie).get(APPEALS)) == {theirs[2].pk}
    assert ids(api(eve).get(APPEALS)) == set()
    assert ids(api(alice).get(APPEALS, {"household": town.households[9].pk})) == {theirs[2].pk}
    client = api(alice)
    client.get(APPEALS)  # the scope is cached on the user from here on
    with django_assert_max_num_queries(2):  # count, appeals
        response = client.get(APPEALS)
    assert response.data["count"] == 4


def test_deciding_an_appeal(api, town, ledger, alice, bob, mei, charlie, dave, eve):
    appeal = services.file_appeal(entry=ledger["h0"], actor=dave, reason="不服")
    url = f"{APPEALS}{appeal.pk}/decide/"
    body = {"uphold": True, "decision": "核实有误，予以更正"}
    for persona in (mei, dave):
        assert_error(api(persona).post(url, body, format="json"), 403, "permission_denied")
    for persona in (charlie, eve):
        assert_error(api(persona).post(url, body, format="json"), 404, "not_found")
    client = api(bob)  # REVIEW on the household
    first = client.post(url, body, format="json")
    retry = client.post(url, body, format="json")
    assert first.status_code == retry.status_code == 200, first.data
    assert retry.data["state"] == "upheld" and retry.data["reversal"] == first.data["reversal"]
    assert Entry.objects.filter(reverses=ledger["h0"]).count() == 1
    dismiss = {"uphold": False, "decision": "维持"}
    assert_error(client.post(url, dismiss, format="json"), 400, "already_decided")

    other = services.file_appeal(entry=ledger["h1a"], actor=bob, reason="复核")
    response = api(alice).post(f"{APPEALS}{other.pk}/decide/", dismiss, format="json")
    assert response.status_code == 200, response.data  # MANAGE on the household
    assert response.data["state"] == "dismissed" and response.data["reversal"] is None
