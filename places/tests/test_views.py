"""The places pages over HTTP: allowed, refused (403), out of scope (404), anonymous (login).

Personas (conftest): alice runs 达依乡, bob is chief of grid 0, charlie a member of grid 3,
dave a villager in grid 0's first household, eve runs another township.
"""

import datetime
import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from conftest import _persona
from core.models import AuditEntry
from people.models import User
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


# The unit, household and home pages carry the domain apps' panels (work, shop, stars,
# grievances, activities, notify: a few constant queries each), hence the budgets below.


def test_township_page_queries_do_not_grow_with_the_tree(
    login, town, alice, django_assert_max_num_queries
):
    client = login(alice)
    with django_assert_max_num_queries(28):
        client.get(unit_url(town.township))
    for v in range(3):
        services.create_unit(kind="village", name=f"新村{v}", parent=town.township, actor=None)
    add_households(town, 0, 5)
    with django_assert_max_num_queries(28):
        response = client.get(unit_url(town.township))
    assert len(response.context["admin_children"]) == 5


def test_grid_page_lists_households_masked_and_paginated(
    login, town, bob, django_assert_max_num_queries
):
    add_households(town, 0, 60)
    client = login(bob)
    with django_assert_max_num_queries(23):
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

    with django_assert_max_num_queries(20):
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
    response = login(bob).post(
        resident_url(resident, "identity"), {"reason": "核对户籍"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert resident.id_number in html and resident.phone in html
    assert "<html" not in html  # an htmx fragment, not a page
    entry = AuditEntry.objects.get(action="view_sensitive", object_id=resident.pk)
    assert entry.actor == bob and entry.reason == "核对户籍"


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


# --- Responsibility areas -----------------------------------------------------------------------


def area_url(area, action=""):
    name = f"places:area_{action}" if action else "places:area"
    return reverse(name, args=[area.pk])


def make_area(town, grid_index=0, **fields):
    grid = town.grids[grid_index]
    fields.setdefault("name", f"{grid.name}通组路")
    fields.setdefault("kind", "road")
    if not fields.get("owner") and not fields.get("owner_household"):
        fields["owner_household"] = town.households[grid_index * 3]
    return services.create_area(grid=grid, actor=None, **fields)


def test_grid_page_lists_the_areas_under_it(login, town, alice, bob):
    on_grid = make_area(town, owner=bob, description="村口到学校")
    on_joint = services.create_area(
        grid=town.joints[0],
        name="门前三包",
        kind="door",
        owner_household=town.households[1],
        actor=None,
    )
    make_area(town, grid_index=3)  # another grid's area is not listed

    response = login(bob).get(unit_url(town.grids[0]))

    assert [a.pk for a in response.context["areas"]["rows"]] == [on_grid.pk, on_joint.pk]
    html = response.content.decode()
    assert on_grid.name in html and "村口到学校" in html and "bob" in html
    assert town.households[1].number in html and household_url(town.households[1]) in html
    assert town.joints[0].name in html  # an area of a sub-unit names its grid
    assert "001" in html and area_url(on_joint) in html
    assert response.context["area_form"] is None  # a grid chief may not add areas
    assert login(alice).get(unit_url(town.grids[0])).context["area_form"] is not None


def test_area_list_queries_do_not_grow_and_pages(login, town, alice, django_assert_max_num_queries):
    client = login(alice)
    make_area(town)
    with django_assert_max_num_queries(26):
        client.get(unit_url(town.grids[0]))
    for n in range(54):
        make_area(town, name=f"沟渠{n}", owner=alice if n % 2 else None)
    with django_assert_max_num_queries(26):
        response = client.get(unit_url(town.grids[0]))
    areas = response.context["areas"]
    assert len(areas["rows"]) == 50 and areas["next"] == 2 and areas["previous"] is None
    second = client.get(unit_url(town.grids[0]), {"areas_page": 2}).context["areas"]
    assert len(second["rows"]) == 5 and second["next"] is None and second["previous"] == 1


def test_township_page_lists_areas_within_its_query_budget(
    login, town, alice, django_assert_max_num_queries
):
    make_area(town)
    make_area(town, grid_index=3)
    client = login(alice)
    with django_assert_max_num_queries(28):
        response = client.get(unit_url(town.township))
    assert len(response.context["areas"]["rows"]) == 2
    assert response.context["area_form"] is None  # areas are added on a grid


def test_area_page_shows_details_and_history(
    login, town, alice, bob, django_assert_max_num_queries
):
    area = make_area(town, description="村口到学校")
    services.reassign_area(area=area, owner=bob, actor=alice, reason="网格调整")
    client = login(alice)

    with django_assert_max_num_queries(9):
        response = client.get(area_url(area))

    assert response.status_code == 200
    html = response.content.decode()
    assert area.name in html and "村口到学校" in html and unit_url(town.grids[0]) in html
    assert "网格调整" in html and town.households[0].number in html  # before → after
    assert response.context["reassign_form"] is not None
    bob_view = login(bob).get(area_url(area))
    assert bob_view.status_code == 200 and bob_view.context["reassign_form"] is None


@pytest.mark.parametrize("persona", ["charlie", "dave", "eve"])
def test_area_page_out_of_scope_is_404(request, login, town, persona):
    area = make_area(town)
    client = login(request.getfixturevalue(persona))
    assert client.get(area_url(area)).status_code == 404
    response = client.post(area_url(area, "reassign"), {"owner_username": "x", "reason": "r"})
    assert response.status_code == 404
    assert (
        client.get(reverse("places:unit_areas_export", args=[town.grids[0].pk])).status_code == 404
    )


def test_township_secretary_adds_an_area(login, town, alice, bob):
    make_area(town, number=7)
    response = login(alice).post(
        reverse("places:area_add", args=[town.grids[0].pk]),
        {"name": "主河道", "kind": "river", "owner_username": "bob", "reason": "乡党委会议"},
    )

    assert response.status_code == 302 and response["Location"].endswith("#areas")
    area = town.grids[0].areas.get(name="主河道")
    assert area.number == 8 and area.owner == bob and area.grid_path == town.grids[0].path
    entry = AuditEntry.objects.get(content_type__model="responsibilityarea", object_id=area.pk)
    assert entry.actor == alice and entry.reason == "乡党委会议"
    assert entry.changes["owner"] == [None, bob.pk] and entry.changes["number"] == [None, 8]


def test_add_area_needs_manage_on_a_grid(login, town, bob, eve, alice):
    data = {"name": "主河道", "kind": "river", "owner_username": "bob"}
    assert (
        login(bob).post(reverse("places:area_add", args=[town.grids[0].pk]), data).status_code
        == 403
    )
    assert (
        login(eve).post(reverse("places:area_add", args=[town.grids[0].pk]), data).status_code
        == 404
    )
    village = reverse("places:area_add", args=[town.villages[0].pk])
    assert login(alice).post(village, data).status_code == 404
    assert not town.grids[0].areas.exists()


def test_add_area_errors_show_on_the_form(login, town, alice, other_town):
    client = login(alice)
    url = reverse("places:area_add", args=[town.grids[0].pk])

    response = client.post(
        url,
        {"name": "河", "kind": "river", "owner_username": "nobody", "owner_household": "X999"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    form = response.context["area_form"]
    assert form.errors["owner_username"] == [
        "There is no active user with the login name “nobody”."
    ]
    assert form.errors["owner_household"] == [
        "There is no household numbered “X999” in your part of the township."
    ]
    elsewhere = other_town.households[0].number  # not in alice's township
    response = client.post(url, {"name": "河", "kind": "river", "owner_household": elsewhere})
    assert "owner_household" in response.context["area_form"].errors

    response = client.post(url, {"name": "河", "kind": "river"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["area_form"].non_field_errors() == [
        "A responsibility area needs an owner: a person or a household."
    ]
    make_area(town, number=3)
    response = client.post(
        url, {"number": 3, "name": "河", "kind": "river", "owner_username": "alice"}
    )
    assert response.context["area_form"].non_field_errors()
    assert not town.grids[0].areas.filter(name="河").exists()


def test_township_secretary_reassigns_an_area(login, town, alice, bob):
    area = make_area(town)
    old_household = area.owner_household
    response = login(alice).post(
        area_url(area, "reassign"), {"owner_username": "bob", "reason": "户主外出务工"}
    )

    assert response.status_code == 302
    area.refresh_from_db()
    assert area.owner == bob and area.owner_household is None
    entry = AuditEntry.objects.filter(object_id=area.pk, action="update").get()
    assert entry.changes == {
        "owner": [None, bob.pk],
        "owner_household": [old_household.pk, None],
    }
    assert entry.reason == "户主外出务工" and entry.actor == alice


def test_reassign_needs_manage_and_a_reason(login, town, alice, bob):
    area = make_area(town)
    data = {"owner_username": "bob", "reason": "调整"}
    assert login(bob).post(area_url(area, "reassign"), data).status_code == 403
    response = login(alice).post(area_url(area, "reassign"), {"owner_username": "bob"})
    assert response.status_code == 200 and response.context["reassign_form"].errors["reason"]
    number = area.owner_household.number
    response = login(alice).post(
        area_url(area, "reassign"),
        {"owner_household": number, "reason": "x"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.context["reassign_form"].non_field_errors() == [
        f"Area {area} already has this owner."
    ]
    area.refresh_from_db()
    assert area.owner is None


def test_areas_export_lists_the_areas_under_the_unit(login, town, bob, alice):
    from openpyxl import load_workbook

    first = make_area(town, description="村口")
    make_area(town, name="沟渠", owner=alice, kind="river")
    make_area(town, grid_index=3)

    response = login(bob).get(
        reverse("places:unit_areas_export", args=[town.grids[0].pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "Number", "Name", "Kind", "Grid", "Owner", "Owner household", "Description",
    )  # fmt: skip
    assert rows[1] == (
        first.number, first.name, "Road", town.grids[0].name, None,
        town.households[0].number, "村口",
    )  # fmt: skip
    assert rows[2][4] == "alice" and len(rows) == 3


# --- Township configuration ---------------------------------------------------------------------


def config_data(config, **changes):
    from places.forms import ConfigForm

    data = {k: v for k, v in ConfigForm.initial_for(config).items() if v not in (False, None)}
    data.update(changes)
    return data


def test_township_page_shows_the_rules_read_only_to_viewers(login, town, alice):
    supervisor = _persona("sam", "supervisor", unit=town.township)
    response = login(supervisor).get(unit_url(town.township), HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert 'id="config"' in html and "爱党爱国星" in html and "Warning talk below" in html
    assert response.context["config"].grid_levels == 4
    assert response.context["config_form"] is None
    assert reverse("places:township_config", args=[town.township.pk]) not in html
    assert login(alice).get(unit_url(town.township)).context["config_form"] is not None
    assert login(alice).get(unit_url(town.grids[0])).context["config"] is None


def test_township_secretary_changes_the_rules(login, town, alice):
    config = town.township.config
    data = config_data(config, warning_below="88", red_list_size="6", star_10="", reason="党委会")
    data["star_11"] = "ignored"  # the form offers ten rows only

    response = login(alice).post(reverse("places:township_config", args=[town.township.pk]), data)

    assert response.status_code == 302
    config.refresh_from_db()
    assert str(config.warning_below) == "88.0" and config.red_list_size == 6
    assert len(config.stars) == 9 and "团结互助星" not in [s["name"] for s in config.stars]
    entry = AuditEntry.objects.get(content_type__model="townshipconfig", action="update")
    assert entry.changes["warning_below"] == ["85.0", "88.0"]
    assert entry.changes["red_list_size"] == [5, 6] and entry.reason == "党委会"


def test_config_form_shows_each_broken_rule_on_its_field(login, town, alice):
    config = town.township.config
    data = config_data(
        config,
        grid_levels="3",
        suspension_below="90",
        black_list_size="0",
        star_2="爱党爱国星",
        star_1_required="",
        star_2_required="",
        star_3_required="",
    )
    response = login(alice).post(
        reverse("places:township_config", args=[town.township.pk]), data, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    form = response.context["config_form"]
    assert form.errors["grid_levels"] == [
        "达依乡 already has grids at level 4, so it needs at least 4 grid levels."
    ]
    assert form.errors["suspension_below"] == [
        "The suspension threshold (90.0) cannot be above the warning threshold (85.0): "
        "a score low enough for suspension gets a warning talk first."
    ]
    assert form.errors["black_list_size"] == ["The black list names at least one village."]
    assert form.non_field_errors() == [
        "The star “爱党爱国星” appears more than once.",
        "At least one star must be required of every household.",
    ]
    html = response.content.decode()
    assert "already has grids at level 4" in html
    assert "爱党爱国星" in html and response.context["config"].grid_levels == 4
    config.refresh_from_db()
    assert config.grid_levels == 4 and config.black_list_size == 3


def test_config_form_names_an_unnamed_required_star(login, town, alice):
    data = config_data(town.township.config, star_10="", star_10_required="on")
    response = login(alice).post(
        reverse("places:township_config", args=[town.township.pk]), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.context["config_form"].errors["star_10"] == [
        "Give this star a name, or untick “required”."
    ]


def test_config_change_needs_manage_on_the_township(login, town, alice, eve):
    supervisor = _persona("sam", "supervisor", unit=town.township)
    url = reverse("places:township_config", args=[town.township.pk])
    data = config_data(town.township.config, red_list_size="9")
    assert login(supervisor).post(url, data).status_code == 403
    assert login(eve).post(url, data).status_code == 404
    grid = reverse("places:township_config", args=[town.grids[0].pk])
    assert login(alice).post(grid, data).status_code == 404
    town.township.config.refresh_from_db()
    assert town.township.config.red_list_size == 5


# --- Adding a member to a household -------------------------------------------------------------


def member_data(**fields):
    data = {"name": "王小红", "relation": "child", "phone": "", "reason": ""}
    data.update(fields)
    return data


def test_grid_chief_adds_a_member_with_birth_date_and_sex_from_the_id(login, town, bob):
    household = town.households[0]
    id_number = make_id_number(sex="F")
    response = login(bob).post(
        household_url(household, "add_member"),
        member_data(id_number=id_number.lower(), phone="13912345678"),
    )

    assert response.status_code == 302
    member = household.members.get(name="王小红")
    assert member.sex == "F" and member.id_number == id_number.upper()
    assert member.birth_date.strftime("%Y%m%d") == id_number[6:14]
    entry = AuditEntry.objects.get(content_type__model="resident", object_id=member.pk)
    assert entry.actor == bob and entry.changes["phone"] == ["", "139****5678"]


def test_add_member_with_a_wrong_check_digit_names_the_field(login, town, bob):
    good = make_id_number()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    client = login(bob)

    response = client.post(
        household_url(town.households[0], "add_member"),
        member_data(id_number=bad),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    form = response.context["member_form"]
    assert form.errors == {"id_number": ["The check digit of the ID number is wrong."]}
    html = response.content.decode()
    field_html = html[html.index('for="id_id_number"') :]
    assert field_html.index("The check digit of the ID number is wrong.") < field_html.index(
        'for="id_phone"'
    )
    assert 'id="add-member" open' in html
    chinese = client.post(
        household_url(town.households[0], "add_member"),
        member_data(id_number=bad),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    with translation.override("zh-hans"):
        expected = str(_("The check digit of the ID number is wrong."))
    assert chinese.context["member_form"].errors["id_number"] == [expected]
    assert not town.households[0].members.filter(name="王小红").exists()


def test_add_member_checks_sex_birth_date_and_head(login, town, bob):
    client = login(bob)
    url = household_url(town.households[0], "add_member")
    id_number = make_id_number(sex="M")

    response = client.post(url, member_data(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["member_form"].errors["sex"] == [
        "Choose the sex, or enter the ID number to take it from there."
    ]
    response = client.post(
        url,
        member_data(id_number=id_number, sex="F", birth_date="2001-01-01"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    errors = response.context["member_form"].errors
    assert errors["sex"] == ["The sex in the ID number is “Male”."]
    born = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
    assert errors["birth_date"] == [
        f"The birth date differs from the one in the ID number ({born})."
    ]
    response = client.post(url, member_data(sex="M", relation="head"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["member_form"].errors["relation"] == [
        f"Household {town.households[0].number} already has a head; choose another relation."
    ]
    taken = head(town.households[1]).id_number
    response = client.post(url, member_data(id_number=taken))
    assert response.context["member_form"].errors["id_number"]
    assert town.households[0].members.count() == 1


def test_add_member_needs_change_on_the_household(login, town, dave, charlie):
    url = household_url(town.households[0], "add_member")
    data = member_data(sex="F")
    assert login(dave).post(url, data).status_code == 403
    assert login(charlie).post(url, data).status_code == 404
    assert login(dave).get(household_url(town.households[0])).context["member_form"] is None
    assert town.households[0].members.count() == 1


# --- Exports of lists: search results and roles -------------------------------------------------


def read_sheet(response):
    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_search_export_masks_ids_and_phones(login, town, alice, django_assert_max_num_queries):
    resident = head(town.households[4])
    client = login(alice)
    with django_assert_max_num_queries(5):
        response = client.get(
            reverse("places:search_export"), {"q": resident.name}, HTTP_ACCEPT_LANGUAGE="en"
        )

    rows = read_sheet(response)
    assert rows[0] == ("Name", "Sex", "ID number", "Phone", "Household", "Group")
    assert rows[1] == (
        resident.name, "Male", resident.masked_id_number, resident.masked_phone,
        town.households[4].number, town.households[4].group.name,
    )  # fmt: skip
    assert resident.id_number not in str(rows) and resident.phone not in str(rows)
    assert "filename*=UTF-8''Search%20results-" in response["Content-Disposition"]
    search_page = client.get(reverse("places:search"), {"q": resident.name}).content.decode()
    assert reverse("places:search_export") + f"?q={quote(resident.name)}" in search_page


def test_search_export_masks_names_the_page_masks(login, town, dave):
    household = town.households[0]
    services.create_resident(household=household, actor=None, name="刘小芳", sex="F")

    rows = read_sheet(login(dave).get(reverse("places:search_export"), {"q": "刘"}))

    names = {row[0] for row in rows[1:]}
    assert names == {head(household).name, "刘*芳"}  # dave's own name in full, others masked


def test_search_export_is_limited_to_scope(login, town, eve):
    rows = read_sheet(login(eve).get(reverse("places:search_export"), {"q": "刘"}))
    assert all(row[4] not in {h.number for h in town.households} for row in rows[1:])


def test_roles_export_lists_current_and_past_roles(
    login, town, alice, bob, django_assert_max_num_queries
):
    from people import services as people_services

    former = User.objects.create_user(username="former", name="former")
    ended = people_services.assign_role(
        user=former,
        role="grid_member",
        unit=town.grids[0],
        actor=None,
        start_date=datetime.date(2022, 1, 1),
    )
    people_services.end_assignment(
        assignment=ended, actor=alice, end_date=datetime.date(2023, 6, 30), reason="考核不合格"
    )
    client = login(alice)

    with django_assert_max_num_queries(6):
        response = client.get(
            reverse("places:unit_roles_export", args=[town.grids[0].pk]),
            HTTP_ACCEPT_LANGUAGE="en",
        )

    rows = read_sheet(response)
    assert rows[0] == (
        "Name", "Role", "From", "Until", "In force", "On whose authority", "Granted by",
    )  # fmt: skip
    assert [row[:2] for row in rows[1:]] == [("bob", "Grid chief"), ("former", "Grid member")]
    assert rows[1][4] == "yes" and rows[1][3] is None
    assert rows[2][2:5] == (datetime.datetime(2022, 1, 1), datetime.datetime(2023, 6, 30), "no")
    page = client.get(unit_url(town.grids[0])).content.decode()
    assert reverse("places:unit_roles_export", args=[town.grids[0].pk]) in page


def test_roles_export_out_of_scope_is_404(login, town, charlie, eve):
    url = reverse("places:unit_roles_export", args=[town.grids[0].pk])
    assert login(charlie).get(url).status_code == 404
    assert login(eve).get(url).status_code == 404


def test_new_pages_send_the_anonymous_to_login(client, town):
    area = make_area(town)
    urls = [
        area_url(area),
        reverse("places:unit_areas_export", args=[town.grids[0].pk]),
        reverse("places:unit_roles_export", args=[town.grids[0].pk]),
        reverse("places:search_export") + "?q=刘",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for url in [
        area_url(area, "reassign"),
        reverse("places:area_add", args=[town.grids[0].pk]),
        reverse("places:township_config", args=[town.township.pk]),
        household_url(town.households[0], "add_member"),
    ]:
        assert client.post(url, {}).status_code == 302


# --- Who saw full ID numbers --------------------------------------------------------------------


def test_an_official_must_say_why_before_the_numbers_show(login, town, bob):
    resident = head(town.households[0])
    refused = login(bob).post(resident_url(resident, "identity"), HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and resident.id_number not in refused.content.decode()
    assert "说明需要" in refused.content.decode()
    assert not AuditEntry.objects.filter(action="view_sensitive").exists()


def test_the_township_admin_sees_who_saw_what_when_and_why(login, town, alice, bob, charlie, eve):
    resident = head(town.households[0])
    login(bob).post(resident_url(resident, "identity"), {"reason": "入户核实低保申请"})
    page = login(alice).get(reverse("places:identity_views"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "bob" in html and "入户核实低保申请" in html
    assert resident.name not in html and resident.id_number not in html  # masked here too
    assert (
        "入户核实低保申请" not in login(eve).get(reverse("places:identity_views")).content.decode()
    )
    assert login(charlie).get(reverse("places:identity_views")).status_code == 403
