"""Every supermarket page: allowed, refused (403) and out of scope (404)."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from points import selectors as point_selectors
from points import services as points
from shop import services
from shop.models import Receipt, ReceiptVoid, StockEntry, Suspension

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"shop:{name}", args=args)


def test_index_lists_what_the_user_may_see(
    login, market, market2, kim, eve, django_assert_max_num_queries
):
    client = login(kim)
    with django_assert_max_num_queries(12):
        page = client.get(url("index"))
    assert page.status_code == 200
    assert market.name in page.text and market2.name not in page.text
    assert url("counter", market.pk) in page.text
    assert market.name not in login(eve).get(url("index")).text


@pytest.mark.parametrize("name", ["supermarket", "counter", "reconciliation", "goods_new"])
def test_market_pages_out_of_scope_are_404(name, login, market, eve, bob, charlie):
    for user in (eve, bob, charlie):
        assert login(user).get(url(name, market.pk)).status_code == 404


def test_supermarket_page(login, market, sold, kim, sam, django_assert_max_num_queries):
    client = login(kim)
    with django_assert_max_num_queries(20):
        page = client.get(url("supermarket", market.pk))
    assert page.status_code == 200 and "洗洁精" in page.text and sold.number in page.text
    assert 'id="stock"' in page.text
    seen = login(sam).get(url("supermarket", market.pk))
    assert seen.status_code == 200 and 'id="stock"' not in seen.text


def test_counter_refuses_non_keepers(login, market, alice, sam):
    assert login(alice).get(url("counter", market.pk)).status_code == 403
    assert login(sam).post(url("counter", market.pk), {}).status_code == 403


def test_counter_scan_search_redeem_and_retry(login, town, market, goods, kim, rich):
    client = login(kim)
    card = points.card_for(rich)
    scanned = client.get(url("counter", market.pk), {"q": f"http://x/p/verify/{card.token}/"})
    assert scanned.status_code == 302 and scanned.url.endswith(f"?household={rich.pk}")
    page = client.get(scanned.url)
    assert page.status_code == 200 and 'id="balance"' in page.text
    key = page.context["form"].initial["idempotency_key"]
    data = {"household": rich.pk, "idempotency_key": key, f"qty_{goods['牙膏'].pk}": 2}
    done = client.post(url("counter", market.pk), data)
    receipt = Receipt.objects.get()
    assert done.status_code == 302 and done.url == url("receipt", receipt.pk)
    again = client.post(url("counter", market.pk), data)  # the phone resends the form
    assert again.url == url("receipt", receipt.pk) and Receipt.objects.count() == 1
    other = client.post(url("counter", market.pk), {**data, f"qty_{goods['牙膏'].pk}": 3})
    assert other.status_code == 200 and Receipt.objects.count() == 1
    assert point_selectors.balance(rich) == 100 - 30
    shown = client.get(done.url)
    assert receipt.number in shown.text and 'id="balance-after">70<' in shown.text


def test_counter_shows_refusals(login, market, goods, kim, rich):
    client = login(kim)
    data = {"household": rich.pk, "idempotency_key": "k1", f"qty_{goods['脸盆'].pk}": 3}
    page = client.post(url("counter", market.pk), data)
    assert page.status_code == 200 and "100" in page.text and "50" in page.text
    assert not Receipt.objects.exists()


def test_counter_search_by_name_masks_names(login, town, market, kim):
    client = login(kim)
    page = client.get(url("counter", market.pk), {"q": "刘"})
    assert page.status_code == 200
    head = town.households[0].members.get().name  # 刘0先
    assert f">{head} " not in page.text and "刘*先 · " in page.text
    assert url("counter", market.pk) + f"?household={town.households[0].pk}" in page.text
    outsider = town.households[6]
    assert login(kim).get(url("counter", market.pk), {"household": outsider.pk}).status_code == 404


def test_receipt_page_scope(login, sold, kim, dave, charlie, eve, sam):
    assert login(kim).get(url("receipt", sold.pk)).status_code == 200
    assert login(dave).get(url("receipt", sold.pk)).status_code == 200
    page = login(sam).get(url("receipt", sold.pk))
    assert page.status_code == 200 and 'id="void"' not in page.text
    for user in (charlie, eve):
        assert login(user).get(url("receipt", sold.pk)).status_code == 404


def test_void_by_keeper_refused_to_others(login, sold, kim, sam, eve, dave):
    assert login(eve).post(url("void", sold.pk)).status_code == 404
    assert login(sam).post(url("void", sold.pk)).status_code == 403
    assert login(dave).post(url("void", sold.pk)).status_code == 403
    assert login(kim).post(url("void", sold.pk)).status_code == 302
    assert ReceiptVoid.objects.get().authority == "keeper"


def test_late_void_only_by_township_admin_with_reason(login, sold, kim, alice, monkeypatch):
    later = timezone.localdate() + datetime.timedelta(days=3)
    monkeypatch.setattr(services.timezone, "localdate", lambda *a: later)
    assert login(kim).post(url("void", sold.pk)).status_code == 403
    client = login(alice)
    client.post(url("void", sold.pk), {"reason": ""})
    assert not ReceiptVoid.objects.exists()
    client.post(url("void", sold.pk), {"reason": "农户退货"})
    void = ReceiptVoid.objects.get()
    assert (void.authority, void.reason, void.voided_by) == ("township", "农户退货", alice)


def test_stock_form(login, market, goods, kim, sam, eve):
    data = {
        "kind": "restock",
        "goods": goods["牙膏"].pk,
        "quantity": 5,
        "cost_yuan": "20",
        "fund": "乡财政",
    }
    assert login(eve).post(url("stock", market.pk), data).status_code == 404
    assert login(sam).post(url("stock", market.pk), data).status_code == 403
    assert login(kim).post(url("stock", market.pk), data).status_code == 302
    off = {"kind": "write_off", "goods": goods["牙膏"].pk, "quantity": 2, "reason": "过期"}
    login(kim).post(url("stock", market.pk), off)
    assert services.stock_on_hand([goods["牙膏"].pk])[goods["牙膏"].pk] == 13
    assert StockEntry.objects.filter(kind="write_off", reason="过期").exists()


def test_goods_new(login, market, kim, sam):
    assert login(sam).get(url("goods_new", market.pk)).status_code == 403
    client = login(kim)
    assert client.get(url("goods_new", market.pk)).status_code == 200
    done = client.post(url("goods_new", market.pk), {"name": "毛巾", "unit": "条", "price": 12})
    assert done.status_code == 302 and market.goods.filter(name="毛巾", price=12).exists()


def test_reconciliation_page(login, market, sold, kim):
    page = login(kim).get(url("reconciliation", market.pk), {"day": sold.day.isoformat()})
    assert page.status_code == 200 and 'id="books-ok"' in page.text


def test_monthly_report_and_excel(login, town, sold, alice, kim, eve, sam):
    client = login(alice)
    page = client.get(url("report", town.township.pk))
    assert page.status_code == 200 and "shop-chart-data" in page.text
    xlsx = client.get(url("report", town.township.pk), {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert rows[1][1] == "洗洁精" and rows[1][3] == 1
    assert login(sam).get(url("report", town.township.pk)).status_code == 200
    for user in (kim, eve):
        assert login(user).get(url("report", town.township.pk)).status_code == 404


def test_settings_page(login, town, alice, sam, eve):
    assert login(eve).get(url("settings", town.township.pk)).status_code == 404
    assert login(sam).get(url("settings", town.township.pk)).status_code == 403
    client = login(alice)
    assert client.get(url("settings", town.township.pk)).status_code == 200
    client.post(url("settings", town.township.pk), {"keeper_void_days": 2})
    assert services.settings_for(town.township).keeper_void_days == 2


def test_suspend_and_lift(login, town, alice, bob, eve):
    household = town.households[0]
    data = {"reason": "虚报积分", "authority": "村两委会议"}
    assert login(eve).post(url("suspend", household.pk), data).status_code == 404
    assert login(bob).post(url("suspend", household.pk), data).status_code == 403
    assert login(alice).post(url("suspend", household.pk), data).status_code == 302
    suspension = Suspension.objects.get()
    assert login(bob).post(url("lift", suspension.pk)).status_code == 403
    assert login(eve).post(url("lift", suspension.pk)).status_code == 404
    login(alice).post(url("lift", suspension.pk))
    suspension.refresh_from_db()
    assert suspension.lifted_by == alice


def test_hooks_on_home_household_and_unit_pages(login, town, market, sold, kim, dave, alice, eve):
    home = login(kim).get(reverse("home"))
    assert url("counter", market.pk) in home.text
    own = login(dave).get(reverse("places:household", args=[town.households[0].pk]))
    assert 'id="shop-history"' in own.text and url("receipt", sold.pk) in own.text
    unit = login(alice).get(reverse("places:unit", args=[town.township.pk]))
    assert (
        url("supermarket", market.pk) in unit.text and url("report", town.township.pk) in unit.text
    )
    assert 'id="shop-card"' not in login(eve).get(reverse("home")).text


def test_goods_edit(login, market, goods, kim, sam, eve, sold):
    soap = goods["洗洁精"]
    assert login(eve).get(url("goods_edit", soap.pk)).status_code == 404
    assert login(sam).get(url("goods_edit", soap.pk)).status_code == 403
    client = login(kim)
    assert client.get(url("goods_edit", soap.pk)).status_code == 200
    assert client.post(url("goods_edit", soap.pk), {"price": 25}).status_code == 302
    soap.refresh_from_db()
    assert (soap.price, soap.active) == (25, False)
    assert sold.lines.get().price == 20  # the receipt keeps its price
