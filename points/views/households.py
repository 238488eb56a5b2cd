"""A household's points: balance, history with reasons, ranks, appeals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ServiceError
from people import access
from places import selectors as place_selectors

from .. import selectors, services
from ..forms import AppealForm
from ..models import Appeal, Entry, Proposal
from ._common import may_appeal_for, points_card_url

HISTORY_PAGE = 50


def _history_rows(entries, may_appeal: bool) -> list[dict]:
    """Each entry with its correction, its appeals and, where it may be appealed, a form."""
    rows = []
    for entry in entries:
        row = {
            "entry": entry,
            "corrected_by": _correction_of(entry),
            "appeals": entry.appeals.all(),
        }
        open_appeal = any(a.state == Appeal.State.PENDING for a in row["appeals"])
        if (
            may_appeal
            and entry.kind == Entry.Kind.AWARD
            and not (row["corrected_by"] or open_appeal)
        ):
            row["appeal_form"] = AppealForm(auto_id=f"appeal-{entry.pk}-%s")
        rows.append(row)
    return rows


def _correction_of(entry) -> Entry | None:
    try:
        return entry.reversed_by
    except Entry.DoesNotExist:
        return None


@login_required
@require_GET
def household(request, pk):
    scope = access.scope_for(request.user)
    household = get_object_or_404(
        place_selectors.households(scope).select_related("group__village"), pk=pk
    )
    today = timezone.localdate()
    month = today.replace(day=1)
    quarter = selectors.quarter_of(today)
    appeals = Appeal.objects.select_related("filed_by", "decided_by").order_by("filed_at")
    history = (
        selectors.history(household)
        .select_related("reversed_by", "reverses__item")
        .prefetch_related(Prefetch("appeals", queryset=appeals))
    )
    page = Paginator(history, HISTORY_PAGE).get_page(request.GET.get("page"))
    may_appeal = may_appeal_for(scope, household)
    context = {
        "household": household,
        "village": household.group.village,
        "balance": selectors.balance(household),
        "page": page,
        "rows": _history_rows(page.object_list, may_appeal),
        "month": month,
        "quarter": quarter,
        "month_rank": selectors.rank_of(household, month, month),
        "quarter_rank": selectors.rank_of(household, *selectors.quarter_bounds(quarter)),
        "pending": selectors.proposals(scope)
        .filter(household=household, state=Proposal.State.PENDING)
        .order_by("proposed_at"),
        "card_url": points_card_url(household),
    }
    return render(request, "points/household.html", context)


@login_required
@require_POST
def appeal(request, pk):
    scope = access.scope_for(request.user)
    entry = get_object_or_404(selectors.entries(scope), pk=pk)
    if not may_appeal_for(scope, entry.household):
        raise PermissionDenied
    form = AppealForm(request.POST)
    target = reverse("points:household", args=[entry.household_id]) + f"#entry-{entry.pk}"
    try:
        if not form.is_valid():
            raise ServiceError(" ".join(form.errors["reason"]))
        services.file_appeal(entry=entry, actor=request.user, reason=form.cleaned_data["reason"])
    except ServiceError as exc:
        messages.error(
            request, _("Entry #%(seq)d: %(error)s") % {"seq": entry.seq, "error": exc.message}
        )
    else:
        messages.success(
            request, _("Your appeal of entry #%(seq)d was filed for review.") % {"seq": entry.seq}
        )
    return redirect(target)
