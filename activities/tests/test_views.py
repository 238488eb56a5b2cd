"""Every page: allowed, denied (403: visible but not allowed) and out of scope (404)."""

import datetime

import pytest
from django.urls import reverse

from activities import services
from activities.models import Decision, Spending, Step, Training

from .conftest import DAY

PERIOD = {"start": "2026-01-01", "end": "2026-12-31"}


def _report(client, unit=None, **params):
    query = {**PERIOD, **params}
    if unit is not None:
        query["unit"] = unit.pk
    return client.get(reverse("activities:report"), query)


# --- The menu and lists -----------------------------------------------------------------------


def test_index_lists_records_in_scope(login, bob, records, django_assert_max_num_queries):
    client = login(bob)
    for kind in ("training", "volunteer", "propaganda", "broadcast", "meeting", "output"):
        with django_assert_max_num_queries(12):
            response = client.get(reverse("activities:index"), {"kind": kind})
        assert response.status_code == 200
        assert str(records[kind]) in response.content.decode()


def test_index_hides_records_out_of_scope(login, charlie, records):
    response = login(charlie).get(reverse("activities:index"))
    assert response.status_code == 200
    assert records["training"].topic not in response.content.decode()


def test_index_refuses_a_villager(login, dave):
    assert login(dave).get(reverse("activities:index")).status_code == 403


def test_index_unknown_kind_is_404(login, alice):
    assert login(alice).get(reverse("activities:index"), {"kind": "nope"}).status_code == 404


# --- Recording --------------------------------------------------------------------------------


def test_bob_records_a_training_on_his_grid(login, bob, town):
    client = login(bob)
    assert client.get(reverse("activities:new", args=["training"])).status_code == 200
    response = client.post(
        reverse("activities:new", args=["training"]),
        {
            "unit": town.grids[0].pk,
            "date": "2026-03-01",
            "kind": "central",
            "topic": "积分制培训",
            "trainer": "李书记",
            "hours": "2",
            "users": [bob.pk],
            "id_numbers": town.households[0].members.get().id_number,
        },
    )
    training = Training.objects.get()
    assert response.status_code == 302
    assert training.recorded_by == bob and training.attendances.count() == 2
    assert (
        login(bob).get(reverse("activities:record", args=["training", training.pk])).status_code
        == 200
    )


def test_recording_refuses_a_resident_out_of_sight(login, bob, town):
    response = login(bob).post(
        reverse("activities:new", args=["training"]),
        {
            "unit": town.grids[0].pk,
            "date": "2026-03-01",
            "kind": "central",
            "topic": "积分制培训",
            "trainer": "李书记",
            "hours": "2",
            "id_numbers": town.households[-1].members.get().id_number,
        },
    )
    assert response.status_code == 200 and not Training.objects.exists()


@pytest.mark.parametrize(
    "kind", ["training", "volunteer", "propaganda", "broadcast", "meeting", "output"]
)
def test_record_forms_render(login, alice, town, kind):
    response = login(alice).get(reverse("activities:new", args=[kind]), {"unit": town.grids[0].pk})
    assert response.status_code == 200


def test_recording_on_a_unit_seen_but_not_changeable_is_403(login, pam, bob, town):
    assert (
        login(pam)
        .get(reverse("activities:new", args=["meeting"]), {"unit": town.grids[0].pk})
        .status_code
        == 403
    )
    # bob sees grid 0's 联户 but the township above him is out of sight: 404
    response = login(bob).post(
        reverse("activities:new", args=["meeting"]),
        {"unit": town.township.pk, "date": "2026-03-01"},
    )
    assert response.status_code == 404


def test_recording_refused_to_a_villager(login, dave):
    assert login(dave).get(reverse("activities:new", args=["output"])).status_code == 403


def test_record_page_scoped(login, bob, charlie, eve, records):
    url = reverse("activities:record", args=["meeting", records["meeting"].pk])
    assert login(bob).get(url).status_code == 200
    assert login(charlie).get(url).status_code == 404
    assert login(eve).get(url).status_code == 404


def test_team_form(login, alice, pam, eve, town):
    client = login(alice)
    response = client.post(
        reverse("activities:new_team"),
        {"unit": town.villages[0].pk, "name": "党员志愿服务队", "members": 20},
    )
    assert response.status_code == 302
    assert (
        login(pam).get(reverse("activities:new_team"), {"unit": town.villages[0].pk}).status_code
        == 403
    )
    assert (
        login(eve).get(reverse("activities:new_team"), {"unit": town.villages[0].pk}).status_code
        == 404
    )


