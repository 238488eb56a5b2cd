"""The places pages over HTTP: allowed, refused (403), out of scope (404), anonymous (login).

Personas (conftest): alice runs 达依乡, bob is chief of grid 0, charlie a member of grid 3,
dave a villager in grid 0's first household, eve runs another township.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from conftest import _persona
from core.models import AuditEntry
from places import services
from places.models import Household, Resident
from places.tests.factories import make_id_number


def unit_url(unit):
    return reverse("places:unit", args=[unit.pk])


def household_url(household, action=""):
    name = f"places:household_{action}" if action else "places:household"
    return reverse(name, args=[household.pk])


def resident_url(resident, action=""):
    name = f"places:resident_{action}" if action else "places:resident"
    return reverse(name, args=[resident.pk])


def head(household):
    return household.members.get(relation=Resident.Relation.HEAD)


def add_households(town, joint_index: int, n: int):
    """n more households (with a head each) in joint `joint_index`."""
    joint, group = town.joints[joint_index], town.groups[joint_index]
    for i in range(n):
        household = services.create_household(
            number=f"X{joint_index}{i:04d}", group=group, joint=joint, actor=None
        )
        services.create_resident(
            household=household,
            actor=None,
            name=f"王{i}明",
            sex="M",
            relation="head",
            id_number=make_id_number(),
        )


# --- Anonymous ----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, town):
    household = town.households[0]
    urls = [
        unit_url(town.township),
        reverse("places:unit_export", args=[town.township.pk]),
        reverse("places:unit_import", args=[town.township.pk]),
        reverse("places:search") + "?q=刘",
        household_url(household),
        resident_url(head(household)),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    response = client.post(resident_url(head(household), "identity"))
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="view_sensitive").exists()


# --- Unit page (tree browser) -------------------------------------------------------------------


def test_township_page_shows_both_trees_with_counts(login, town, alice):
    response = login(alice).get(unit_url(town.township))

    assert response.status_code == 200
    html = response.content.decode()
    for village in town.villages:
        assert village.name in html
    level2 = town.grids[0].parent.parent
    assert level2.name in html
    children = {c.pk: c for c in response.context["admin_children"]}
    children.update({c.pk: c for c in response.context["grid_children"]})
    assert children[town.villages[0].pk].n_households == 6
    assert children[level2.pk].n_households == 6
    assert response.context["totals"]["households"] == len(town.households)
    assert reverse("places:unit_import", args=[town.township.pk]) in html


def test_township_page_queries_do_not_grow_with_the_tree(
    login, town, alice, django_assert_max_num_queries
):
    client = login(alice)
    with django_assert_max_num_queries(13):
        client.get(unit_url(town.township))
    for v in range(3):
        services.create_unit(kind="village", name=f"新村{v}", parent=town.township, actor=None)
    add_households(town, 0, 5)
    with django_assert_max_num_queries(13):
        response = client.get(unit_url(town.township))
    assert len(response.context["admin_children"]) == 5


def test_grid_page_lists_households_masked_and_paginated(
    login, town, bob, django_assert_max_num_queries
):
    add_households(town, 0, 60)
    client = login(bob)
    with django_assert_max_num_queries(14):
        response = client.get(unit_url(town.grids[0]))

    assert response.status_code == 200
    page = response.context["households"]
    assert page.paginator.count == 63 and len(page.object_list) == 50
    html = response.content.decode()
    assert "王*明" in html and "王0明" not in html
    assert response.context["ancestors"].count() == 0  # bob sees nothing above his grid
    assert "bob" in html  # the grid chief is listed in the roles section
    second = client.get(unit_url(town.grids[0]) + "?page=2")
    assert len(second.context["households"].object_list) == 13


def test_breadcrumb_shows_visible_ancestors(login, town, alice):
    response = login(alice).get(unit_url(town.joints[0]))

    names = [u.name for u in response.context["ancestors"]]
    assert names == [
        town.township.name,
        town.grids[0].parent.parent.name,
        town.grids[0].parent.name,
        town.grids[0].name,
    ]


@pytest.mark.parametrize(
    ("persona", "unit_index"), [("bob", 3), ("charlie", 0), ("dave", 0), ("eve", 0)]
)
def test_unit_out_of_scope_is_404(request, login, town, persona, unit_index):
    user = request.getfixturevalue(persona)
    client = login(user)
    assert client.get(unit_url(town.grids[unit_index])).status_code == 404
    assert client.get(unit_url(town.township)).status_code == 404


def test_village_page_links_its_grids(login, town, alice):
    response = login(alice).get(unit_url(town.villages[0]))

    assert list(response.context["village_grids"]) == [town.grids[0].parent.parent]
    assert response.context["households"] is None  # a village lists groups, not households


# --- Excel export and import --------------------------------------------------------------------


def test_export_gives_the_households_in_scope(login, town, bob):
    from openpyxl import load_workbook

    response = login(bob).get(reverse("places:unit_export", args=[town.grids[0].pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert numbers == {h.number for h in town.households if h.joint_id == town.joints[0].pk}


def test_export_out_of_scope_is_404(login, town, bob, eve):
    url = reverse("places:unit_export", args=[town.grids[3].pk])
    assert login(bob).get(url).status_code == 404
    assert login(eve).get(reverse("places:unit_export", args=[town.township.pk])).status_code == 404


def test_import_needs_manage(login, town, bob, eve):
    url = reverse("places:unit_import", args=[town.grids[0].pk])
    assert login(bob).get(url).status_code == 403
    assert login(eve).get(url).status_code == 404


def test_import_shows_row_errors(login, town, alice):
    workbook = Workbook()
    workbook.active.append(["户号", "姓名"])
    workbook.active.append(["达依9999", "张三"])
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = "roster.xlsx"

    response = login(alice).post(
        reverse("places:unit_import", args=[town.township.pk]), {"file": upload}
    )

    assert response.status_code == 200
    assert response.context["row_errors"]
    assert response.context["result"] is None
    assert not Household.objects.filter(number="达依9999").exists()


def test_import_round_trip_reports_counts(login, town, alice):
    client = login(alice)
    exported = client.get(reverse("places:unit_export", args=[town.township.pk])).content
    upload = io.BytesIO(exported)
    upload.name = "roster.xlsx"

    response = client.post(reverse("places:unit_import", args=[town.township.pk]), {"file": upload})

    assert response.status_code == 200
    assert not response.context["row_errors"], response.context["row_errors"]
    result = response.context["result"]
    assert result.households_created == 0 and result.residents_created == 0


def test_import_refuses_a_file_that_is_not_xlsx(login, town, alice):
    upload = io.BytesIO(b"number,name\n")
    upload.name = "roster.csv"
    response = login(alice).post(
        reverse("places:unit_import", args=[town.township.pk]), {"file": upload}
    )
    assert response.status_code == 200
    assert "roster.csv" in response.context["form"].errors["file"][0]


# --- Search -------------------------------------------------------------------------------------


def test_search_by_id_tail_shows_masked_values(login, town, alice, django_assert_max_num_queries):
    resident = head(town.households[4])
    client = login(alice)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("places:search"), {"q": resident.id_number[-6:]})

    html = response.content.decode()
    assert resident.masked_id_number in html and resident.id_number not in html
    assert resident.masked_phone in html and resident.phone not in html
    assert household_url(town.households[4]) in html


def test_search_is_limited_to_scope(login, town, bob, eve):
    bob_results = login(bob).get(reverse("places:search"), {"q": "刘"}).context["results"]
    assert {r.household.joint_id for r, _full in bob_results} == {town.joints[0].pk}
    eve_results = login(eve).get(reverse("places:search"), {"q": "刘"}).context["results"]
    assert all(r.township_id != town.township.pk for r, _full in eve_results)


def test_search_list_does_not_grow_queries(login, town, alice, django_assert_max_num_queries):
    add_households(town, 1, 30)
    client = login(alice)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("places:search"), {"q": "王"})
    assert len(response.context["results"]) == 30


# --- Household page -----------------------------------------------------------------------------


def test_household_page_for_the_grid_chief(login, town, bob, django_assert_max_num_queries):
    household = town.households[0]
    services.update_household(household=household, actor=None, address="新地址8号")
    joint_head = _persona("frank", "joint_head", unit=town.joints[0])
    client = login(bob)

    with django_assert_max_num_queries(10):
        response = client.get(household_url(household))

    assert response.status_code == 200
    html = response.content.decode()
    member = head(household)
    assert member.name in html  # officials in scope see names in full
    assert member.masked_id_number in html and member.id_number not in html
    responsible = {a.user.username for a in response.context["responsible"]}
    assert {"bob", "frank"} <= responsible
    assert [a.user for a in response.context["joint_heads"]] == [joint_head]
    assert unit_url(town.grids[0]) in html and unit_url(town.joints[0]) in html
    assert unit_url(household.group) not in html  # bob may not open the group's page
    assert "新地址8号" in html  # the history shows the change
    assert response.context["edit_form"] is not None


def test_villager_sees_own_household_without_forms(login, town, dave):
    response = login(dave).get(household_url(town.households[0]))

    assert response.status_code == 200
    assert response.context["edit_form"] is None and response.context["move_form"] is None
    assert login(dave).get(household_url(town.households[1])).status_code == 404


@pytest.mark.parametrize(("persona", "index"), [("bob", 9), ("charlie", 0), ("eve", 0)])
def test_household_out_of_scope_is_404(request, login, town, persona, index):
    client = login(request.getfixturevalue(persona))
    household = town.households[index]
    assert client.get(household_url(household)).status_code == 404
    assert client.post(household_url(household, "edit"), {"address": "x"}).status_code == 404


def test_grid_chief_edits_address_and_history_records_it(login, town, bob):
    household = town.households[0]
    response = login(bob).post(
        household_url(household, "edit"), {"address": "河边5号", "door_area": "门前路段"}
    )

    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.address, household.door_area) == ("河边5号", "门前路段")
    entry = AuditEntry.objects.filter(action="update", object_id=household.pk).latest("id")
    assert entry.actor == bob and entry.changes["address"][1] == "河边5号"


def test_villager_may_not_edit_his_household(login, town, dave):
    response = login(dave).post(household_url(town.households[0], "edit"), {"address": "x"})
    assert response.status_code == 403
    response = login(dave).post(
        household_url(town.households[0], "move"), {"joint": town.joints[1].pk}
    )
    assert response.status_code == 403


def test_edit_refuses_an_address_too_long(login, town, bob):
    response = login(bob).post(household_url(town.households[0], "edit"), {"address": "长" * 201})
    assert response.status_code == 200
    assert response.context["edit_form"].errors["address"]


def test_township_secretary_moves_a_household(login, town, alice):
    household = town.households[0]
    response = login(alice).post(
        household_url(household, "move"), {"joint": town.joints[1].pk, "reason": "搬家"}
    )

    assert response.status_code == 302
    household.refresh_from_db()
    assert household.joint == town.joints[1] and household.joint_path == town.joints[1].path
    html = login(alice).get(household_url(household)).content.decode()
    assert f"{town.joints[0].name} → {town.joints[1].name}" in html  # history by name
    assert "搬家" in html


def test_grid_chief_cannot_move_a_household_out_of_his_grid(login, town, bob):
    household = town.households[0]
    response = login(bob).post(household_url(household, "move"), {"joint": town.joints[3].pk})

    assert response.status_code == 200
    assert response.context["move_form"].errors["joint"]
    household.refresh_from_db()
    assert household.joint == town.joints[0]


def test_move_service_refusal_shows_on_the_form(login, town, alice, other_town):
    household = town.households[0]
    response = login(alice).post(household_url(household, "move"), {})
    assert response.status_code == 200
    assert response.context["move_form"].non_field_errors()


# --- Resident page ------------------------------------------------------------------------------


def test_resident_page_masks_identity(login, town, bob):
    resident = head(town.households[0])
    response = login(bob).get(resident_url(resident))

    assert response.status_code == 200
    html = response.content.decode()
    assert resident.masked_id_number in html and resident.id_number not in html
    assert resident.phone not in html
    assert resident_url(resident, "identity") in html
    assert not AuditEntry.objects.filter(action="view_sensitive").exists()


def test_show_in_full_returns_the_values_and_logs_the_view(login, town, bob):
    resident = head(town.households[0])
    response = login(bob).post(resident_url(resident, "identity"), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert resident.id_number in html and resident.phone in html
    assert "<html" not in html  # an htmx fragment, not a page
    entry = AuditEntry.objects.get(action="view_sensitive", object_id=resident.pk)
    assert entry.actor == bob


def test_show_in_full_without_htmx_renders_the_page(login, town, dave):
    resident = head(town.households[0])  # dave himself
    response = login(dave).post(resident_url(resident, "identity"))

    assert response.status_code == 200
    assert resident.id_number in response.content.decode()
    assert AuditEntry.objects.filter(action="view_sensitive", actor=dave).count() == 1


def test_show_in_full_refused_to_viewers_without_change(login, town):
    frank = _persona("frank", "joint_head", unit=town.joints[0])
    resident = head(town.households[0])
    client = login(frank)

    assert client.get(resident_url(resident)).status_code == 200
    response = client.post(resident_url(resident, "identity"), HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert resident.id_number not in response.content.decode()
    assert not AuditEntry.objects.filter(action="view_sensitive").exists()
    assert client.post(resident_url(resident, "edit"), {"name": "x"}).status_code == 403


@pytest.mark.parametrize(("persona", "index"), [("bob", 9), ("dave", 1), ("eve", 0)])
def test_resident_out_of_scope_is_404(request, login, town, persona, index):
    client = login(request.getfixturevalue(persona))
    resident = head(town.households[index])
    assert client.get(resident_url(resident)).status_code == 404
    assert client.post(resident_url(resident, "identity")).status_code == 404
    assert not AuditEntry.objects.filter(action="view_sensitive").exists()


def _resident_form(resident, **changes):
    data = {
        "name": resident.name,
        "sex": resident.sex,
        "relation": resident.relation,
        "birth_date": "",
        "id_number": "",
        "phone": "",
        "reason": "",
    }
    data.update(changes)
    return data


def test_grid_chief_edits_a_resident_and_keeps_the_id(login, town, bob):
    resident = head(town.households[0])
    old_id = resident.id_number
    response = login(bob).post(
        resident_url(resident, "edit"), _resident_form(resident, phone="13912345678")
    )

    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.phone == "13912345678" and resident.id_number == old_id
    entry = AuditEntry.objects.filter(action="update", object_id=resident.pk).latest("id")
    assert entry.changes["phone"][1] == "139****5678"


def test_resident_edit_shows_a_bad_id_number_on_its_field(login, town, bob):
    resident = head(town.households[0])
    old_id = resident.id_number
    bad = old_id[:17] + ("0" if old_id[17] != "0" else "1")
    response = login(bob).post(
        resident_url(resident, "edit"), _resident_form(resident, id_number=bad)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["id_number"]
    resident.refresh_from_db()
    assert resident.id_number == old_id


def test_villager_may_not_edit_himself(login, town, dave):
    resident = head(town.households[0])
    response = login(dave).post(
        resident_url(resident, "edit"), _resident_form(resident, name="改名")
    )
    assert response.status_code == 403


# --- Layout and language ------------------------------------------------------------------------


def test_login_page_renders(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "乡治" in html and 'name="password"' in html


def test_language_switch_to_english(login, town, alice):
    client = login(alice)
    before = client.get(unit_url(town.township))
    assert '<html lang="zh-hans">' in before.content.decode()

    response = client.post(
        reverse("set_language"), {"language": "en", "next": unit_url(town.township)}
    )
    assert response.status_code == 302

    after = client.get(unit_url(town.township)).content.decode()
    assert '<html lang="en">' in after
    assert "Export Excel" in after and "Log out" in after


def test_pages_load_htmx_from_static_without_inline_scripts(login, town, bob):
    html = login(bob).get(reverse("home")).content.decode()
    assert "vendor/htmx.min.js" in html
    assert "<script>" not in html and "<script " not in html.replace('<script src="', "")
