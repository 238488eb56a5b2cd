"""The officials' dashboard and the comparisons (横纵比对): who sees what, and the figures."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment import publication
from assessment.models import Case, Close
from people import services as people_services
from people.models import User
from places import services as place_services
from places.models import TownshipConfig

from .conftest import OCT

SEP = datetime.date(2026, 9, 1)
AUTHORITY = "乡党委会议"


def _url(name, *args):
    return reverse(f"assessment:{name}", args=args)


def _data(response) -> dict:
    """The JSON the page hands to dashboard.js."""
    html = response.content.decode()
    start = html.index('<script id="assessment-data" type="application/json">')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


@pytest.fixture
def months(town, alice, bob, adjust, close):
    """September published, October computed: village 0 on the red list and village 1 on the
    black list both months; bob's grid (grids[0]) earns a suspension case in October."""
    TownshipConfig.objects.update_or_create(
        township=town.township, defaults={"red_list_size": 1, "black_list_size": 1}
    )
    adjust(town.grids[2], -10, month=SEP)
    september = close(month=SEP)
    september = publication.publish(september, user=alice, authority=AUTHORITY)
    adjust(town.grids[2], -4)
    adjust(town.grids[0], -21)  # 79: bob is suspended-to-be
    october = close()
    return september, october


def _overdue_problem(town, alice, grid, days=5):
    from work import services as work_services

    today = timezone.localdate()
    return work_services.raise_problem(
        actor=alice,
        responsible=alice,
        source="inspection",
        category="sanitation",
        description="路边堆放垃圾",
        requirement="清运",
        deadline=today - datetime.timedelta(days=days),
        grid=grid,
        raised_on=today - datetime.timedelta(days=days + 3),
    )


def _leader(town):
    """A township leader: VIEW on the township, not MANAGE."""
    user = User.objects.create_user(username="lena", password="x", name="lena")
    people_services.assign_role(
        user=user, role="township_leader", unit=town.township, household=None, actor=None
    )
    return user


# --- The dashboard --------------------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_per_persona(town, alice, bob, charlie, dave, eve, login, client):
    page = _url("dashboard", town.township.pk)
    assert login(alice).get(page).status_code == 200
    client.force_login(_leader(town))
    assert client.get(page).status_code == 200  # VIEW is enough
    for outsider in (bob, charlie, dave, eve):
        client.force_login(outsider)
        assert client.get(page).status_code == 404, outsider
    client.logout()
    assert client.get(page).status_code == 302  # to the login page


@pytest.mark.django_db
def test_dashboard_home_goes_to_the_users_township(town, alice, dave, eve, client):
    client.force_login(alice)
    assert client.get(_url("dashboard_home"))["Location"] == _url("dashboard", town.township.pk)
    client.force_login(eve)
    assert client.get(_url("dashboard_home"))["Location"] != _url("dashboard", town.township.pk)
    client.force_login(dave)
    assert client.get(_url("dashboard_home")).status_code == 404


@pytest.mark.django_db
def test_dashboard_without_any_month(town, alice, login):
    response = login(alice).get(_url("dashboard", town.township.pk))
    assert response.status_code == 200
    assert response.context["closes"] == []
    assert _data(response)["months"] == []


@pytest.mark.django_db
def test_dashboard_figures(town, alice, months, login):
    september, october = months
    _overdue_problem(town, alice, town.grids[1])
    _overdue_problem(town, alice, town.grids[1])
    _overdue_problem(town, alice, town.grids[3])
    _overdue_problem(town, alice, town.grids[3], days=-3)  # not yet due
    closed = _overdue_problem(town, alice, town.grids[3])
    from work.models import Problem

    Problem.objects.filter(pk=closed.pk).update(state=Problem.State.CLOSED)

    response = login(alice).get(_url("dashboard", town.township.pk))
    assert response.status_code == 200
    context = response.context
    assert context["closes"] == [september, october]
    township_row, *village_rows = context["trend_rows"]
    assert township_row["unit"] == town.township
    assert [row["unit"] for row in village_rows] == town.villages
    scores = [[score for _close, score in row["cells"]] for row in village_rows]
    assert scores == [[100, 89.5], [95, 98]]  # village 0: (79 + 100) / 2
    lists = {
        month["close"].month: ([v.pk for v in month["red"]], [v.pk for v in month["black"]])
        for month in context["lists"]
    }
    assert lists == {
        SEP: ([town.villages[0].pk], [town.villages[1].pk]),
        OCT: ([town.villages[1].pk], [town.villages[0].pk]),
    }
    october_cases = context["cases"][0]
    assert october_cases["close"] == october
    assert dict(zip(Case.Kind.values, october_cases["kinds"], strict=True)) == {
        "talk": 0,
        "suspension": 1,
    }
    assert october_cases["states"][Case.State.values.index("open")] == 1
    assert [row["count"] for row in context["overdue"]] == [2, 1]
    assert context["overdue_total"] == 3

    data = _data(response)
    assert data["months"] == ["2026-09", "2026-10"]
    assert data["trend"][0]["own"] is True and data["trend"][1]["data"] == [100.0, 89.5]
    assert [0, 0, 1] in data["lists"]["cells"] and [1, 0, -1] in data["lists"]["cells"]
    assert data["overdue"]["counts"] == [2, 1]
    assert sum(data["cases"][1]["data"]) == 1  # the suspension series
    html = response.content.decode()
    assert 'id="chart-trend"' in html and "assessment/dashboard.js" in html
    assert "<script>" not in html  # CSP: data as JSON only
    assert html.count('class="chart') == html.count("<table") == 4  # each chart has its table


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_villages_or_months(
    town, alice, adjust, close, login, django_assert_max_num_queries
):
    client = login(alice)
    close(month=SEP)
    with django_assert_max_num_queries(12):
        client.get(_url("dashboard", town.township.pk))
    for n in range(3):
        place_services.create_unit(
            kind="village", name=f"新村{n}", parent=town.township, actor=None
        )
    _overdue_problem(town, alice, town.grids[0])
    close(month=OCT)
    close(month=datetime.date(2026, 11, 1))
    with django_assert_max_num_queries(12):
        response = client.get(_url("dashboard", town.township.pk))
    assert len(response.context["closes"]) == 3
    assert len(response.context["overdue"]) == 5


