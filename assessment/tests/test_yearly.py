"""The villages' year-end appraisal (004): the report, its Excel file, key-work marks and items."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment import publication, services
from assessment.models import KeyWork, KeyWorkMark, Settings
from core.models import AuditEntry
from people import services as people_services
from people.models import User
from places import services as place_services

from .conftest import OCT

SEP = datetime.date(2026, 9, 1)
NOV = datetime.date(2026, 11, 1)
YEAR = 2026


def _url(name, *args):
    return reverse(f"assessment:{name}", args=args)


def _english(client):
    client.cookies["django_language"] = "en"
    return client


def _leader(town):
    """A township leader: VIEW on the township, not MANAGE."""
    user = User.objects.create_user(username="lena", password="x", name="lena")
    people_services.assign_role(
        user=user, role="township_leader", unit=town.township, household=None, actor=None
    )
    return user


@pytest.fixture
def year(town, alice, adjust, close):
    """Villages 0, 1 and a third one (one leaf grid) with September and October published and
    November computed only; a fourth village without grids has no score at all.

    Monthly averages: village 0 (100, 90) → 95; village 1 (95, 100) → 97.5; the third 100.
    """
    third = place_services.create_unit(
        kind="village", name="达依乡第3村", parent=town.township, actor=None
    )
    third_grid = place_services.create_unit(
        kind="grid", name="第3村网格", parent=town.township, village=third, actor=None
    )
    fourth = place_services.create_unit(
        kind="village", name="达依乡第4村", parent=town.township, actor=None
    )
    adjust(town.grids[2], -10, month=SEP)
    publication.publish(close(month=SEP), user=alice, authority="乡党委会议")
    adjust(town.grids[0], -20, month=OCT)
    publication.publish(close(month=OCT), user=alice, authority="乡党委会议")
    adjust(third_grid, -50, month=NOV)  # not published: does not count
    close(month=NOV)
    return town.villages + [third, fourth]


def _items(town):
    return list(KeyWork.objects.filter(township=town.township).order_by("id"))


def _mark(village, item, points, alice):
    return services.mark_key_work(
        village=village, item=item, year=YEAR, points=Decimal(points), note="年终考核", user=alice
    )


@pytest.fixture
def marked(town, alice, year):
    """Village 0 and 1 tie at 100 with their marks; the third drops to 99."""
    petitions, safety, _revitalisation = _items(town)
    _mark(year[0], petitions, "3", alice)
    _mark(year[0], petitions, "2", alice)  # a further mark adds up
    _mark(year[1], safety, "2.5", alice)
    _mark(year[2], safety, "-1", alice)
    Settings.objects.filter(township=town.township).update(excellent_villages=1)
    return year


# --- Who may see and do what ----------------------------------------------------------------


@pytest.mark.django_db
def test_pages_per_persona(town, alice, bob, charlie, dave, eve, client):
    leader = _leader(town)
    seen = [_url("year", town.township.pk, YEAR), _url("year_export", town.township.pk, YEAR)]
    managed = [_url("year_mark", town.township.pk, YEAR), _url("keywork", town.township.pk)]
    client.force_login(alice)
    for page in seen + managed:
        assert client.get(page).status_code == 200, page
    client.force_login(leader)
    for page in seen:
        assert client.get(page).status_code == 200, page
    for page in managed:
        assert client.get(page).status_code == 403, page
        assert client.post(page, {}).status_code == 403, page
    for outsider in (bob, charlie, dave, eve):
        client.force_login(outsider)
        for page in seen + managed:
            assert client.get(page).status_code == 404, (outsider, page)
    client.logout()
    assert client.get(seen[0]).status_code == 302


@pytest.mark.django_db
def test_years_out_of_range_are_not_found(town, alice, login):
    client = login(alice)
    assert client.get(_url("year", town.township.pk, 1999)).status_code == 404
    later = timezone.localdate().year + 2
    assert client.get(_url("year", town.township.pk, later)).status_code == 404


@pytest.mark.django_db
def test_year_home_goes_to_this_year(town, alice, dave, client):
    client.force_login(alice)
    this_year = timezone.localdate().year
    assert client.get(_url("year_home"))["Location"] == _url("year", town.township.pk, this_year)
    client.force_login(dave)
    assert client.get(_url("year_home")).status_code == 404


# --- The report -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_ranking_excellent_and_reward_with_a_tie(town, alice, marked, login):
    response = login(alice).get(_url("year", town.township.pk, YEAR))
    report = response.context["report"]
    rows = [
        (
            row["village"],
            row["months"],
            row["average"],
            row["total"],
            row["rank"],
            row["excellent"],
            row["reward"],
        )
        for row in report["rows"]
    ]
    first, second, third, fourth = marked
    assert rows == [
        (first, 2, Decimal("95"), Decimal("100"), 1, True, 10000),
        (second, 2, Decimal("97.5"), Decimal("100"), 1, True, 10000),  # tied at the boundary
        (third, 2, Decimal("100"), Decimal("99"), 3, False, 0),  # November is not published
        (fourth, 0, None, None, None, False, 0),  # no published month: not ranked
    ]
    assert report["rows"][0]["key_work"] == [Decimal("5"), Decimal("0"), Decimal("0")]
    assert report["reward_total"] == 20000
    assert response.context["excellent_count"] == 2
    html = response.content.decode()
    assert 'id="rule"' in html and 'id="reward-total">20000<' in html
    assert html.count("dash-excellent") == 2


@pytest.mark.django_db
def test_reward_and_number_of_excellent_villages_follow_the_settings(town, alice, marked, login):
    Settings.objects.filter(township=town.township).update(
        excellent_villages=3, excellent_reward=5000
    )
    report = login(alice).get(_url("year", town.township.pk, YEAR)).context["report"]
    assert [row["reward"] for row in report["rows"]] == [5000, 5000, 5000, 0]
    assert report["reward_total"] == 15000


@pytest.mark.django_db
def test_marks_of_another_year_do_not_count(town, alice, marked, login):
    petitions = _items(town)[0]
    services.mark_key_work(
        village=marked[2], item=petitions, year=YEAR - 1, points=Decimal(9), note="去年", user=alice
    )
    report = login(alice).get(_url("year", town.township.pk, YEAR)).context["report"]
    assert report["rows"][2]["total"] == Decimal("99")


@pytest.mark.django_db
def test_excel_export_reads_back(town, alice, marked, login):
    client = _english(login(alice))
    response = client.get(_url("year_export", town.township.pk, YEAR))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert header[:4] == ["Rank", "Village", "Months counted", "Average monthly score"]
    assert header[-3:] == ["Total", "Excellent", "Reward (yuan)"]
    assert len(header) == 4 + 3 + 3  # three key-work items
    first, second, third, fourth = marked
    assert rows[1] == [1, first.name, 2, 95, 5, 0, 0, 100, "Excellent", 10000]
    assert rows[2][:2] == [1, second.name] and rows[2][-3:] == [100, "Excellent", 10000]
    assert rows[3][:2] == [3, third.name] and rows[3][-3:] == [99, None, 0]
    assert rows[4][:4] == [None, fourth.name, 0, None]
    assert rows[5][1] == "Total reward (yuan)" and rows[5][-1] == 20000


@pytest.mark.django_db
def test_year_report_queries_are_bounded(town, alice, marked, login, django_assert_max_num_queries):
    client = login(alice)
    with django_assert_max_num_queries(13):
        client.get(_url("year", town.township.pk, YEAR))
    petitions = _items(town)[0]
    for n in range(3):
        village = place_services.create_unit(
            kind="village", name=f"新村{n}", parent=town.township, actor=None
        )
        _mark(village, petitions, "1", alice)
    with django_assert_max_num_queries(13):
        response = client.get(_url("year", town.township.pk, YEAR))
    assert len(response.context["report"]["rows"]) == 7
    assert len(response.context["marks"]) == 7


# --- Key-work marks -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_mark_is_recorded_once_and_listed_with_who_and_when(town, alice, year, login):
    client = login(alice)
    petitions = _items(town)[0]
    page = _url("year_mark", town.township.pk, YEAR)
    post = {
        "village": year[1].pk,
        "item": petitions.pk,
        "points": "4.5",
        "note": "信访积案化解",
        "idempotency_key": "mark-1",
    }
    response = client.post(page, post)
    assert response.status_code == 302 and response["Location"] == page
    again = client.post(page, post)  # the phone sent it twice
    assert again.status_code == 302
    (mark,) = KeyWorkMark.objects.all()
    assert (mark.village, mark.item, mark.year, mark.points, mark.by) == (
        year[1],
        petitions,
        YEAR,
        Decimal("4.5"),
        alice,
    )
    assert AuditEntry.objects.filter(object_id=mark.pk, action="create").exists()
    listing = client.get(page)
    assert listing.context["marks"] == [mark]
    assert "信访积案化解" in listing.content.decode()
    report = client.get(_url("year", town.township.pk, YEAR))
    top = report.context["report"]["rows"][0]  # 97.5 + 4.5
    assert (top["village"], top["key_work"][0], top["total"]) == (year[1], 4.5, 102)


@pytest.mark.django_db
def test_a_mark_over_the_items_most_is_refused_in_plain_words(town, alice, year, login):
    client = _english(login(alice))
    petitions = _items(town)[0]
    _mark(year[0], petitions, "5", alice)
    page = _url("year_mark", town.township.pk, YEAR)
    response = client.post(
        page, {"village": year[0].pk, "item": petitions.pk, "points": "6", "note": "补记"}
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == [f"{petitions.name} counts at most ±10.0 points a year; this would make 11.0."]
    assert str(errors[0]) in response.content.decode().replace("&#x27;", "'")
    assert KeyWorkMark.objects.count() == 1
    # Down to −10 in all is allowed; the other way round as well.
    response = client.post(
        page, {"village": year[0].pk, "item": petitions.pk, "points": "-15", "note": "更正"}
    )
    assert response.status_code == 302
    assert KeyWorkMark.objects.count() == 2


@pytest.mark.django_db
def test_a_mark_of_zero_or_without_a_reason_is_refused(town, alice, year, login):
    client = _english(login(alice))
    petitions = _items(town)[0]
    page = _url("year_mark", town.township.pk, YEAR)
    response = client.post(
        page, {"village": year[0].pk, "item": petitions.pk, "points": "0", "note": "无"}
    )
    assert response.context["form"].errors["points"] == ["Give a number of points other than zero."]
    response = client.post(
        page, {"village": year[0].pk, "item": petitions.pk, "points": "1", "note": ""}
    )
    assert "note" in response.context["form"].errors
    assert not KeyWorkMark.objects.exists()


@pytest.mark.django_db
def test_a_mark_cannot_name_another_townships_village_or_item(
    town, other_town, alice, eve, year, login
):
    from assessment import setup

    setup.ensure(other_town.township)
    foreign_item = KeyWork.objects.filter(township=other_town.township).first()
    client = login(alice)
    page = _url("year_mark", town.township.pk, YEAR)
    for village, item in ((other_town.villages[0], _items(town)[0]), (year[0], foreign_item)):
        response = client.post(
            page, {"village": village.pk, "item": item.pk, "points": "1", "note": "x"}
        )
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not KeyWorkMark.objects.exists()


# --- Key-work items -------------------------------------------------------------------------


@pytest.mark.django_db
def test_adding_a_key_work_item(town, alice, login):
    client = _english(login(alice))
    page = _url("keywork", town.township.pk)
    listing = client.get(page)
    # The defaults are written in the site's language (zh-hans), whatever the user's.
    assert [row["item"].name for row in listing.context["items"]] == [
        "信访维稳",
        "安全生产",
        "乡村振兴",
    ]
    response = client.post(page, {"name": " 人居环境整治 ", "max_points": "5"})
    assert response.status_code == 302
    item = KeyWork.objects.get(township=town.township, name="人居环境整治")
    assert item.max_points == 5
    assert AuditEntry.objects.filter(object_id=item.pk, action="create").exists()
    again = client.post(page, {"name": "人居环境整治", "max_points": "8"})
    assert again.status_code == 200
    assert again.context["form"].non_field_errors() == [
        "The township already has an item “人居环境整治”."
    ]
    refused = client.post(page, {"name": "零分项", "max_points": "0"})
    assert "max_points" in refused.context["form"].errors
    assert KeyWork.objects.filter(township=town.township).count() == 4
    report = client.get(_url("year", town.township.pk, YEAR))
    assert "人居环境整治" in report.context["report"]["item_names"]


@pytest.mark.django_db
def test_items_page_counts_marks(town, alice, marked, login, django_assert_max_num_queries):
    client = login(alice)
    client.get(_url("keywork", town.township.pk))
    with django_assert_max_num_queries(9):
        response = client.get(_url("keywork", town.township.pk))
    assert [row["marks"] for row in response.context["items"]] == [2, 2, 0]
