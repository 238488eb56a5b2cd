"""The points pages over HTTP: allowed, refused (403), out of scope (404), anonymous (login).

Personas (conftest): alice runs 达依乡, bob is chief of grid 0 (a reviewer by default), charlie a
member of grid 3, dave a villager in grid 0's first household, eve runs another township. Here
also: lin, 联户长 of 联户 0 (proposes, sees, changes nothing); mei, member of grid 0 (proposes,
does not review); sam, party member (1+10) of grid 0 (only sees); vic, village committee of
village 0.
"""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from conftest import _persona
from core.models import IdempotencyKey
from places.models import TownshipConfig
from points import selectors, services
from points.models import Appeal, AppraisalBatch, Entry, Evidence, Proposal


@pytest.fixture
def lin(town):
    return _persona("lin", "joint_head", unit=town.joints[0])


@pytest.fixture
def sam(town):
    return _persona("sam", "party_member", unit=town.grids[0])


@pytest.fixture
def vic(town):
    return _persona("vic", "village_committee", unit=town.villages[0])


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def this_month():
    return timezone.localdate().replace(day=1)


def item(items, household, code):
    return items[household.group.village_id][code]


def propose(items, household, code, actor, **kwargs):
    return services.propose(
        household=household,
        item=item(items, household, code),
        period=this_month(),
        actor=actor,
        **kwargs,
    )


def award(items, household, code, proposer, reviewer) -> Entry:
    proposal = propose(items, household, code, proposer)
    services.review(proposal=proposal, approve=True, actor=reviewer)
    return proposal.entry


def household_url(household):
    return reverse("points:household", args=[household.pk])


def appraisal_url(joint):
    return reverse("points:appraisal", args=[joint.pk])


def village_url(village):
    return reverse("points:village", args=[village.pk])


