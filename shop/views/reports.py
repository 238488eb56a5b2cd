"""Daily reconciliation per supermarket, the township's monthly report, township settings."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import excel
from core.scope import VIEW
from core.views import apply_form
from people import access as people_access
from places.models import Unit

from .. import access, selectors, services
from ..forms import SettingsForm
from ._common import market_in_scope


def _day(value) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return timezone.localdate()


def _month(value) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except (TypeError, ValueError):
        return timezone.localdate().replace(day=1)


@login_required
@require_GET
def reconciliation(request, pk):
    market = market_in_scope(request, pk)
    day = _day(request.GET.get("day"))
    books = selectors.reconciliation(market, day)
    return render(request, "shop/reconciliation.html", {"market": market, "books": books})


def _township_in_scope(request, pk) -> Unit:
    scope = people_access.scope_for(request.user)
    township = get_object_or_404(Unit, pk=pk, kind=Unit.Kind.TOWNSHIP)
    if not scope.covers(township.path, VIEW):
        # Village officials and keepers see their own supermarkets, not the township's books.
        raise Http404
    return township


@login_required
@require_GET
def monthly_report(request, pk):
    township = _township_in_scope(request, pk)
    month = _month(request.GET.get("month"))
    report = selectors.monthly_report(township, month)
    if request.GET.get("format") == "xlsx":
        headers = [
            _("Supermarket"),
            _("Goods"),
            _("Unit"),
            _("Quantity given"),
            _("Points redeemed"),
            _("Value (yuan)"),
        ]
        rows = [
            [r["supermarket"], r["goods"], r["unit"], r["quantity"], r["points"], float(r["yuan"])]
            for r in report["goods"]
        ]
        content = excel.export_rows(title=f"{month:%Y-%m}", headers=headers, rows=rows)
        return excel.xlsx_response(content, f"{township.name}积分超市{month:%Y-%m}.xlsx")
    chart = {
        "markets": [row["supermarket"].name for row in report["markets"]],
        "points": [row["points"] for row in report["markets"]],
        "top": [row["goods"] for row in report["top"]],
        "top_quantity": [row["quantity"] for row in report["top"]],
        "labels": {
            "points": _("Points redeemed per supermarket"),
            "top": _("Top goods (quantity)"),
        },
    }
    context = {"township": township, "report": report, "chart": chart, "month": month}
    return render(request, "shop/report.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def township_settings(request, pk):
    township = _township_in_scope(request, pk)
    if not access.is_township_admin(request.user, township):
        raise PermissionDenied
    current = services.settings_for(township)
    form = SettingsForm(
        request.POST or None, initial={"keeper_void_days": current.keeper_void_days}
    )
    if request.method == "POST":
        done = apply_form(
            form,
            lambda: services.update_settings(
                township=township,
                keeper_void_days=form.cleaned_data["keeper_void_days"],
                actor=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("Settings saved."))
            return redirect("shop:settings", pk=township.pk)
    return render(request, "shop/settings.html", {"township": township, "form": form})