# --- Statistics -------------------------------------------------------------------------------


def test_report_shows_figures_linked_to_records(
    login, alice, town, records, django_assert_max_num_queries
):
    client = login(alice)
    with django_assert_max_num_queries(40):
        response = _report(client, town.township)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="figure-trainings"' in body and "activities-chart-data" in body
    # the grievance figures of the grievances app, each linking to its drill-down
    assert 'id="grievance-received"' in body
    assert reverse("grievances:list") + f"?unit={town.township.pk}" in body
    figure = client.get(
        reverse("activities:figure"), {**PERIOD, "unit": town.township.pk, "figure": "attendances"}
    )
    assert figure.status_code == 200
    assert figure.context["page"].paginator.count == 2


def test_report_defaults_to_the_users_top_unit(login, bob, town):
    response = login(bob).get(reverse("activities:report"))
    assert response.status_code == 200 and response.context["unit"] == town.grids[0]


def test_report_scoped(login, bob, eve, dave, town):
    assert _report(login(bob), town.township).status_code == 404
    assert _report(login(eve), town.township).status_code == 404
    assert _report(login(dave)).status_code == 403


def test_figure_unknown_is_404(login, alice, town):
    response = login(alice).get(
        reverse("activities:figure"), {"unit": town.township.pk, "figure": "x"}
    )
    assert response.status_code == 404


def test_figure_scoped(login, charlie, dave, town):
    query = {"unit": town.grids[0].pk, "figure": "trainings"}
    assert login(charlie).get(reverse("activities:figure"), query).status_code == 404
    assert login(dave).get(reverse("activities:figure"), {"figure": "trainings"}).status_code == 403


def test_export_is_an_xlsx_of_the_figures(login, alice, eve, dave, town, records):
    from core.excel import read_rows

    response = login(alice).get(reverse("activities:export"), {**PERIOD, "unit": town.township.pk})
    assert response.status_code == 200
    import io

    headers, rows = read_rows(io.BytesIO(response.content), max_rows=500)
    assert len(headers) == 3
    first = rows[0][1]  # the first figure: training sessions
    assert first[2] == 1
    assert _export_status(login(eve), town) == 404
    assert login(dave).get(reverse("activities:export")).status_code == 403


def _export_status(client, town):
    return client.get(reverse("activities:export"), {"unit": town.township.pk}).status_code


# --- Decisions --------------------------------------------------------------------------------


