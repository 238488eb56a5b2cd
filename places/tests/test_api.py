"""The places API: units, households and residents, each allowed, denied and out of scope."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from conftest import PASSWORD
from core.idcard import validate_id_number
from core.models import AuditEntry
from people import services as people_services
from people.models import User
from places import services
from places.models import Household, Resident, ResponsibilityArea, TownshipConfig, Unit
from places.tests.factories import make_id_number

MASKED_ID = re.compile(r"^\d{4}\*{10}[\dX]{4}$")
MASKED_PHONE = re.compile(r"^1\d{2}\*{4}\d{4}$")


def fresh(user):
    """The user as a new request sees it (no scope cached from earlier requests)."""
    return User.objects.get(pk=user.pk)


def persona(username, *roles):
    user = User.objects.create_user(username=username, password=PASSWORD, name=username)
    for role, unit in roles:
        people_services.assign_role(user=user, role=role, unit=unit, actor=None)
    return fresh(user)


@pytest.fixture
def frank(town):
    """Party member (1+10) of the first village: sees its groups, grids and households only."""
    return persona("frank", ("party_member", town.villages[0]))


@pytest.fixture
def gina(town):
    """Committee member of the first village who may only look at the second one."""
    return persona(
        "gina", ("village_committee", town.villages[0]), ("party_member", town.villages[1])
    )


def ids(response):
    return {row["id"] for row in response.data["results"]}


def audits(obj, action):
    return AuditEntry.objects.filter(
        object_id=obj.pk, action=action, content_type__model=obj._meta.model_name
    )


def assert_error(response, status, code):
    assert response.status_code == status, response.data
    assert response.data["code"] == code
    assert response.data["detail"]


# --- Units ---------------------------------------------------------------------------------------


def test_unit_list_shows_the_whole_township_to_alice(api, town, alice, eve):
    response = api(alice).get("/api/v1/units/")
    assert response.status_code == 200
    expected = set(
        Unit.objects.filter(path__startswith=town.township.path).values_list("id", flat=True)
    )
    assert response.data["count"] == len(expected) == 19
    assert ids(response) == expected
    assert not ids(api(eve).get("/api/v1/units/")) & expected


def test_unit_list_shows_a_grid_chief_his_grid_only(api, town, bob):
    response = api(bob).get("/api/v1/units/")
    assert ids(response) == {town.grids[0].id, town.joints[0].id}


def test_unit_list_shows_a_villager_no_units(api, town, dave):
    assert api(dave).get("/api/v1/units/").data["count"] == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=grid", 8),
        ("kind=joint", 4),
        ("grid_level=4", 4),
        ("q=网格", 12),
        ("q=第2村1组", 1),
    ],
)
def test_unit_list_filters(api, town, alice, query, expected):
    assert api(alice).get(f"/api/v1/units/?{query}").data["count"] == expected


def test_unit_list_filters_by_parent_and_township(api, town, alice, eve):
    client = api(alice)
    response = client.get(f"/api/v1/units/?parent={town.villages[0].id}")
    assert ids(response) == {town.groups[0].id, town.groups[1].id}
    assert client.get(f"/api/v1/units/?township={town.township.id}").data["count"] == 19
    other_township = Unit.objects.get(kind="township", name="柳湖街道")
    assert client.get(f"/api/v1/units/?township={other_township.id}").data["count"] == 0


def test_unit_list_rejects_an_unknown_kind(api, town, alice):
    response = api(alice).get("/api/v1/units/?kind=planet")
    assert_error(response, 400, "invalid")
    assert "kind" in response.data["fields"]


def test_unit_list_query_count_does_not_grow_with_rows(api, town, alice, django_assert_num_queries):
    client = api(fresh(alice))
    with django_assert_num_queries(3):  # scope, count, rows
        response = client.get("/api/v1/units/")
    assert len(response.data["results"]) == 19


def test_unit_detail_counts_visible_households(api, town, alice, bob):
    response = api(alice).get(f"/api/v1/units/{town.township.id}/")
    assert response.status_code == 200
    assert response.data["household_count"] == 12
    assert response.data["kind"] == "township"
    response = api(bob).get(f"/api/v1/units/{town.grids[0].id}/")
    assert response.data["household_count"] == 3
    assert response.data["grid_level"] == 4


def test_unit_detail_is_404_out_of_scope(api, town, bob, dave, eve):
    assert_error(api(bob).get(f"/api/v1/units/{town.grids[3].id}/"), 404, "not_found")
    assert_error(api(dave).get(f"/api/v1/units/{town.groups[0].id}/"), 404, "not_found")
    assert_error(api(eve).get(f"/api/v1/units/{town.township.id}/"), 404, "not_found")


def test_unit_households_by_group_and_by_grid(api, town, alice):
    client = api(alice)
    response = client.get(f"/api/v1/units/{town.groups[0].id}/households/")
    assert ids(response) == {h.id for h in town.households[0:3]}
    response = client.get(f"/api/v1/units/{town.grids[1].id}/households/")
    assert ids(response) == {h.id for h in town.households[3:6]}
    response = client.get(f"/api/v1/units/{town.villages[1].id}/households/")
    assert ids(response) == {h.id for h in town.households[6:12]}


def test_unit_households_in_and_out_of_scope(api, town, bob, eve):
    response = api(bob).get(f"/api/v1/units/{town.grids[0].id}/households/")
    assert ids(response) == {h.id for h in town.households[0:3]}
    assert_error(api(bob).get(f"/api/v1/units/{town.grids[3].id}/households/"), 404, "not_found")
    url = f"/api/v1/units/{town.township.id}/households/"
    assert_error(api(eve).get(url), 404, "not_found")


def test_unit_households_query_count(api, town, alice, django_assert_num_queries):
    client = api(fresh(alice))
    with django_assert_num_queries(4):  # scope, unit, count, rows
        response = client.get(f"/api/v1/units/{town.township.id}/households/")
    assert len(response.data["results"]) == 12


def test_alice_creates_a_unit_and_it_is_audited(api, town, alice):
    response = api(alice).post(
        "/api/v1/units/",
        {"kind": "joint", "name": "新联户", "parent": town.grids[0].id, "reason": "分户"},
        format="json",
    )
    assert response.status_code == 201, response.data
    unit = Unit.objects.get(pk=response.data["id"])
    assert (unit.kind, unit.parent, unit.township) == ("joint", town.grids[0], town.township)
    assert response.data["household_count"] == 0
    entry = audits(unit, "create").get()
    assert entry.actor == alice
    assert entry.reason == "分户"


def test_charlie_cannot_create_units(api, town, charlie):
    before = Unit.objects.count()
    client = api(charlie)
    data = {"kind": "joint", "name": "X", "parent": town.grids[3].id}
    assert_error(client.post("/api/v1/units/", data, format="json"), 403, "permission_denied")
    data["parent"] = town.grids[0].id
    assert_error(client.post("/api/v1/units/", data, format="json"), 404, "not_found")
    assert Unit.objects.count() == before


def test_create_unit_out_of_scope_and_unknown_parent_are_404(api, town, eve):
    data = {"kind": "village", "name": "X", "parent": town.township.id}
    assert_error(api(eve).post("/api/v1/units/", data, format="json"), 404, "not_found")
    data["parent"] = 987654
    assert_error(api(eve).post("/api/v1/units/", data, format="json"), 404, "not_found")


def test_a_level_2_grid_names_its_village(api, town, alice):
    data = {"kind": "grid", "name": "新二级网格", "parent": town.township.id}
    response = api(alice).post("/api/v1/units/", {**data, "village": town.groups[0].id})
    assert_error(response, 400, "invalid")
    assert "village" in response.data["fields"]
    response = api(alice).post("/api/v1/units/", {**data, "village": town.villages[1].id})
    assert response.status_code == 201, response.data
    assert (response.data["village"], response.data["grid_level"]) == (town.villages[1].id, 2)


def test_create_unit_service_errors_are_400(api, town, alice):
    data = {"kind": "group", "name": "X", "parent": town.grids[0].id}
    response = api(alice).post("/api/v1/units/", data, format="json")
    assert_error(response, 400, "bad_parent")
    data = {"kind": "grid", "name": "X", "parent": town.grids[0].id}
    response = api(alice).post("/api/v1/units/", data, format="json")
    assert_error(response, 400, "too_deep")


def test_alice_moves_a_unit_and_its_households_follow(api, town, alice):
    joint = town.joints[1]
    url = f"/api/v1/units/{joint.id}/move/"
    response = api(alice).post(url, {"parent": town.grids[0].id, "reason": "调整"}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["parent"] == town.grids[0].id
    joint.refresh_from_db()
    assert joint.path.startswith(town.grids[0].path)
    assert set(Household.objects.filter(joint=joint).values_list("joint_path", flat=True)) == {
        joint.path
    }
    entry = audits(joint, "move").get()
    assert entry.changes["parent"] == [town.grids[1].id, town.grids[0].id]
    assert entry.reason == "调整"


def test_move_unit_needs_manage_on_both_ends(api, town, gina, charlie, eve):
    url = f"/api/v1/units/{town.joints[0].id}/move/"
    data = {"parent": town.grids[2].id, "reason": "r"}
    # gina may manage the first village's grids and only look at the second village's.
    assert_error(api(gina).post(url, data, format="json"), 403, "permission_denied")
    data["parent"] = town.grids[1].id
    assert api(gina).post(url, data, format="json").status_code == 200
    # charlie sees his 联户 but manages nothing; eve sees nothing here.
    url = f"/api/v1/units/{town.joints[3].id}/move/"
    data = {"parent": town.grids[3].id, "reason": "r"}
    assert_error(api(charlie).post(url, data, format="json"), 403, "permission_denied")
    assert_error(api(eve).post(url, data, format="json"), 404, "not_found")
    assert not AuditEntry.objects.filter(action="move", object_id=town.joints[3].id).exists()


def test_move_unit_needs_a_reason(api, town, alice):
    url = f"/api/v1/units/{town.joints[1].id}/move/"
    response = api(alice).post(url, {"parent": town.grids[0].id}, format="json")
    assert_error(response, 400, "invalid")
    assert "reason" in response.data["fields"]


def test_alice_renames_a_unit(api, town, alice):
    url = f"/api/v1/units/{town.grids[0].id}/"
    data = {"name": "和平社区002网格", "work_group": "和平社区002网格联户群"}
    response = api(alice).patch(url, data, format="json")
    assert response.status_code == 200, response.data
    assert response.data["name"] == "和平社区002网格"
    assert response.data["work_group"] == "和平社区002网格联户群"
    assert audits(town.grids[0], "update").get().changes["name"][1] == "和平社区002网格"


def test_rename_unit_denied_and_out_of_scope(api, town, bob, eve):
    data = {"name": "X"}
    url = f"/api/v1/units/{town.grids[0].id}/"
    assert_error(api(bob).patch(url, data, format="json"), 403, "permission_denied")
    assert_error(api(eve).patch(url, data, format="json"), 404, "not_found")
    url = f"/api/v1/units/{town.grids[3].id}/"
    assert_error(api(bob).patch(url, data, format="json"), 404, "not_found")
    assert Unit.objects.filter(name="X").count() == 0


# --- Households ----------------------------------------------------------------------------------


def test_household_list_per_persona(api, town, alice, bob, dave, eve):
    everyone = {h.id for h in town.households}
    assert ids(api(alice).get("/api/v1/households/")) == everyone
    assert ids(api(bob).get("/api/v1/households/")) == {h.id for h in town.households[0:3]}
    assert ids(api(dave).get("/api/v1/households/")) == {town.households[0].id}
    assert not ids(api(eve).get("/api/v1/households/")) & everyone


def test_household_representation(api, town, bob):
    household = town.households[0]
    Resident.objects.create(
        township=town.township, household=household, name="王小红", sex="F", relation="spouse"
    )
    response = api(bob).get(f"/api/v1/households/{household.id}/")
    assert response.status_code == 200
    data = response.data
    assert data["number"] == household.number
    assert data["head_name"] == "刘*先"
    assert data["member_count"] == 2
    assert data["group"]["name"] == town.groups[0].name
    assert data["grid"]["name"] == town.grids[0].name
    assert data["joint"]["name"] == town.joints[0].name


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("unit={grid1}", range(3, 6)),
        ("unit={group2}", range(6, 9)),
        ("unit={township}", range(12)),
        ("unit=987654", []),
        ("q=刘1", [1, 10, 11]),
        ("number={number4}", [4]),
    ],
)
def test_household_list_filters(api, town, alice, query, expected):
    query = query.format(
        grid1=town.grids[1].id,
        group2=town.groups[2].id,
        township=town.township.id,
        number4=town.households[4].number,
    )
    response = api(alice).get(f"/api/v1/households/?{query}")
    assert ids(response) == {town.households[i].id for i in expected}


def test_household_list_query_count(api, town, alice, django_assert_num_queries):
    client = api(fresh(alice))
    with django_assert_num_queries(3):  # scope, count, rows (head and members as subqueries)
        response = client.get("/api/v1/households/")
    assert len(response.data["results"]) == 12
    assert {row["member_count"] for row in response.data["results"]} == {1}


def test_household_detail_in_and_out_of_scope(api, town, bob, dave, eve):
    assert api(bob).get(f"/api/v1/households/{town.households[0].id}/").status_code == 200
    assert_error(api(bob).get(f"/api/v1/households/{town.households[9].id}/"), 404, "not_found")
    assert api(dave).get(f"/api/v1/households/{town.households[0].id}/").status_code == 200
    assert_error(api(dave).get(f"/api/v1/households/{town.households[1].id}/"), 404, "not_found")
    assert_error(api(eve).get(f"/api/v1/households/{town.households[0].id}/"), 404, "not_found")


def _new_household(town, number="达依9999"):
    return {"number": number, "group": town.groups[0].id, "joint": town.joints[0].id}


def test_alice_creates_a_household(api, town, alice):
    response = api(alice).post("/api/v1/households/", _new_household(town), format="json")
    assert response.status_code == 201, response.data
    assert response.data["member_count"] == 0
    assert response.data["head_name"] == ""
    household = Household.objects.get(pk=response.data["id"])
    assert household.joint_path == town.joints[0].path
    assert audits(household, "create").get().actor == alice


def test_create_household_denied_and_out_of_scope(api, town, frank, bob, eve):
    data = _new_household(town)
    assert_error(
        api(frank).post("/api/v1/households/", data, format="json"), 403, "permission_denied"
    )
    # bob sees his 联户 but not the villagers' group (the administrative tree).
    assert_error(api(bob).post("/api/v1/households/", data, format="json"), 404, "not_found")
    assert_error(api(eve).post("/api/v1/households/", data, format="json"), 404, "not_found")
    assert not Household.objects.filter(number="达依9999").exists()


def test_create_household_duplicate_number_is_400(api, town, alice):
    data = _new_household(town, number=town.households[0].number)
    response = api(alice).post("/api/v1/households/", data, format="json")
    assert_error(response, 400, "duplicate")
    assert town.households[0].number in response.data["detail"]


def test_bob_updates_a_household_of_his_grid(api, town, bob):
    household = town.households[0]
    url = f"/api/v1/households/{household.id}/"
    response = api(bob).patch(url, {"address": "新地址1号", "reason": "核实"}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["address"] == "新地址1号"
    assert audits(household, "update").get().reason == "核实"


def test_update_household_denied_and_out_of_scope(api, town, bob, dave, eve):
    data = {"address": "X"}
    url = f"/api/v1/households/{town.households[0].id}/"
    assert_error(api(dave).patch(url, data, format="json"), 403, "permission_denied")
    assert_error(api(eve).patch(url, data, format="json"), 404, "not_found")
    url = f"/api/v1/households/{town.households[9].id}/"
    assert_error(api(bob).patch(url, data, format="json"), 404, "not_found")
    assert not Household.objects.filter(address="X").exists()


def test_alice_moves_a_household_with_before_and_after_audited(api, town, alice):
    household = town.households[0]
    url = f"/api/v1/households/{household.id}/move/"
    data = {"joint": town.joints[1].id, "reason": "搬迁"}
    response = api(alice).post(url, data, format="json")
    assert response.status_code == 200, response.data
    assert response.data["joint"]["id"] == town.joints[1].id
    assert response.data["grid"]["id"] == town.grids[1].id
    entry = audits(household, "move").get()
    assert entry.changes == {"joint": [town.joints[0].id, town.joints[1].id]}
    assert (entry.actor, entry.reason) == (alice, "搬迁")


def test_move_household_denied_and_out_of_scope(api, town, bob, dave, eve, gina):
    url = f"/api/v1/households/{town.households[0].id}/move/"
    data = {"joint": town.joints[1].id, "reason": "r"}
    assert_error(api(bob).post(url, data, format="json"), 404, "not_found")  # joint 1 unseen
    assert_error(api(dave).post(url, data, format="json"), 403, "permission_denied")
    assert_error(api(eve).post(url, data, format="json"), 404, "not_found")
    data["joint"] = town.joints[2].id  # gina sees it but may not change it
    assert_error(api(gina).post(url, data, format="json"), 403, "permission_denied")
    assert not AuditEntry.objects.filter(action="move").exists()


def test_move_household_validation(api, town, alice):
    url = f"/api/v1/households/{town.households[0].id}/move/"
    response = api(alice).post(url, {"joint": town.joints[1].id}, format="json")
    assert "reason" in response.data["fields"]
    response = api(alice).post(url, {"reason": "r"}, format="json")
    assert_error(response, 400, "invalid")
    response = api(alice).post(
        url, {"group": town.groups[2].id, "joint": town.joints[0].id, "reason": "r"}, format="json"
    )
    assert response.status_code == 200  # group and 联户 may lie in different villages


# --- Residents -----------------------------------------------------------------------------------


def test_resident_list_masks_id_and_phone(api, town, alice):
    response = api(alice).get("/api/v1/residents/")
    assert response.data["count"] == 12
    for row in response.data["results"]:
        assert MASKED_ID.match(row["id_number"]), row
        assert MASKED_PHONE.match(row["phone"]), row
    full = set(Resident.objects.values_list("id_number", flat=True))
    assert not full & {row["id_number"] for row in response.data["results"]}


def test_resident_list_per_persona(api, town, bob, dave, eve):
    assert api(bob).get("/api/v1/residents/").data["count"] == 3
    response = api(dave).get("/api/v1/residents/")
    assert [row["household"] for row in response.data["results"]] == [town.households[0].id]
    mine = set(Resident.objects.filter(township=town.township).values_list("id", flat=True))
    assert not ids(api(eve).get("/api/v1/residents/")) & mine


def test_resident_list_filters(api, town, alice):
    client = api(alice)
    response = client.get(f"/api/v1/residents/?household={town.households[5].id}")
    assert [row["household"] for row in response.data["results"]] == [town.households[5].id]
    assert client.get("/api/v1/residents/?q=刘1").data["count"] == 3


def test_resident_list_query_count(api, town, alice, django_assert_num_queries):
    client = api(fresh(alice))
    with django_assert_num_queries(3):  # scope, count, rows with their households
        response = client.get("/api/v1/residents/")
    assert len(response.data["results"]) == 12


def test_resident_detail_in_and_out_of_scope(api, town, bob, eve):
    inside = town.households[0].members.get()
    outside = town.households[9].members.get()
    response = api(bob).get(f"/api/v1/residents/{inside.id}/")
    assert response.status_code == 200
    assert response.data["id_number"] == inside.masked_id_number
    assert_error(api(bob).get(f"/api/v1/residents/{outside.id}/"), 404, "not_found")
    assert_error(api(eve).get(f"/api/v1/residents/{inside.id}/"), 404, "not_found")


def _new_resident(household, **extra):
    return {
        "household": household.id,
        "name": "王小红",
        "sex": "F",
        "relation": "spouse",
        "id_number": "420101199003071236",
        "phone": "13612348888",
        **extra,
    }


def test_bob_adds_a_resident_and_sees_it_masked(api, town, bob):
    household = town.households[0]
    response = api(bob).post("/api/v1/residents/", _new_resident(household), format="json")
    assert response.status_code == 201, response.data
    assert response.data["id_number"] == "4201**********1236"
    assert response.data["phone"] == "136****8888"
    resident = Resident.objects.get(pk=response.data["id"])
    assert resident.id_number == "420101199003071236"
    assert "420101199003071236" not in str(audits(resident, "create").get().changes)


def test_create_resident_denied_and_out_of_scope(api, town, frank, eve, bob):
    data = _new_resident(town.households[0])
    assert_error(
        api(frank).post("/api/v1/residents/", data, format="json"), 403, "permission_denied"
    )
    assert_error(api(eve).post("/api/v1/residents/", data, format="json"), 404, "not_found")
    data = _new_resident(town.households[9])
    assert_error(api(bob).post("/api/v1/residents/", data, format="json"), 404, "not_found")
    assert not Resident.objects.filter(name="王小红").exists()


def test_invalid_id_number_is_a_field_error(api, town, alice):
    data = _new_resident(town.households[0], id_number="420101199003071235")
    response = api(alice).post("/api/v1/residents/", data, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert_error(response, 400, "invalid")
    assert response.data["fields"]["id_number"] == ["The check digit of the ID number is wrong."]
    assert response.data["detail"] == "id_number: The check digit of the ID number is wrong."
    assert not Resident.objects.filter(name="王小红").exists()


def test_errors_follow_the_request_language(api, town, alice):
    data = _new_resident(town.households[0], id_number="4201011990030712")
    response = api(alice).post(
        "/api/v1/residents/", data, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:
            validate_id_number("4201011990030712")
        expected = exc.value.messages
    assert response.data["fields"]["id_number"] == expected
    response = api(alice).post(
        "/api/v1/residents/", {**data, "name": ""}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.data["fields"]["name"] == ["该字段不能为空。"]


def test_bob_updates_a_resident(api, town, bob):
    resident = town.households[0].members.get()
    url = f"/api/v1/residents/{resident.id}/"
    response = api(bob).patch(url, {"phone": "13912345678", "reason": "换号"}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["phone"] == "139****5678"
    resident.refresh_from_db()
    assert resident.phone == "13912345678"
    assert audits(resident, "update").get().changes["phone"][1] == "139****5678"


def test_update_resident_rejects_a_bad_id_number(api, town, bob):
    resident = town.households[0].members.get()
    url = f"/api/v1/residents/{resident.id}/"
    response = api(bob).patch(url, {"id_number": "12345"}, format="json")
    assert_error(response, 400, "invalid")
    assert list(response.data["fields"]) == ["id_number"]


def test_update_resident_denied_and_out_of_scope(api, town, frank, dave, eve, bob):
    resident = town.households[0].members.get()
    url = f"/api/v1/residents/{resident.id}/"
    data = {"name": "改名"}
    assert_error(api(frank).patch(url, data, format="json"), 403, "permission_denied")
    assert_error(api(dave).patch(url, data, format="json"), 403, "permission_denied")
    assert_error(api(eve).patch(url, data, format="json"), 404, "not_found")
    other = town.households[9].members.get()
    assert_error(
        api(bob).patch(f"/api/v1/residents/{other.id}/", data, format="json"), 404, "not_found"
    )
    assert not Resident.objects.filter(name="改名").exists()


def test_identity_is_shown_in_full_and_logged(api, town, alice):
    resident = town.households[5].members.get()
    url = f"/api/v1/residents/{resident.id}/identity/"
    assert_error(api(alice).get(url), 400, "reason_required")
    response = api(alice).get(url, {"reason": "入户核实"})
    assert response.status_code == 200
    assert response.data["id_number"] == resident.id_number
    assert response.data["phone"] == resident.phone
    assert response["Cache-Control"] == "no-store"
    entry = audits(resident, "view_sensitive").get()
    assert entry.actor == alice and entry.reason == "入户核实"


def test_a_villager_sees_his_own_identity_only(api, town, dave):
    own = town.households[0].members.get()
    assert api(dave).get(f"/api/v1/residents/{own.id}/identity/").data["id_number"] == (
        own.id_number
    )
    spouse = Resident.objects.create(
        township=town.township,
        household=town.households[0],
        name="王小红",
        sex="F",
        relation="spouse",
        id_number=make_id_number(sex="F"),
    )
    assert_error(api(dave).get(f"/api/v1/residents/{spouse.id}/identity/"), 404, "not_found")


def test_identity_never_leaks_out_of_scope(api, town, frank, bob, eve):
    resident = town.households[0].members.get()
    url = f"/api/v1/residents/{resident.id}/identity/"
    assert_error(api(frank).get(url), 404, "not_found")  # sees the resident, may not edit
    assert_error(api(eve).get(url), 404, "not_found")
    other = town.households[9].members.get()
    assert_error(api(bob).get(f"/api/v1/residents/{other.id}/identity/"), 404, "not_found")
    assert not AuditEntry.objects.filter(action="view_sensitive").exists()


# --- Responsibility areas ------------------------------------------------------------------------


def make_area(town, grid_index=0, **fields):
    fields.setdefault("name", f"{town.grids[grid_index].name}通组路")
    fields.setdefault("kind", "road")
    if not fields.get("owner") and not fields.get("owner_household"):
        fields["owner_household"] = town.households[grid_index * 3]
    return services.create_area(grid=town.grids[grid_index], actor=None, **fields)


@pytest.fixture
def sam(town):
    """Supervisor of 达依乡: may look at the whole township and change nothing."""
    return persona("sam", ("supervisor", town.township))


def test_area_list_per_persona(api, town, alice, bob, charlie, dave, eve):
    first, fourth = make_area(town, 0), make_area(town, 3)
    on_joint = services.create_area(
        grid=town.joints[0], name="门前", kind="door", owner=bob, actor=None
    )
    assert ids(api(alice).get("/api/v1/areas/")) == {first.id, fourth.id, on_joint.id}
    assert ids(api(bob).get("/api/v1/areas/")) == {first.id, on_joint.id}
    assert ids(api(charlie).get("/api/v1/areas/")) == {fourth.id}
    assert ids(api(dave).get("/api/v1/areas/")) == set()
    assert ids(api(eve).get("/api/v1/areas/")) == set()


def test_area_representation(api, town, bob):
    household = town.households[0]
    area = make_area(town, owner=bob, owner_household=household, description="村口到学校")
    response = api(bob).get(f"/api/v1/areas/{area.id}/")
    assert response.status_code == 200
    assert response.data == {
        "id": area.id,
        "township": town.township.id,
        "grid": {"id": town.grids[0].id, "kind": "grid", "name": town.grids[0].name},
        "number": 1,
        "name": area.name,
        "kind": "road",
        "kind_label": str(area.get_kind_display()),
        "description": "村口到学校",
        "owner": {"id": bob.id, "username": "bob", "name": "bob"},
        "owner_household": {"id": household.id, "number": household.number},
    }


def test_area_list_filters(api, town, alice, bob):
    make_area(town, 0)
    river = make_area(town, 0, kind="river", name="河道", owner=bob)
    fourth = make_area(town, 3)
    client = api(alice)
    assert ids(client.get(f"/api/v1/areas/?unit={town.grids[3].id}")) == {fourth.id}
    assert client.get(f"/api/v1/areas/?unit={town.villages[0].id}").data["count"] == 2
    assert ids(client.get("/api/v1/areas/?kind=river")) == {river.id}
    assert ids(client.get(f"/api/v1/areas/?owner={bob.id}")) == {river.id}
    household = town.households[9]
    assert ids(client.get(f"/api/v1/areas/?owner_household={household.id}")) == {fourth.id}
    assert ids(client.get("/api/v1/areas/?q=河")) == {river.id}


def test_area_list_query_count(api, town, alice, bob, django_assert_num_queries):
    for n in range(20):
        make_area(town, n % 4, name=f"路{n}", owner=bob if n % 2 else None)
    client = api(fresh(alice))
    with django_assert_num_queries(3):  # scope, count, rows with grid and owners joined
        response = client.get("/api/v1/areas/")
    assert len(response.data["results"]) == 20


def test_area_detail_out_of_scope_is_404(api, town, charlie, dave, eve):
    area = make_area(town)
    for user in (charlie, dave, eve):
        assert_error(api(user).get(f"/api/v1/areas/{area.id}/"), 404, "not_found")


def test_alice_creates_an_area_and_it_is_audited(api, town, alice, bob):
    make_area(town, number=41)
    data = {"grid": town.grids[0].id, "name": "主河道", "kind": "river", "owner": bob.id}
    response = api(alice).post("/api/v1/areas/", {**data, "reason": "乡党委会议"}, format="json")

    assert response.status_code == 201, response.data
    assert response.data["number"] == 42 and response.data["owner"]["id"] == bob.id
    area = ResponsibilityArea.objects.get(pk=response.data["id"])
    entry = audits(area, "create").get()
    assert entry.actor == alice and entry.reason == "乡党委会议"
    assert entry.changes["grid"] == [None, town.grids[0].id]


def test_create_area_denied_and_out_of_scope(api, town, bob, eve, charlie):
    data = {"grid": town.grids[0].id, "name": "主河道", "kind": "river", "owner": bob.id}
    assert_error(api(bob).post("/api/v1/areas/", data, format="json"), 403, "permission_denied")
    assert_error(api(eve).post("/api/v1/areas/", data, format="json"), 404, "not_found")
    household = {**data, "owner": None, "owner_household": town.households[0].id}
    household["grid"] = town.grids[3].id
    response = api(charlie).post("/api/v1/areas/", household, format="json")
    assert_error(response, 404, "not_found")  # the household is not charlie's to see
    assert not ResponsibilityArea.objects.exists()


def test_create_area_validation(api, town, alice, eve):
    client = api(alice)
    data = {"grid": town.grids[0].id, "name": "主河道", "kind": "river"}
    response = client.post("/api/v1/areas/", data, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert_error(response, 400, "no_owner")
    assert (
        response.data["detail"] == "A responsibility area needs an owner: a person or a household."
    )
    village = {**data, "grid": town.villages[0].id, "owner": eve.id}
    response = client.post("/api/v1/areas/", village, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert_error(response, 400, "invalid")
    assert response.data["fields"]["grid"] == ["Choose a grid or a 联户."]
    make_area(town, number=5)
    response = client.post("/api/v1/areas/", {**data, "number": 5, "owner": eve.id}, format="json")
    assert_error(response, 400, "duplicate")
    assert ResponsibilityArea.objects.count() == 1


def test_alice_reassigns_an_area_with_before_and_after_audited(api, town, alice, bob):
    area = make_area(town)
    url = f"/api/v1/areas/{area.id}/reassign/"
    data = {"owner": bob.id, "owner_household": town.households[1].id, "reason": "分户"}
    response = api(alice).post(url, data, format="json")

    assert response.status_code == 200, response.data
    assert response.data["owner"]["id"] == bob.id
    assert response.data["owner_household"]["id"] == town.households[1].id
    entry = audits(area, "update").get()
    assert entry.changes == {
        "owner": [None, bob.id],
        "owner_household": [town.households[0].id, town.households[1].id],
    }
    assert entry.reason == "分户" and entry.actor == alice


def test_reassign_area_denied_out_of_scope_and_validated(api, town, alice, bob, eve, sam):
    area = make_area(town)
    url = f"/api/v1/areas/{area.id}/reassign/"
    data = {"owner": bob.id, "reason": "调整"}
    assert_error(api(bob).post(url, data, format="json"), 403, "permission_denied")
    assert_error(api(sam).post(url, data, format="json"), 403, "permission_denied")
    assert_error(api(eve).post(url, data, format="json"), 404, "not_found")
    response = api(alice).post(url, {"owner": bob.id}, format="json")
    assert_error(response, 400, "invalid")
    assert "reason" in response.data["fields"]
    same = {"owner_household": town.households[0].id, "reason": "x"}
    assert_error(api(alice).post(url, same, format="json"), 400, "unchanged")
    assert_error(api(alice).post(url, {"reason": "x"}, format="json"), 400, "no_owner")
    assert not audits(area, "update").exists()


# --- Township configuration ----------------------------------------------------------------------


def config_url(town):
    return f"/api/v1/townships/{town.township.id}/config/"


def test_config_is_read_by_those_who_see_the_township(api, town, alice, sam):
    for user in (alice, sam):
        response = api(user).get(config_url(town))
        assert response.status_code == 200
        assert response.data["grid_levels"] == 4 and response.data["joint_size"] == 10
        assert response.data["warning_below"] == "85.0"
        assert response.data["suspension_below"] == "80.0"
        assert (response.data["red_list_size"], response.data["black_list_size"]) == (5, 3)
        assert response.data["stars"][0] == {"name": "爱党爱国星", "required": True}
        assert len(response.data["stars"]) == 10


def test_config_out_of_scope_is_404(api, town, bob, eve):
    assert_error(api(bob).get(config_url(town)), 404, "not_found")  # bob sees only his grid
    assert_error(api(eve).get(config_url(town)), 404, "not_found")
    assert_error(api(eve).patch(config_url(town), {"red_list_size": 9}), 404, "not_found")
    grid = f"/api/v1/townships/{town.grids[0].id}/config/"
    assert_error(api(bob).get(grid), 404, "not_found")


def test_alice_changes_the_config_with_before_and_after_audited(api, town, alice):
    stars = [{"name": "爱党爱国星", "required": True}, {"name": " 整洁健康星 ", "required": False}]
    data = {"warning_below": "86.5", "black_list_size": 2, "stars": stars, "reason": "党委会"}
    response = api(alice).patch(config_url(town), data, format="json")

    assert response.status_code == 200, response.data
    assert response.data["warning_below"] == "86.5" and response.data["black_list_size"] == 2
    assert response.data["stars"][1] == {"name": "整洁健康星", "required": False}
    config = TownshipConfig.objects.get(township=town.township)
    entry = audits(config, "update").get()
    assert entry.actor == alice and entry.reason == "党委会"
    assert entry.changes["warning_below"] == ["85.0", "86.5"]
    assert entry.changes["black_list_size"] == [3, 2]
    assert len(entry.changes["stars"][0]) == 10 and len(entry.changes["stars"][1]) == 2


def test_change_config_needs_manage(api, town, sam):
    response = api(sam).patch(config_url(town), {"red_list_size": 9}, format="json")
    assert_error(response, 403, "permission_denied")
    assert TownshipConfig.objects.get(township=town.township).red_list_size == 5


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"suspension_below": "86"},
            "suspension_below",
            "The suspension threshold (86.0) cannot be above the warning threshold (85.0): "
            "a score low enough for suspension gets a warning talk first.",
        ),
        (
            {"warning_below": "79.5"},
            "suspension_below",
            "The suspension threshold (80.0) cannot be above the warning threshold (79.5): "
            "a score low enough for suspension gets a warning talk first.",
        ),
        ({"warning_below": "120"}, "warning_below", "A score threshold lies between 0 and 100."),
        (
            {"grid_levels": 3},
            "grid_levels",
            "达依乡 already has grids at level 4, so it needs at least 4 grid levels.",
        ),
        (
            {"grid_levels": 9},
            "grid_levels",
            "A township has from 2 to 8 grid levels (level 1 is the township itself).",
        ),
        ({"red_list_size": 0}, "red_list_size", "The red list names at least one village."),
        ({"black_list_size": 0}, "black_list_size", "The black list names at least one village."),
        ({"joint_size": 0}, "joint_size", "A 联户 has at least one household."),
        (
            {"stars": [{"name": f"星{n}", "required": True} for n in range(11)]},
            "stars",
            "A star set has at most 10 stars; this one has 11.",
        ),
        (
            {"stars": [{"name": "诚信星", "required": True}, {"name": "诚信星"}]},
            "stars",
            "The star “诚信星” appears more than once.",
        ),
        (
            {"stars": [{"name": "诚信星"}, {"name": "环保星"}]},
            "stars",
            "At least one star must be required of every household.",
        ),
        ({"stars": []}, "stars", "At least one star must be required of every household."),
        (
            {"stars": [{"name": "诚信星", "required": True}, {"name": " "}]},
            "stars",
            "Star 2 has no name.",
        ),
        (
            {"stars": [{"name": "星" * 21, "required": True}]},
            "stars",
            "The name of star 1 is longer than 20 characters.",
        ),
    ],
)
def test_config_validation_messages(api, town, alice, data, field, message):
    response = api(alice).patch(config_url(town), data, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert_error(response, 400, "invalid")
    assert response.data["fields"][field] == [message]
    assert response.data["detail"] == f"{field}: {message}"
    config = TownshipConfig.objects.get(township=town.township)
    assert not audits(config, "update").exists()
    assert (config.grid_levels, config.red_list_size, len(config.stars)) == (4, 5, 10)


def test_config_may_shrink_to_the_deepest_grid_level(api, town, alice):
    response = api(alice).patch(config_url(town), {"grid_levels": 4}, format="json")
    assert response.status_code == 200
    response = api(alice).patch(
        config_url(town), {"grid_levels": 5, "suspension_below": "85"}, format="json"
    )
    assert response.status_code == 200 and response.data["grid_levels"] == 5
