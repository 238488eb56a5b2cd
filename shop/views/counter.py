"""The counter on the keeper's phone: find the household, pick goods, confirm, receipt."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ServiceError
from people import access as people_access
from points import selectors as point_selectors

from .. import access, selectors, services
from ..counter import redeem_once
from ..forms import CounterForm, VoidForm
from ..models import ReceiptVoid
from ._common import market_in_scope


@login_required
@require_http_methods(["GET", "POST"])
def counter(request, pk):
    market = market_in_scope(request, pk)
    if not access.can_sell(request.user, market):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()
    found = selectors.find_households(market, query) if query else []
    if len(found) == 1 and "household" not in request.GET:
        # A scanned card (or an unambiguous search) goes straight to the household.
        return redirect(f"{reverse('shop:counter', args=[market.pk])}?household={found[0].pk}")
    household_id = request.POST.get("household") or request.GET.get("household")
    household = balance = head = None
    goods = list(selectors.goods_with_stock(market, active_only=True))
    if household_id and str(household_id).isdigit():
        household = get_object_or_404(
            selectors.served_households(market).select_related("group__village"),
            pk=household_id,
        )
        balance = point_selectors.balance(household)
        head = selectors.head_name(household)
    if request.method == "POST":
        form = CounterForm(request.POST, goods=goods)
        if household is not None and form.is_valid():
            try:
                _status, body, _replayed = redeem_once(
                    user=request.user,
                    key=form.cleaned_data["idempotency_key"],
                    supermarket=market,
                    household=household,
                    lines=form.lines(),
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("shop:receipt", pk=body["id"])
    else:
        form = CounterForm(
            initial={"household": household_id, "idempotency_key": uuid.uuid4().hex},
            goods=goods,
        )
    context = {
        "market": market,
        "query": query,
        "found": found,
        "household": household,
        "head": head,
        "balance": balance,
        "form": form,
    }
    return render(request, "shop/counter.html", context)


def _void_authority(user, receipt) -> str | None:
    if access.is_keeper(user, receipt.supermarket) and services.keeper_may_void(receipt):
        return ReceiptVoid.Authority.KEEPER
    if access.is_township_admin(user, receipt.supermarket.township):
        return ReceiptVoid.Authority.TOWNSHIP
    return None


@login_required
def receipt(request, pk):
    scope = people_access.scope_for(request.user)
    item = get_object_or_404(
        selectors.receipts(scope).select_related("supermarket__township", "village"), pk=pk
    )
    lines = item.lines.select_related("goods")
    authority = None
    if not hasattr(item, "void"):
        authority = _void_authority(request.user, item)
    context = {
        "receipt": item,
        "lines": lines,
        "head": selectors.head_name(item.household),
        "authority": authority,
        "void_form": VoidForm() if authority else None,
        "reason_required": authority == ReceiptVoid.Authority.TOWNSHIP,
    }
    return render(request, "shop/receipt.html", context)


@login_required
@require_POST
def void(request, pk):
    scope = people_access.scope_for(request.user)
    item = get_object_or_404(
        selectors.receipts(scope).select_related("supermarket__township"), pk=pk
    )
    authority = _void_authority(request.user, item)
    if authority is None:
        raise PermissionDenied
    form = VoidForm(request.POST)
    form.is_valid()
    try:
        services.void_receipt(
            receipt=item,
            actor=request.user,
            authority=authority,
            reason=form.cleaned_data.get("reason", ""),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Receipt %(number)s is void.") % {"number": item.number})
    return redirect("shop:receipt", pk=item.pk)