@pytest.mark.django_db
def test_dashboard_shows_at_most_twelve_months(town, alice, close, login):
    for n in range(14):
        close(month=datetime.date(2025 + (n + 8) // 12, (n + 8) % 12 + 1, 1))
    response = login(alice).get(_url("dashboard", town.township.pk))
    months = [c.month for c in response.context["closes"]]
    assert len(months) == 12 and months == sorted(months)
    assert months[-1] == datetime.date(2026, 10, 1)


# --- Comparisons ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_compare_per_persona(town, alice, bob, charlie, dave, eve, months, client):
    september, october = months
    grid0, grid3 = town.grids[0], town.grids[3]
    client.force_login(alice)
    for unit in (town.township, town.villages[0], grid0, grid0.parent):
        assert client.get(_url("compare", october.pk, unit.pk)).status_code == 200, unit
    client.force_login(bob)
    assert client.get(_url("compare", september.pk, grid0.pk)).status_code == 200
    assert client.get(_url("compare", september.pk, town.grids[1].pk)).status_code == 404
    assert client.get(_url("compare", september.pk, town.villages[0].pk)).status_code == 404
    assert client.get(_url("compare", september.pk, town.township.pk)).status_code == 404
    # October is computed, not published: for those who close it only.
    assert client.get(_url("compare", october.pk, grid0.pk)).status_code == 404
    client.force_login(charlie)
    assert client.get(_url("compare", september.pk, grid3.pk)).status_code == 200
    assert client.get(_url("compare", september.pk, grid0.pk)).status_code == 404
    for outsider in (dave, eve):
        client.force_login(outsider)
        assert client.get(_url("compare", september.pk, grid0.pk)).status_code == 404
    client.force_login(alice)
    # A unit without a score (a villagers' group), a unit of another close's township.
    assert client.get(_url("compare", september.pk, town.groups[0].pk)).status_code == 404
    assert client.get(_url("compare", 999999, grid0.pk)).status_code == 404


@pytest.mark.django_db
def test_compare_a_grid_beside_its_siblings_and_its_past(town, bob, months, login):
    september, october = months
    response = login(bob).get(_url("compare", september.pk, town.grids[0].pk))
    context = response.context
    assert [(row["score"].unit, row["rank"]) for row in context["siblings"]] == [
        (town.grids[0], 1),
        (town.grids[1], 1),  # equal scores share the place
    ]
    assert context["place"] == 1
    # bob sees only the published months of his own history (September), not October's.
    assert [row["score"].close for row in context["history_rows"]] == [september]
    data = _data(response)
    assert data["siblings"]["current"] == [True, False]
    assert data["history"]["months"] == ["2026-09"]


@pytest.mark.django_db
def test_compare_a_village_and_its_history_for_the_township(town, alice, months, login):
    september, october = months
    response = login(alice).get(_url("compare", october.pk, town.villages[0].pk))
    context = response.context
    assert [row["score"].unit for row in context["siblings"]] == [
        town.villages[1],
        town.villages[0],
    ]
    assert context["place"] == 2
    assert context["ranking"].on_list == "black"
    assert [row["score"].close for row in context["history_rows"]] == [september, october]
    assert context["history_rows"][1]["change"] == -10.5
    assert [row.unit for row in context["children"]] == [town.grids[0].parent.parent]


@pytest.mark.django_db
def test_compare_a_township_with_the_county_published_months_only(
    town, other_town, alice, eve, months, close, login
):
    september, october = months
    other = close(month=SEP, township=other_town.township)
    response = login(alice).get(_url("compare", september.pk, town.township.pk))
    assert [row["score"].unit for row in response.context["county"]] == [town.township]
    publication.publish(other, user=eve, authority=AUTHORITY)
    response = login(alice).get(_url("compare", september.pk, town.township.pk))
    county = [row["score"].unit for row in response.context["county"]]
    assert set(county) == {town.township, other_town.township}
    assert response.context["siblings"] == []
    # October is not published here: the county list is empty and says so.
    response = login(alice).get(_url("compare", october.pk, town.township.pk))
    assert response.context["county"] == []


@pytest.mark.django_db
def test_compare_queries_are_bounded(
    town, alice, months, login, close, django_assert_max_num_queries
):
    september, october = months
    client = login(alice)
    with django_assert_max_num_queries(11):
        client.get(_url("compare", october.pk, town.township.pk))
    with django_assert_max_num_queries(11):
        client.get(_url("compare", october.pk, town.villages[0].pk))
    for n in range(4):
        place_services.create_unit(
            kind="grid", name=f"新网格{n}", parent=town.grids[0].parent, actor=None
        )
    later = close(month=datetime.date(2026, 11, 1))
    with django_assert_max_num_queries(11):
        response = client.get(_url("compare", later.pk, town.grids[0].pk))
    assert len(response.context["siblings"]) == 6


@pytest.mark.django_db
def test_a_running_close_is_not_compared(town, alice, months, login):
    _september, october = months
    Close.objects.filter(pk=october.pk).update(state=Close.State.RUNNING)
    response = login(alice).get(_url("compare", october.pk, town.township.pk))
    assert response.status_code == 404
