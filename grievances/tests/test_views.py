"""Every page: allowed, denied (403) and out of scope (404), with the personas; list query counts;
the drill-down lists exactly a figure's records; Excel export; the hooks on other pages."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grievances import selectors, services
from grievances.models import Grievance
from people.access import scope_for

from .conftest import raise_grievance


def url(name, *args):
    return reverse(f"grievances:{name}", args=args)


# --- list and drill-down ----------------------------------------------------------------------


def test_list_shows_what_each_persona_sees(login, town, alice, bob, charlie, eve, grievance):
    assert f"#{grievance.pk} " in login(alice).get(url("list")).content.decode()
    assert f"#{grievance.pk} " in login(bob).get(url("list")).content.decode()
    assert f"#{grievance.pk} " not in login(charlie).get(url("list")).content.decode()
    assert f"#{grievance.pk} " not in login(eve).get(url("list")).content.decode()


def test_list_needs_a_login(client):
    assert client.get(url("list")).status_code == 302


def test_list_query_count_does_not_grow(login, town, bob, django_assert_max_num_queries):
    resident = town.households[0].members.get()
    for _ in range(12):
        raise_grievance(bob, resident)
    client = login(bob)
    with django_assert_max_num_queries(10):
        response = client.get(url("list"))
    assert response.content.decode().count('class="grievance') == 12


def test_drill_down_lists_exactly_the_figure(login, town, alice, bob, grievance, today):
    other = raise_grievance(bob, town.households[1].members.get())
    services.assign(grievance=other, actor=bob, unit=town.grids[0])
    services.reply_to(grievance=other, actor=bob, reply="好")
    services.conclude(grievance=other, actor=bob)
    params = {"unit": town.villages[0].pk, "start": today, "end": today}
    client = login(alice)
    for figure, expected in (("received", {grievance.pk, other.pk}), ("concluded", {other.pk})):
        response = client.get(url("list"), {**params, "figure": figure})
        assert response.status_code == 200
        assert {g.pk for g in response.context["rows"]} == expected
        f = selectors.figures(scope=scope_for(alice), unit=town.villages[0], start=today, end=today)
        assert response.context["page"].paginator.count == f[figure]


def test_drill_down_refusals(login, town, alice, charlie, eve, today):
    client = login(alice)
    assert client.get(url("list"), {"figure": "received"}).status_code == 400
    assert (
        client.get(
            url("list"), {"figure": "nope", "unit": town.township.pk, "start": today, "end": today}
        ).status_code
        == 400
    )
    # a unit outside one's scope: 404
    assert login(charlie).get(url("list"), {"unit": town.villages[0].pk}).status_code == 404
    assert login(eve).get(url("list"), {"unit": town.township.pk}).status_code == 404


def test_excel_export_masks_for_view_only_roles(login, town, alice, sam, grievance):
    services.assign(grievance=grievance, actor=alice, unit=town.township)
    response = login(sam).get(url("list"), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    name = grievance.person_name
    assert name not in rows[1] and f"{name[0]}*{name[-1]}" in rows[1]
    full = load_workbook(io.BytesIO(login(alice).get(url("list"), {"format": "xlsx"}).content))
    assert name in list(full.active.iter_rows(values_only=True))[1]


# --- mine, intake ---------------------------------------------------------------------------


def test_mine(login, town, bob, charlie, grievance):
    assert grievance in login(bob).get(url("mine")).context["rows"]
    assert grievance not in login(charlie).get(url("mine")).context["rows"]


def test_intake_page_and_post(login, town, bob, dave):
    client = login(bob)
    household = town.households[0]
    assert client.get(url("new")).status_code == 200
    page = client.get(url("new"), {"household": household.pk})
    assert page.status_code == 200 and "resident" in page.context["form"].fields
    response = client.post(
        url("new") + f"?household={household.pk}",
        {
            "channel": "grid_round",
            "household": household.pk,
            "category": "环境卫生",
            "subject": "垃圾未清运",
            "request": "路口垃圾三天没人清运",
            "received_on": "2026-01-05",
        },
    )
    g = Grievance.objects.get(subject="垃圾未清运")
    assert response.status_code == 302 and response["Location"] == url("detail", g.pk)
    assert g.resident == household.members.get() and g.recorded_by == bob


def test_intake_page_refusals(login, town, bob, dave, eve, sam):
    assert login(bob).get(url("new"), {"household": town.households[9].pk}).status_code == 404
    assert login(eve).get(url("new"), {"household": town.households[0].pk}).status_code == 404
    assert login(sam).get(url("new")).status_code == 404  # VIEW only: records nothing
    assert login(dave).get(url("new")).status_code == 404  # a villager files from his household


def test_villager_files_their_own(login, town, dave):
    client = login(dave)
    page = client.get(url("new"), {"household": town.households[0].pk})
    assert page.status_code == 200 and page.context["villager"]
    response = client.post(
        url("new") + f"?household={town.households[0].pk}",
        {"category": "水电供应", "subject": "停水", "request": "家里停水两天"},
    )
    g = Grievance.objects.get(subject="停水")
    assert response.status_code == 302 and g.channel == "self" and g.person_user == dave
    assert client.get(url("new"), {"household": town.households[1].pk}).status_code == 404


# --- the grievance page and its steps -------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("bob", 200), ("dave", 200), ("sam", 200), ("charlie", 404), ("eve", 404)],
)
def test_detail_scope(request, login, grievance, who, status):
    user = request.getfixturevalue(who)
    assert login(user).get(url("detail", grievance.pk)).status_code == status


def test_steps_allowed_denied_out_of_scope(login, town, bob, dave, sam, charlie, eve, grievance):
    assign = {"assign-unit": town.grids[0].pk, "assign-assignee": bob.pk}
    assert login(sam).post(url("act", grievance.pk, "assign"), assign).status_code == 403
    assert login(dave).post(url("act", grievance.pk, "note"), {"note-note": "x"}).status_code == 403
    assert login(charlie).post(url("act", grievance.pk, "assign"), assign).status_code == 404
    assert login(eve).post(url("act", grievance.pk, "assign"), assign).status_code == 404
    client = login(bob)
    assert client.post(url("act", grievance.pk, "assign"), assign).status_code == 302
    assert client.post(url("act", grievance.pk, "conclude"), {}).status_code == 403  # not yet
    assert client.post(url("act", grievance.pk, "reply"), {"reply-reply": "修"}).status_code == 302
    assert client.post(url("act", grievance.pk, "conclude"), {}).status_code == 302
    client = login(dave)
    assert (
        client.post(
            url("act", grievance.pk, "rate"),
            {"rate-rating": "satisfied", "rate-method": "own_login"},
        ).status_code
        == 302
    )
    grievance.refresh_from_db()
    assert (grievance.state, grievance.rating, grievance.rating_method) == (
        "concluded",
        "satisfied",
        "own_login",
    )
    assert client.post(url("act", grievance.pk, "bogus"), {}).status_code == 404


def test_a_refused_step_shows_on_the_form(login, town, bob, grievance):
    response = login(bob).post(
        url("act", grievance.pk, "assign"),
        {"assign-unit": town.grids[0].pk, "assign-deadline": "2000-01-01"},
    )
    assert response.status_code == 400
    assert "deadline" in response.content.decode().lower() or response.context["forms"]


def test_attachment_scope(login, town, bob, charlie, grievance, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert login(bob).post(url("act", grievance.pk, "attach"), {"files": [pdf]}).status_code == 302
    item = grievance.attachments.get()
    assert login(bob).get(url("attachment", item.pk)).status_code == 200
    assert login(charlie).get(url("attachment", item.pk)).status_code == 404


# --- duty rota --------------------------------------------------------------------------------


def test_duty_page(login, town, alice, lee, bob, dave, today, petition):
    response = login(alice).get(url("duty"))
    assert response.status_code == 200 and response.context["form"] is not None
    shift = response.context["shifts"][0]
    assert shift.received == 1 and shift.receptions[0].pk == petition.pk
    post = {"unit": town.villages[0].pk, "date": today.isoformat(), "leader": lee.pk}
    assert login(alice).post(url("duty"), post).status_code == 302
    assert login(bob).post(url("duty"), post).status_code == 403
    assert login(dave).get(url("duty")).status_code == 404


def test_duty_page_query_count(login, alice, lee, petition, django_assert_max_num_queries):
    client = login(alice)
    with django_assert_max_num_queries(16):
        assert client.get(url("duty")).status_code == 200


# --- hooks ------------------------------------------------------------------------------------


def test_home_card(login, bob, dave, grievance):
    page = login(bob).get(reverse("home")).content.decode()
    assert 'id="grievances-card"' in page and 'id="grievance-new"' in page
    page = login(dave).get(reverse("home")).content.decode()
    assert 'id="grievances-card"' in page and "?household=" in page


def test_household_hook(login, town, bob, dave, charlie, grievance):
    path = reverse("places:household", args=[town.households[0].pk])
    page = login(bob).get(path).content.decode()
    assert 'id="household-grievances"' in page and grievance.subject in page
    page = login(dave).get(path).content.decode()
    assert 'id="household-grievance-new"' in page


def test_unit_hook_links_every_figure(login, town, alice, grievance):
    page = login(alice).get(reverse("places:unit", args=[town.villages[0].pk])).content.decode()
    assert 'id="unit-grievances"' in page
    for figure in selectors.FIGURES:
        assert f"figure={figure}" in page


def test_a_township_types_the_household_number(login, town, alice, monkeypatch):
    monkeypatch.setattr("grievances.forms.MAX_HOUSEHOLD_CHOICES", 5)
    client = login(alice)
    page = client.get(url("new"))
    assert page.context["form"].fields["household"].__class__.__name__ == "CharField"
    household = town.households[7]
    data = {
        "channel": "phone",
        "household": household.number,
        "category": "其他",
        "subject": "电话反映",
        "request": "咨询政策",
        "received_on": "2026-01-05",
    }
    assert client.post(url("new"), data).status_code == 302
    assert Grievance.objects.get(subject="电话反映").household == household
    response = client.post(url("new"), {**data, "household": "NOPE"})
    assert response.status_code == 200 and response.context["form"].errors["household"]