def png(name="photo.png"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


# --- Anonymous ----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, town, items):
    household, joint, village = town.households[0], town.joints[0], town.villages[0]
    gets = [
        reverse("points:index"),
        reverse("points:home_card"),
        household_url(household),
        appraisal_url(joint),
        reverse("points:batch", args=[1]),
        reverse("points:review"),
        village_url(village),
        reverse("points:awards", args=[village.pk]),
    ]
    posts = [
        appraisal_url(joint),
        reverse("points:appeal", args=[1]),
        reverse("points:review_proposal", args=[1]),
        reverse("points:decide_appeal", args=[1]),
    ]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for url in posts:
        response = client.post(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert not Proposal.objects.exists()


# --- Household points ---------------------------------------------------------------------------


def test_household_page_shows_balance_history_rank_and_pending(login, town, items, mei, bob):
    household = town.households[0]
    first = award(items, household, "A2", mei, bob)
    award(items, household, "B1", mei, bob)
    services.reverse_entry(entry=first, actor=bob, reason="重复登记")
    award(items, town.households[1], "A1", mei, bob)
    propose(items, household, "A1", mei, note="门前已打扫")

    response = login(bob).get(household_url(household))

    assert response.status_code == 200
    assert response.context["balance"] == -5
    assert response.context["month_rank"] == (2, 2)
    assert response.context["quarter_rank"] == (2, 2)
    html = response.content.decode()
    assert "参加志愿服务" in html and "乱倒垃圾" in html
    assert "门前已打扫" in html  # the pending proposal
    assert [p.item.code for p in response.context["pending"]] == ["A1"]
    correction = Entry.objects.get(reverses=first)
    assert f'href="#entry-{first.pk}"' in html  # the correction links to what it corrects
    assert f'href="#entry-{correction.pk}"' in html  # and the corrected entry to its correction
    assert "重复登记" in html
    assert "mei" in html and "bob" in html  # who proposed and who approved


def test_household_page_scope(login, town, items, alice, bob, charlie, dave, eve, lin):
    household = town.households[0]
    for user in (alice, bob, dave, lin):
        assert login(user).get(household_url(household)).status_code == 200, user
    for user in (charlie, eve):
        assert login(user).get(household_url(household)).status_code == 404, user
    # dave sees only his own household.
    assert login(dave).get(household_url(town.households[1])).status_code == 404


def test_household_page_offers_appeals_to_the_villager_and_officials_who_may_change(
    login, town, items, mei, bob, dave, lin
):
    entry = award(items, town.households[0], "B1", mei, bob)
    action = reverse("points:appeal", args=[entry.pk])
    for user in (dave, bob):
        assert action in login(user).get(household_url(town.households[0])).content.decode()
    assert action not in login(lin).get(household_url(town.households[0])).content.decode()


def test_household_page_queries_do_not_grow_with_history(
    login, town, items, mei, bob, dave, django_assert_max_num_queries
):
    household = town.households[0]
    award(items, household, "A2", mei, bob)
    client = login(dave)
    with django_assert_max_num_queries(12):
        client.get(household_url(household))
    for _ in range(8):
        entry = award(items, household, "B1", mei, bob)
        services.file_appeal(entry=entry, actor=dave, reason="不是我家")
    services.reverse_entry(entry=entry, actor=bob, reason="核实有误")
    with django_assert_max_num_queries(12):
        response = client.get(household_url(household))
    assert len(response.context["rows"]) == 10


def test_the_points_card_link_appears_when_the_public_card_exists(login, town, items, bob):
    from django.urls import NoReverseMatch

    response = login(bob).get(household_url(town.households[0]))
    try:
        card = reverse("public:card", args=[town.households[0].pk])
    except NoReverseMatch:
        assert response.context["card_url"] is None
    else:
        assert card in response.content.decode()


# --- Appeals ------------------------------------------------------------------------------------


def test_dave_appeals_an_entry_of_his_household(login, town, items, mei, bob, dave):
    entry = award(items, town.households[0], "B1", mei, bob)

    response = login(dave).post(
        reverse("points:appeal", args=[entry.pk]), {"reason": "垃圾不是我家倒的"}
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"{household_url(town.households[0])}#entry-{entry.pk}")
    appeal = Appeal.objects.get()
    assert (appeal.entry, appeal.filed_by, appeal.state) == (entry, dave, "pending")
    page = login(dave).get(household_url(town.households[0])).content.decode()
    assert "垃圾不是我家倒的" in page
    assert reverse("points:appeal", args=[entry.pk]) not in page  # one open appeal at a time


def test_an_appeal_needs_a_reason_and_says_so(login, town, items, mei, bob, dave):
    entry = award(items, town.households[0], "B1", mei, bob)
    response = login(dave).post(
        reverse("points:appeal", args=[entry.pk]), {"reason": " "}, follow=True
    )
    assert not Appeal.objects.exists()
    assert f"#{entry.seq}" in response.content.decode()


def test_appeal_refused_to_who_sees_but_may_not_change_and_hidden_out_of_scope(
    login, town, items, mei, bob, lin, charlie, eve
):
    entry = award(items, town.households[0], "B1", mei, bob)
    url = reverse("points:appeal", args=[entry.pk])
    assert login(lin).post(url, {"reason": "x"}).status_code == 403
    assert login(charlie).post(url, {"reason": "x"}).status_code == 404
    assert login(eve).post(url, {"reason": "x"}).status_code == 404
    assert not Appeal.objects.exists()


# --- The 联户 appraisal --------------------------------------------------------------------------


def form_data(response, rows: dict, **extra) -> dict:
    """The rendered form's key and month, and {household: (item, note)} rows."""
    form = response.context["form"]
    data = {"key": form["key"].value(), "month": f"{this_month():%Y-%m}", **extra}
    for household, (chosen, note) in rows.items():
        data[f"item_{household.pk}"] = str(chosen.pk)
        data[f"note_{household.pk}"] = note
    return data


def test_appraisal_form_has_a_row_per_household_and_the_items_in_force(login, town, items, lin):
    response = login(lin).get(appraisal_url(town.joints[0]))

    assert response.status_code == 200
    rows = response.context["form"].rows()
    assert [row.household for row in rows] == town.households[:3]
    html = response.content.decode()
    assert html.count('type="file"') == 3 and 'enctype="multipart/form-data"' in html
    assert 'type="month"' in html and f'value="{this_month():%Y-%m}"' in html
    assert re.search(r'name="key" value="[0-9a-f]{32}"', html)
    assert "门前三包达标" in html and "刘*先" in html and "刘0先" not in html


def test_appraisal_scope(login, town, items, alice, bob, lin, mei, sam, charlie, dave, eve):
    url = appraisal_url(town.joints[0])
    for user in (alice, bob, lin, mei):
        assert login(user).get(url).status_code == 200, user
    assert login(sam).get(url).status_code == 403  # sees the 联户, may not propose
    assert login(sam).post(url, {}).status_code == 403
    for user in (charlie, dave, eve):
        assert login(user).get(url).status_code == 404, user
    assert login(lin).get(appraisal_url(town.joints[1])).status_code == 404
    # A grid is not a 联户.
    assert login(alice).get(appraisal_url(town.grids[0])).status_code == 404


def test_appraisal_creates_one_proposal_per_filled_row(login, town, items, lin):
    client = login(lin)
    first, _second, third = town.households[:3]
    data = form_data(
        client.get(appraisal_url(town.joints[0])),
        {first: (item(items, first, "A1"), "门前整洁"), third: (item(items, third, "B1"), "")},
    )

    response = client.post(appraisal_url(town.joints[0]), data)

    batch = AppraisalBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("points:batch", args=[batch.pk])
    proposals = {p.household: p for p in Proposal.objects.all()}
    assert set(proposals) == {first, third}
    assert proposals[first].note == "门前整洁" and proposals[first].amount == 5
    assert proposals[third].amount == -5 and proposals[third].proposed_by == lin
    assert all(p.batch == batch and p.period == this_month() for p in proposals.values())
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert [p.household for p in page.context["proposals"]] == [first, third]


def test_resending_the_same_form_creates_nothing_more(login, town, items, lin):
    client = login(lin)
    first = town.households[0]
    data = form_data(
        client.get(appraisal_url(town.joints[0])), {first: (item(items, first, "A2"), "")}
    )
    one = client.post(appraisal_url(town.joints[0]), data)
    again = client.post(appraisal_url(town.joints[0]), data)

    assert Proposal.objects.count() == 1 and AppraisalBatch.objects.count() == 1
    assert again.status_code == 302 and again["Location"] == one["Location"]
    assert IdempotencyKey.objects.filter(user=lin, key=data["key"]).count() == 1
    # A new form (a new key) is a new appraisal.
    fresh = form_data(
        client.get(appraisal_url(town.joints[0])), {first: (item(items, first, "A2"), "")}
    )
    assert fresh["key"] != data["key"]
    client.post(appraisal_url(town.joints[0]), fresh)
    assert Proposal.objects.count() == 2


def test_the_same_key_with_other_rows_is_refused(login, town, items, lin):
    client = login(lin)
    first, second = town.households[:2]
    data = form_data(
        client.get(appraisal_url(town.joints[0])), {first: (item(items, first, "A2"), "")}
    )
    client.post(appraisal_url(town.joints[0]), data)
    data[f"item_{second.pk}"] = str(item(items, second, "A2").pk)
    response = client.post(appraisal_url(town.joints[0]), data)
    assert response.status_code == 200
    assert Proposal.objects.count() == 1
    assert response.context["form"].non_field_errors()


def test_a_wrong_row_creates_nothing_and_the_error_names_the_household(
    login, town, items, lin, mei
):
    client = login(lin)
    first, second = town.households[:2]
    propose(items, second, "A1", mei)
    propose(items, second, "A1", mei)  # the cap (10 a month) is used up
    data = form_data(
        client.get(appraisal_url(town.joints[0])),
        {first: (item(items, first, "A2"), ""), second: (item(items, second, "A1"), "")},
    )

    response = client.post(appraisal_url(town.joints[0]), data)

    assert response.status_code == 200
    assert Proposal.objects.filter(proposed_by=lin).count() == 0
    assert not AppraisalBatch.objects.exists()
    form = response.context["form"]
    [line] = form.row_errors()
    assert second.number in line and "10" in line
    assert f'id="row-{second.pk}"' in response.content.decode()
    # The key stays: once the row is fixed, the same form goes through.
    data.pop(f"item_{second.pk}")
    assert client.post(appraisal_url(town.joints[0]), data).status_code == 302
    assert Proposal.objects.filter(proposed_by=lin).count() == 1


def test_an_item_of_another_village_is_refused_on_its_row(login, town, items, lin):
    client = login(lin)
    first, second = town.households[:2]
    foreign = items[town.villages[1].pk]["A2"]
    data = form_data(
        client.get(appraisal_url(town.joints[0])),
        {first: (item(items, first, "A2"), ""), second: (foreign, "")},
    )
    response = client.post(appraisal_url(town.joints[0]), data)
    assert response.status_code == 200 and not Proposal.objects.exists()
    [line] = response.context["form"].row_errors()
    assert second.number in line


def test_a_note_without_an_item_and_an_empty_form_are_refused(login, town, items, lin):
    client = login(lin)
    first = town.households[0]
    data = form_data(client.get(appraisal_url(town.joints[0])), {})
    response = client.post(appraisal_url(town.joints[0]), {**data, f"note_{first.pk}": "好"})
    [line] = response.context["form"].row_errors()
    assert first.number in line
    response = client.post(appraisal_url(town.joints[0]), data)
    assert response.context["form"].non_field_errors()
    assert not Proposal.objects.exists()


def test_an_item_that_needs_a_photo_takes_one_per_row(login, town, items, lin):
    client = login(lin)
    first = town.households[0]
    photo_item = item(items, first, "C1")
    data = form_data(client.get(appraisal_url(town.joints[0])), {first: (photo_item, "扶老人")})
    response = client.post(appraisal_url(town.joints[0]), data)
    [line] = response.context["form"].row_errors()
    assert first.number in line and "C1" in line
    assert not Proposal.objects.exists()

    response = client.post(appraisal_url(town.joints[0]), {**data, f"photos_{first.pk}": png()})
    assert response.status_code == 302
    assert Evidence.objects.get().proposal.household == first


def test_a_future_month_is_refused(login, town, items, lin):
    client = login(lin)
    first = town.households[0]
    data = form_data(
        client.get(appraisal_url(town.joints[0])), {first: (item(items, first, "A2"), "")}
    )
    future = this_month().replace(year=this_month().year + 1)
    response = client.post(appraisal_url(town.joints[0]), {**data, "month": f"{future:%Y-%m}"})
    assert response.status_code == 200 and response.context["form"]["month"].errors
    assert not Proposal.objects.exists()


def test_the_appraisal_says_when_no_list_is_in_force(login, town, lin):
    response = login(lin).get(appraisal_url(town.joints[0]))
    assert response.status_code == 200 and not response.context["has_items"]
    assert "disabled" in response.content.decode()


def test_batch_page_scope(login, town, items, lin, bob, charlie, eve):
    batch = services.propose_joint(
        joint=town.joints[0],
        period=this_month(),
        rows=[{"household": town.households[0], "item": item(items, town.households[0], "A2")}],
        actor=lin,
    )
    url = reverse("points:batch", args=[batch.pk])
    assert login(lin).get(url).status_code == 200
    assert login(bob).get(url).status_code == 200
    assert login(charlie).get(url).status_code == 404
    assert login(eve).get(url).status_code == 404


# --- Review -------------------------------------------------------------------------------------


def test_review_queue_groups_by_village_and_marks_own_proposals(
    login, town, items, mei, bob, alice
):
    mine = propose(items, town.households[0], "A2", bob)
    theirs = propose(items, town.households[1], "A1", mei)
    propose(items, town.households[9], "A2", alice)  # another grid: not bob's to review

    response = login(bob).get(reverse("points:review"))

    assert response.status_code == 200
    [(village, proposals)] = response.context["groups"]
    assert village == town.villages[0]
    assert {p.pk for p in proposals} == {mine.pk, theirs.pk}
    html = response.content.decode()
    assert reverse("points:review_proposal", args=[theirs.pk]) in html
    assert reverse("points:review_proposal", args=[mine.pk]) not in html


def test_review_queue_is_for_reviewers(login, town, items, mei, lin, dave, vic):
    for user in (mei, lin, dave):
        assert login(user).get(reverse("points:review")).status_code == 403, user
    assert login(vic).get(reverse("points:review")).status_code == 200


def test_review_queue_queries_do_not_grow(
    login, town, items, mei, bob, dave, django_assert_max_num_queries
):
    client = login(bob)
    propose(items, town.households[0], "A2", mei)
    with django_assert_max_num_queries(7):
        client.get(reverse("points:review"))
    for household in town.households[:3]:
        propose(items, household, "A1", mei, photos=[png()])
        services.file_appeal(
            entry=award(items, household, "B1", mei, bob), actor=dave, reason="有误"
        )
    with django_assert_max_num_queries(7):
        response = client.get(reverse("points:review"))
    assert response.context["shown"] == 4 and len(response.context["appeals"]) == 3


def test_approve_and_reject(login, town, items, mei, bob):
    first = propose(items, town.households[0], "A2", mei)
    second = propose(items, town.households[1], "B1", mei)
    client = login(bob)

    response = client.post(
        reverse("points:review_proposal", args=[first.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("points:review")
    first.refresh_from_db()
    assert first.state == "approved" and first.entry.approved_by == bob

    client.post(reverse("points:review_proposal", args=[second.pk]), {"decision": "reject"})
    second.refresh_from_db()
    assert second.state == "pending"  # a rejection needs a reason
    response = client.post(
        reverse("points:review_proposal", args=[second.pk]),
        {"decision": "reject", "reason": "无人证实"},
        follow=True,
    )
    second.refresh_from_db()
    assert second.state == "rejected" and second.review_reason == "无人证实"
    assert town.households[1].number in response.content.decode()
    assert Entry.objects.count() == 1


def test_review_refusals(login, town, items, mei, bob, lin):
    proposal = propose(items, town.households[0], "A2", bob)
    url = reverse("points:review_proposal", args=[proposal.pk])
    response = login(bob).post(url, {"decision": "approve"}, follow=True)
    assert Proposal.objects.get().state == "pending"  # no self-review
    assert town.households[0].number in response.content.decode()
    assert login(mei).post(url, {"decision": "approve"}).status_code == 403
    assert login(lin).post(url, {"decision": "approve"}).status_code == 403
    other_chief = _persona("otto", "grid_chief", unit=town.grids[3])
    assert login(other_chief).post(url, {"decision": "approve"}).status_code == 404
    assert Proposal.objects.get().state == "pending"


def test_decide_appeal(login, town, items, mei, bob, dave, vic):
    entry = award(items, town.households[0], "B1", mei, bob)
    appeal = services.file_appeal(entry=entry, actor=dave, reason="不是我家")
    url = reverse("points:decide_appeal", args=[appeal.pk])
    assert login(mei).post(url, {"decision": "uphold", "text": "x"}).status_code == 403
    other_chief = _persona("otto", "grid_chief", unit=town.grids[3])
    assert login(other_chief).post(url, {"decision": "uphold", "text": "x"}).status_code == 404

    login(vic).post(url, {"decision": "uphold", "text": ""})
    assert Appeal.objects.get().state == "pending"  # a decision needs its text
    response = login(vic).post(url, {"decision": "uphold", "text": "核实有误，予以更正"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == "upheld" and appeal.reversal.reverses == entry
    assert selectors.balance(town.households[0]) == 0


# --- Village points -----------------------------------------------------------------------------


def _village_activity(town, items, mei, bob):
    award(items, town.households[0], "A1", mei, bob)
    award(items, town.households[1], "A2", mei, bob)
    award(items, town.households[2], "B1", mei, bob)


def test_village_page(login, town, items, mei, bob, alice):
    _village_activity(town, items, mei, bob)
    response = login(alice).get(village_url(town.villages[0]))

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["in_force"].village == town.villages[0]
    assert "门前三包达标" in html and "好人好事（附照片）" in html
    ranking = response.context["ranking"]
    assert [(r["household__number"], r["points"], r["rank"]) for r in ranking] == [
        (town.households[0].number, 5, 1),
        (town.households[1].number, 3, 2),
        (town.households[2].number, -5, 3),
    ]
    assert [r["points"] for r in response.context["awards"]] == [5, 3]  # positive totals only
    assert "刘*先" in html and "刘0先" not in html and "刘1先" not in html
    data = json.loads(re.search(r'id="points-chart-data"[^>]*>(.*?)</script>', html, re.S)[1])
    assert len(data["months"]) == 12 and data["months"][-1] == f"{this_month():%Y-%m}"
    assert sum(sum(c["data"]) for c in data["categories"]) == 3
    assert sum(data["balances"]["counts"]) == 6  # every household of the village, 0 included
    assert "<script>" not in html.replace('<script src="', "")  # no inline JavaScript
    assert "vendor/echarts.min" in html and "js/points-charts" in html


def test_village_page_scope(login, town, items, alice, vic, bob, dave, eve):
    url = village_url(town.villages[0])
    assert login(alice).get(url).status_code == 200
    assert login(vic).get(url).status_code == 200
    for user in (bob, dave, eve):  # bob's grid lies in the village, the village not in his scope
        assert login(user).get(url).status_code == 404, user
    assert login(vic).get(village_url(town.villages[1])).status_code == 404
    assert login(alice).get(village_url(town.groups[0])).status_code == 404


def test_village_page_chooses_month_and_quarter_and_shows_other_versions(
    login, town, items, alice, mei, bob
):
    _village_activity(town, items, mei, bob)
    services.publish_list(
        township=town.township,
        village=town.villages[0],
        title="修订",
        effective_from=this_month().replace(year=this_month().year + 1),
        items=[{"code": "Z1", "category": "other", "name": "新项目", "value": 1}],
        actor=alice,
    )
    client = login(alice)
    response = client.get(village_url(town.villages[0]), {"month": "2020-01", "quarter": "2020-Q1"})
    assert response.context["ranking"] == [] and response.context["awards"] == []
    assert response.context["quarter"] == "2020-Q1"
    assert [v.title for v in response.context["other_versions"]] == ["修订"]
    # Nonsense falls back to now.
    response = client.get(village_url(town.villages[0]), {"month": "x", "quarter": "2026-Q9"})
    assert response.context["month"] == this_month() and len(response.context["ranking"]) == 3


def test_village_page_queries_do_not_grow(
    login, town, items, alice, mei, bob, django_assert_max_num_queries
):
    client = login(alice)
    award(items, town.households[0], "A2", mei, bob)
    with django_assert_max_num_queries(12):
        client.get(village_url(town.villages[0]))
    for household in town.households[:6]:
        award(items, household, "A1", mei, bob)
        award(items, household, "B1", mei, bob)
    with django_assert_max_num_queries(12):
        response = client.get(village_url(town.villages[0]))
    assert len(response.context["ranking"]) == 6


def test_awards_take_the_township_award_size_and_print_masked(login, town, items, mei, bob, alice):
    _village_activity(town, items, mei, bob)
    TownshipConfig.objects.filter(township=town.township).update(award_size=1)
    response = login(alice).get(reverse("points:awards", args=[town.villages[0].pk]))
    assert response.status_code == 200
    assert [r["household__number"] for r in response.context["awards"]] == [
        town.households[0].number
    ]
    html = response.content.decode()
    assert "刘*先" in html and "刘0先" not in html
    assert "css/points.css" in html
    assert login(bob).get(reverse("points:awards", args=[town.villages[0].pk])).status_code == 404


# --- Entry points -------------------------------------------------------------------------------


def test_home_links_to_points(login, town, items, lin, bob, dave, mei):
    home = login(lin).get(reverse("home")).content.decode()
    assert reverse("points:home_card") in home

    card = login(lin).get(reverse("points:home_card")).content.decode()
    assert appraisal_url(town.joints[0]) in card

    propose(items, town.households[0], "A2", mei)
    response = login(bob).get(reverse("points:home_card"))
    assert response.context["pending_proposals"] == 1
    assert reverse("points:review") in response.content.decode()

    card = login(dave).get(reverse("points:home_card")).content.decode()
    assert household_url(town.households[0]) in card
    assert reverse("points:review") not in card and f'href="{reverse("points:index")}"' not in card


def test_index_lists_what_the_user_may_do(login, town, items, alice, lin):
    response = login(alice).get(reverse("points:index"))
    assert {v.pk for v in response.context["villages"]} == {v.pk for v in town.villages}
    assert len(response.context["joints"]) == 4
    response = login(lin).get(reverse("points:index"))
    assert [j.pk for j in response.context["joints"]] == [town.joints[0].pk]
    assert not response.context["villages"]


def test_the_household_page_of_places_links_to_points(login, town, bob):
    page = login(bob).get(reverse("places:household", args=[town.households[0].pk]))
    assert household_url(town.households[0]) in page.content.decode()
