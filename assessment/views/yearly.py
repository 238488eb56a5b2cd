"""The villages' year-end appraisal (004): the report and its Excel file, key-work marks, and the
township's key-work items.

The rule (assessment.selectors.year_report): a village's yearly score is the average of its
published monthly scores of the year plus its key-work marks of the year; villages are ranked
by it, equal scores sharing a place; the first N places (the township's setting, default 3) are
rated excellent, each with the configured reward (default 10,000 yuan). Seeing needs VIEW on the
township; marking and adding items need MANAGE.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import excel, idempotency
from core.views import apply_form
from places import selectors as place_selectors
from places.models import Unit

from .. import access, selectors, services, setup
from ..forms import KeyWorkForm, MarkForm
from ..models import KeyWork, KeyWorkMark
from ._common import first_township, managed_township, scope_of, township_or_404

FIRST_YEAR = 2000


def _check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        raise Http404
    return year


def _marks(township: Unit, year: int) -> list[KeyWorkMark]:
    return list(
        KeyWorkMark.objects.filter(township=township, year=year)
        .select_related("village", "item", "by")
        .order_by("-at", "-id")
    )


# --- The report -----------------------------------------------------------------------------


@login_required
@require_GET
def year_home(request):
    """This year's report of the user's first township."""
    township = first_township(request)
    return redirect("assessment:year", township_id=township.pk, year=timezone.localdate().year)


def _report(township: Unit, year: int) -> dict:
    setup.ensure(township)  # the default key-work items, the first time
    report = selectors.year_report(township, year)
    names = [item.name for item in report["items"]]
    report["item_names"] = names
    for row in report["rows"]:
        row["cells"] = list(zip(names, row["key_work"], strict=True))
        row["key_work_total"] = sum(row["key_work"], Decimal(0))
    return report


@login_required
@require_GET
def year_report(request, township_id, year):
    township = township_or_404(request, township_id)
    year = _check_year(year)
    report = _report(township, year)
    context = {
        "township": township,
        "year": year,
        "report": report,
        "excellent_count": sum(1 for row in report["rows"] if row["excellent"]),
        "marks": _marks(township, year),
        "can_manage": access.can_manage(scope_of(request), township),
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year <= timezone.localdate().year else None,
    }
    return render(request, "assessment/year_report.html", context)


def _number(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


@login_required
@require_GET
def year_export(request, township_id, year):
    township = township_or_404(request, township_id)
    year = _check_year(year)
    report = _report(township, year)
    headers = [
        _("Rank"),
        _("Village"),
        _("Months counted"),
        _("Average monthly score"),
        *report["item_names"],
        _("Total"),
        _("Excellent"),
        _("Reward (yuan)"),
    ]
    rows = [
        [
            row["rank"],
            row["village"].name,
            row["months"],
            _number(row["average"]),
            *row["key_work"],
            _number(row["total"]),
            _("Excellent") if row["excellent"] else "",
            row["reward"],
        ]
        for row in report["rows"]
    ]
    blank = [None] * (len(headers) - 2)
    rows.append([None, _("Total reward (yuan)"), *blank[:-1], report["reward_total"]])
    content = excel.export_rows(title=str(year), headers=headers, rows=rows)
    filename = _("%(township)s %(year)s village appraisal") % {
        "township": township.name,
        "year": year,
    }
    return excel.xlsx_response(content, f"{filename}.xlsx")


# --- Key-work marks -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def mark_new(request, township_id, year):
    township = managed_township(request, township_id)
    year = _check_year(year)
    setup.ensure(township)
    scope = scope_of(request)
    form = MarkForm(
        request.POST or None,
        villages=place_selectors.units(scope)
        .filter(township=township, kind__in=Unit.VILLAGE_KINDS)
        .order_by("path"),
        items=KeyWork.objects.filter(township=township),
    )
    if request.method == "POST":

        def write():
            data = form.cleaned_data
            return services.mark_key_work(
                village=data["village"],
                item=data["item"],
                year=year,
                points=data["points"],
                note=data["note"],
                user=request.user,
            )

        sent = idempotency.form_once(
            request,
            form,
            write,
            url=reverse("assessment:year_mark", args=[township.pk, year]),
            message=_("The mark is recorded."),
        )
        if sent is not None:
            return sent
    context = {"township": township, "year": year, "form": form, "marks": _marks(township, year)}
    return render(request, "assessment/year_mark.html", context)


# --- Key-work items -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def keywork(request, township_id):
    township = managed_township(request, township_id)
    setup.ensure(township)
    form = KeyWorkForm(request.POST or None)
    if request.method == "POST":
        item = apply_form(
            form,
            lambda: services.add_key_work(
                township=township,
                name=form.cleaned_data["name"],
                max_points=form.cleaned_data["max_points"],
                user=request.user,
            ),
        )
        if item is not None:
            messages.success(
                request, _("“%(name)s” is added to the key work.") % {"name": item.name}
            )
            return redirect("assessment:keywork", township_id=township.pk)
    items = [
        {"item": item, "name": item.name, "marks": item.n_marks}
        for item in KeyWork.objects.filter(township=township).annotate(n_marks=Count("marks"))
    ]
    context = {
        "township": township,
        "form": form,
        "items": items,
        "year": timezone.localdate().year,
    }
    return render(request, "assessment/keywork.html", context)


urlpatterns = [
    path("year/", year_home, name="year_home"),
    path("year/<int:township_id>/<int:year>/", year_report, name="year"),
    path("year/<int:township_id>/<int:year>.xlsx", year_export, name="year_export"),
    path("year/<int:township_id>/<int:year>/marks/new/", mark_new, name="year_mark"),
    path("keywork/<int:township_id>/", keywork, name="keywork"),
]