def test_decision_pages(login, vic, pam, eve, bob, town, decision):
    client = login(vic)
    assert client.get(reverse("activities:decisions")).status_code == 200
    url = reverse("activities:decision", args=[decision.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": 1, "date": "2026-03-01", "outcome": "approved"})
    assert response.status_code == 302
    assert decision.steps.count() == 1
    assert login(pam).get(url).status_code == 200
    assert (
        login(pam).post(url, {"kind": 2, "date": "2026-03-02", "outcome": "approved"}).status_code
        == 403
    )
    assert login(eve).get(url).status_code == 404
    assert login(bob).get(url).status_code == 404


def test_decision_page_shows_an_out_of_order_step_as_an_error(login, vic, decision):
    response = login(vic).post(
        reverse("activities:decision", args=[decision.pk]),
        {"kind": 3, "date": "2026-03-01", "outcome": "approved"},
    )
    assert response.status_code == 200
    assert not decision.steps.exists()


def test_new_decision(login, vic, pam, eve, town):
    client = login(vic)
    assert client.get(reverse("activities:new_decision")).status_code == 200
    response = client.post(
        reverse("activities:new_decision"),
        {"village": town.villages[0].pk, "title": "集体经济分红"},
    )
    assert response.status_code == 302 and Decision.objects.filter(title="集体经济分红").exists()
    assert (
        login(pam)
        .post(reverse("activities:new_decision"), {"village": town.villages[0].pk, "title": "x"})
        .status_code
        == 403
    )
    assert (
        login(eve)
        .post(reverse("activities:new_decision"), {"village": town.villages[0].pk, "title": "x"})
        .status_code
        == 404
    )


def test_public_board_shows_publications_without_login(client, town, vic, decision):
    for kind, outcome in [(1, "approved"), (2, "approved"), (3, "approved"), (4, "approved")]:
        services.record_step(actor=vic, decision=decision, kind=kind, date=DAY, outcome=outcome)
    services.record_step(
        actor=vic,
        decision=decision,
        kind=5,
        date=DAY,
        outcome="published",
        summary="决议：修建村道2公里",
    )
    response = client.get(reverse("public:village", args=[town.villages[0].pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "决议：修建村道2公里" in body and "2026-03-15" in body


# --- Funding ----------------------------------------------------------------------------------


def test_funding_pages(login, alice, pam, bob, eve, town, budget):
    client = login(alice)
    assert client.get(reverse("activities:funding")).status_code == 200
    url = reverse("activities:budget", args=[budget.pk])
    response = client.post(
        url,
        {
            "date": "2026-03-01",
            "category": "bins",
            "description": "垃圾桶",
            "quantity": 500,
            "amount": "30000",
        },
    )
    assert response.status_code == 302
    entry = Spending.objects.get()
    assert (
        client.post(
            reverse("activities:reverse_spending", args=[entry.pk]), {"reason": "录错"}
        ).status_code
        == 302
    )
    assert Spending.objects.count() == 2
    assert login(pam).get(url).status_code == 200
    assert (
        login(pam)
        .post(url, {"date": "2026-03-01", "category": "bins", "description": "x", "amount": "1"})
        .status_code
        == 403
    )
    assert (
        login(pam)
        .post(reverse("activities:new_budget", args=[town.township.pk]), {"year": 2027})
        .status_code
        == 403
    )
    assert login(bob).get(url).status_code == 404
    assert login(eve).get(url).status_code == 404
    assert (
        login(eve)
        .post(reverse("activities:new_budget", args=[town.township.pk]), {"year": 2027})
        .status_code
        == 404
    )
    assert login(bob).get(reverse("activities:funding")).status_code == 403


def test_set_budget_and_rate_from_the_page(login, alice, town):
    client = login(alice)
    client.post(reverse("activities:set_rate", args=[town.township.pk]), {"rate": "2.00"})
    client.post(
        reverse("activities:new_budget", args=[town.township.pk]), {"year": 2026, "months": 6}
    )
    from activities.models import Budget

    budget = Budget.objects.get()
    assert budget.amount == budget.residents * 2 * 6


# --- Hooks ------------------------------------------------------------------------------------


def test_home_and_unit_hooks(login, bob, dave, town, records):
    body = login(bob).get(reverse("home")).content.decode()
    assert 'id="activities-home"' in body
    unit_page = login(bob).get(reverse("places:unit", args=[town.grids[0].pk])).content.decode()
    assert 'id="activities-unit"' in unit_page
    assert 'id="activities-home"' not in login(dave).get(reverse("home")).content.decode()


def test_photos_are_served_only_in_scope(login, alice, charlie, town):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="JPEG")
    upload = SimpleUploadedFile("a.jpg", buffer.getvalue(), content_type="image/jpeg")
    record = services.record_output(
        actor=alice,
        unit=town.grids[0],
        date=datetime.date(2026, 3, 1),
        kind="bins",
        quantity=5,
        photos=[upload],
    )
    from activities.models import Photo

    photo = Photo.objects.get(object_id=record.pk)
    assert login(alice).get(reverse("activities:photo", args=[photo.pk])).status_code == 200
    assert login(charlie).get(reverse("activities:photo", args=[photo.pk])).status_code == 404
    assert Step  # the model is imported for the public test above


def test_list_pages_do_not_grow_with_rows(
    login, alice, town, vic, budget, django_assert_max_num_queries
):
    for n in range(5):
        decision = services.start_decision(actor=vic, village=town.villages[0], title=f"事项{n}")
        services.record_step(actor=vic, decision=decision, kind=1, date=DAY, outcome="approved")
        services.spend(
            actor=alice, budget=budget, date=DAY, category="bins", description=f"桶{n}", amount=10
        )
        services.record_meeting(
            actor=alice, unit=town.grids[n % 4], date=DAY, kind="special", title=f"会{n}"
        )
    client = login(alice)
    pages = [
        (reverse("activities:decisions"), {}),
        (reverse("activities:funding"), {}),
        (reverse("activities:budget", args=[budget.pk]), {}),
        (
            reverse("activities:figure"),
            {**PERIOD, "unit": town.township.pk, "figure": "decisions_started"},
        ),
        (reverse("activities:figure"), {**PERIOD, "unit": town.township.pk, "figure": "meetings"}),
    ]
    for url, query in pages:
        with django_assert_max_num_queries(14):
            assert client.get(url, query).status_code == 200
