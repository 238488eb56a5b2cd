"""Every supermarket endpoint: allowed, refused (403) and out of scope (404)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from points import selectors as point_selectors
from shop import services
from shop.models import Receipt, ReceiptVoid

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"api:shop-{name}", args=args)


def test_supermarkets_scoped(api, market, market2, kim, eve, alice, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        body = api(kim).get(url("supermarkets")).json()
    assert [m["code"] for m in body["results"]] == ["DY01"]
    assert [m["code"] for m in api(alice).get(url("supermarkets")).json()["results"]] == [
        "DY01",
        "DY02",
    ]
    assert api(eve).get(url("supermarkets")).json()["results"] == []
    assert api(kim).get(url("supermarket-detail", market.pk)).status_code == 200
    assert api(kim).get(url("supermarket-detail", market2.pk)).status_code == 404
    assert api().get(url("supermarkets")).status_code in (401, 403)


def test_goods_list_and_create(api, market, kim, sam, eve):
    body = api(kim).get(url("goods", market.pk)).json()
    assert {g["name"]: g["stock"] for g in body}["洗洁精"] == 10
    new = {"name": "毛巾", "unit": "条", "price": 12}
    assert api(eve).post(url("goods", market.pk), new, format="json").status_code == 404
    refused = api(sam).post(url("goods", market.pk), new, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    created = api(kim).post(url("goods", market.pk), new, format="json")
    assert created.status_code == 201 and created.json()["stock"] == 0


def test_stock_entries(api, market, goods, kim, sam, eve):
    restock = {
        "goods": goods["牙膏"].pk,
        "kind": "restock",
        "quantity": 5,
        "cost_yuan": "9.50",
        "fund": "乡财政",
    }
    assert api(eve).post(url("stock-entries", market.pk), restock, format="json").status_code == 404
    assert api(sam).post(url("stock-entries", market.pk), restock, format="json").status_code == 403
    done = api(kim).post(url("stock-entries", market.pk), restock, format="json")
    assert done.status_code == 201 and done.json()["quantity"] == 5
    short = {"goods": goods["牙膏"].pk, "kind": "write_off", "quantity": 99, "reason": "过期"}
    refused = api(kim).post(url("stock-entries", market.pk), short, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "out_of_stock"
    no_fund = {**restock, "fund": ""}
    assert (
        api(kim).post(url("stock-entries", market.pk), no_fund, format="json").json()["code"]
        == "fund_required"
    )
    listed = api(sam).get(url("stock-entries", market.pk)).json()
    assert listed["results"][0]["kind"] == "restock"


def _redeem(client, market, household, lines, key):
    body = {
        "supermarket": market.pk,
        "household": household.pk,
        "lines": [{"goods": g.pk, "quantity": q} for g, q in lines],
    }
    return client.post(url("redemptions"), body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_redemption_once_per_key(api, market, goods, kim, rich):
    client = api(kim)
    first = _redeem(client, market, rich, [(goods["洗洁精"], 2)], "key-1")
    assert first.status_code == 201 and first.json()["balance_after"] == 60
    again = _redeem(client, market, rich, [(goods["洗洁精"], 2)], "key-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    other = _redeem(client, market, rich, [(goods["洗洁精"], 1)], "key-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Receipt.objects.count() == 1 and point_selectors.balance(rich) == 60
    missing = client.post(
        url("redemptions"),
        {
            "supermarket": market.pk,
            "household": rich.pk,
            "lines": [{"goods": goods["洗洁精"].pk, "quantity": 1}],
        },
        format="json",
    )
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_invalid"


def test_redemption_errors(api, town, market, goods, kim, rich):
    client = api(kim)
    poor = _redeem(client, market, rich, [(goods["脸盆"], 3)], "k-poor")
    assert poor.status_code == 400 and poor.json()["code"] == "insufficient_points"
    empty = _redeem(client, market, rich, [(goods["牙膏"], 11)], "k-empty")
    assert empty.json()["code"] == "out_of_stock"
    services.suspend(household=rich, reason="虚报", authority="村两委", actor=kim)
    assert _redeem(client, market, rich, [(goods["牙膏"], 1)], "k-s").json()["code"] == "suspended"
    outsider = _redeem(client, market, town.households[6], [(goods["牙膏"], 1)], "k-o")
    assert outsider.status_code == 404


def test_redemption_scope(api, market, market2, goods, kim, ken, alice, eve, rich):
    assert _redeem(api(eve), market, rich, [(goods["牙膏"], 1)], "e").status_code == 404
    assert _redeem(api(ken), market, rich, [(goods["牙膏"], 1)], "k").status_code == 404
    assert _redeem(api(alice), market, rich, [(goods["牙膏"], 1)], "a").status_code == 403


def test_receipts_list_query_count(api, market, goods, kim, rich, django_assert_max_num_queries):
    for _ in range(3):
        services.redeem(supermarket=market, household=rich, lines={goods["牙膏"].pk: 1}, actor=kim)
    with django_assert_max_num_queries(8):
        body = api(kim).get(url("redemptions")).json()
    assert len(body["results"]) == 3 and body["results"][0]["lines"][0]["name"] == "牙膏"


def test_receipts_list_detail_and_void(api, sold, kim, dave, sam, eve, charlie, alice, monkeypatch):
    assert [r["number"] for r in api(dave).get(url("redemptions")).json()["results"]] == [
        sold.number
    ]
    assert api(charlie).get(url("redemption-detail", sold.pk)).status_code == 404
    assert api(eve).post(url("redemption-void", sold.pk), {}, format="json").status_code == 404
    assert api(sam).post(url("redemption-void", sold.pk), {}, format="json").status_code == 403
    later = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(services.timezone, "localdate", lambda *a: later)
    assert api(kim).post(url("redemption-void", sold.pk), {}, format="json").status_code == 403
    no_reason = api(alice).post(url("redemption-void", sold.pk), {}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "reason_required"
    done = api(alice).post(url("redemption-void", sold.pk), {"reason": "误录"}, format="json")
    assert done.status_code == 201 and done.json()["authority"] == "township"
    assert api(kim).get(url("redemption-detail", sold.pk)).json()["voided"] is True
    again = api(alice).post(url("redemption-void", sold.pk), {"reason": "再次"}, format="json")
    assert again.json()["code"] == "already_void" and ReceiptVoid.objects.count() == 1


def test_reports(api, town, market, sold, kim, alice, eve):
    books = api(kim).get(url("reconciliation", market.pk), {"day": sold.day.isoformat()}).json()
    assert books["ok"] and books["receipts"]["points"] == 20
    assert api(eve).get(url("reconciliation", market.pk)).status_code == 404
    report = api(alice).get(url("monthly-report", town.township.pk), {"month": f"{sold.day:%Y-%m}"})
    assert report.status_code == 200 and report.json()["markets"][0]["points"] == 20
    assert api(kim).get(url("monthly-report", town.township.pk)).status_code == 404
    assert api(eve).get(url("monthly-report", town.township.pk)).status_code == 404


def test_open_a_supermarket(api, town, other_town, alice, sam, eve):
    body = {
        "unit": town.township.pk,
        "code": "dy20",
        "name": "乡中心积分超市",
        "villages": [v.pk for v in town.villages],
    }
    assert api(eve).post(url("supermarkets"), body, format="json").status_code == 404
    assert api(sam).post(url("supermarkets"), body, format="json").status_code == 403
    done = api(alice).post(url("supermarkets"), body, format="json")
    assert done.status_code == 201 and done.json()["code"] == "DY20"
    assert sorted(done.json()["villages"]) == sorted(v.pk for v in town.villages)
    stray = {**body, "code": "DY21", "villages": [other_town.villages[0].pk]}
    assert api(alice).post(url("supermarkets"), stray, format="json").status_code == 404
    again = api(alice).post(url("supermarkets"), body, format="json")
    assert again.status_code == 400 and again.json()["code"] == "duplicate_code"


def test_change_goods(api, market, goods, kim, sam, eve):
    soap = goods["洗洁精"]
    assert (
        api(eve).patch(url("goods-detail", soap.pk), {"price": 30}, format="json").status_code
        == 404
    )
    assert (
        api(sam).patch(url("goods-detail", soap.pk), {"price": 30}, format="json").status_code
        == 403
    )
    done = api(kim).patch(
        url("goods-detail", soap.pk), {"price": 30, "active": False}, format="json"
    )
    assert done.status_code == 200 and done.json()["price"] == 30 and done.json()["stock"] == 10
