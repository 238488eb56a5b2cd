"""Supermarkets: the list, one supermarket's goods and stock, restocks, goods, suspensions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ServiceError
from core.views import apply_form
from people import access as people_access
from places import selectors as place_selectors

from .. import access, selectors, services
from ..forms import GoodsEditForm, GoodsForm, StockForm, SuspendForm
from ..models import Goods, Suspension
from ._common import market_in_scope

RECENT = 20


@login_required
@require_GET
def index(request):
    scope = people_access.scope_for(request.user)
    markets = list(selectors.supermarkets(scope).prefetch_related("villages"))
    keeper_of = access.keeper_unit_ids(request.user)
    townships = {m.township for m in markets}
    admin_of = [t for t in townships if access.is_township_admin(request.user, t)]
    return render(
        request,
        "shop/index.html",
        {"markets": markets, "keeper_of": keeper_of, "townships": sorted(admin_of, key=str)},
    )


def _stock_form(market, data=None):
    return StockForm(data, goods=Goods.objects.filter(supermarket=market).order_by("name"))


@login_required
@require_GET
def supermarket(request, pk):
    market = market_in_scope(request, pk)
    may_stock = access.can_stock(request.user, market)
    context = {
        "market": market,
        "villages": market.villages.all(),
        "goods": selectors.goods_with_stock(market),
        "receipts": market.receipts.select_related("household", "void").order_by("-id")[:RECENT],
        "may_sell": access.can_sell(request.user, market),
        "may_stock": may_stock,
        "stock_form": _stock_form(market) if may_stock else None,
        "is_admin": access.is_township_admin(request.user, market.township),
    }
    return render(request, "shop/supermarket.html", context)


@login_required
@require_POST
def stock(request, pk):
    market = market_in_scope(request, pk)
    if not access.can_stock(request.user, market):
        raise PermissionDenied
    form = _stock_form(market, request.POST)

    def write():
        data = form.cleaned_data
        goods = get_object_or_404(Goods, supermarket=market, pk=data["goods"])
        if data["kind"] == "restock":
            return services.restock(
                goods=goods,
                quantity=data["quantity"],
                cost_yuan=data["cost_yuan"],
                fund=data["fund"],
                actor=request.user,
            )
        return services.write_off(
            goods=goods, quantity=data["quantity"], reason=data["reason"], actor=request.user
        )

    entry = apply_form(form, write)
    if entry is None:
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors))
    else:
        messages.success(
            request,
            _("%(kind)s recorded: %(goods)s %(quantity)+d.")
            % {
                "kind": entry.get_kind_display(),
                "goods": entry.goods.name,
                "quantity": entry.quantity,
            },
        )
    return redirect("shop:supermarket", pk=market.pk)


@login_required
@require_http_methods(["GET", "POST"])
def goods_new(request, pk):
    market = market_in_scope(request, pk)
    if not access.can_stock(request.user, market):
        raise PermissionDenied
    form = GoodsForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        created = apply_form(
            form,
            lambda: services.create_goods(
                supermarket=market,
                actor=request.user,
                photo=form.cleaned_data["photo"],
                **{k: form.cleaned_data[k] for k in ("name", "unit", "price")},
            ),
        )
        if created is not None:
            messages.success(request, _("%(name)s is on offer.") % {"name": created.name})
            return redirect("shop:supermarket", pk=market.pk)
    return render(request, "shop/goods_form.html", {"market": market, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def goods_edit(request, pk):
    scope = people_access.scope_for(request.user)
    goods = get_object_or_404(
        Goods.objects.select_related("supermarket__unit").filter(
            supermarket__in=selectors.supermarkets(scope)
        ),
        pk=pk,
    )
    market = goods.supermarket
    if not access.can_stock(request.user, market):
        raise PermissionDenied
    form = GoodsEditForm(
        request.POST or None, initial={"price": goods.price, "active": goods.active}
    )
    if request.method == "POST":
        done = apply_form(
            form,
            lambda: services.update_goods(
                goods=goods,
                price=form.cleaned_data["price"],
                active=form.cleaned_data["active"],
                actor=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("%(name)s is saved.") % {"name": goods.name})
            return redirect("shop:supermarket", pk=market.pk)
    return render(request, "shop/goods_form.html", {"market": market, "form": form, "goods": goods})


@login_required
@require_POST
def suspend(request, household_id):
    scope = people_access.scope_for(request.user)
    household = get_object_or_404(
        place_selectors.households(scope).select_related("group__village"), pk=household_id
    )
    if not access.can_suspend(request.user, household):
        raise PermissionDenied
    form = SuspendForm(request.POST)
    done = apply_form(
        form,
        lambda: services.suspend(
            household=household,
            reason=form.cleaned_data["reason"],
            authority=form.cleaned_data["authority"],
            ends_on=form.cleaned_data["ends_on"],
            actor=request.user,
        ),
    )
    if done is None:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        messages.success(request, _("The household is suspended from redemptions."))
    return redirect("places:household", pk=household.pk)


@login_required
@require_POST
def lift(request, pk):
    scope = people_access.scope_for(request.user)
    households = place_selectors.households(scope).values("pk")
    suspension = get_object_or_404(
        Suspension.objects.select_related("household__group__village").filter(
            household__in=households
        ),
        pk=pk,
    )
    if not access.can_suspend(request.user, suspension.household):
        raise PermissionDenied
    try:
        services.lift_suspension(suspension=suspension, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The suspension is lifted."))
    return redirect("places:household", pk=suspension.household_id)
