"""The monthly 联户 appraisal (联户评): one form, a row per household, sent once."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from core import idempotency
from core.errors import ServiceError
from core.scope import PROPOSE
from people import access
from places import selectors as place_selectors
from places.models import Unit

from .. import selectors, services
from ..forms import AppraisalForm, parse_month
from ..models import Item
from ._common import head_name_subquery, this_month


@login_required
@require_http_methods(["GET", "POST"])
def appraisal(request, unit_id):
    scope = access.scope_for(request.user)
    joint = get_object_or_404(
        place_selectors.units(scope).filter(kind=Unit.Kind.JOINT).select_related("parent"),
        pk=unit_id,
    )
    if not scope.covers_unit(joint, PROPOSE):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    month = min(parse_month(data.get("month")) or this_month(), this_month())
    households = (
        place_selectors.households(scope, PROPOSE)
        .filter(joint=joint)
        .annotate(head_name=head_name_subquery())
        .order_by("number")
    )
    items = (
        selectors.items_in_force(joint.village, month).order_by("code")
        if joint.village_id
        else Item.objects.none()
    )
    initial = {"month": month, "key": uuid.uuid4().hex}
    if request.method == "POST":
        form = AppraisalForm(
            request.POST, request.FILES, households=households, items=items, initial=initial
        )
        batch_id = _propose_once(request, form, joint)
        if batch_id is not None:
            return idempotency.form_redirect(request, reverse("points:batch", args=[batch_id]))
    else:
        form = AppraisalForm(households=households, items=items, initial=initial)
    context = {"joint": joint, "form": form, "month": month, "has_items": items.exists()}
    return render(request, "points/appraisal.html", context)


def _propose_once(request, form, joint) -> int | None:
    """Send the appraisal once per idempotency key; the batch's id, or None with form errors."""
    if not form.is_valid():
        return None
    rows, month = form.filled_rows(), form.cleaned_data["month"]
    fingerprint = idempotency.fingerprint(
        "joint-appraisal",
        joint.pk,
        f"{month:%Y-%m}",
        [
            [row["household"].pk, row["item"].pk, row["note"]]
            + [[photo.name, photo.size] for photo in row["photos"]]
            for row in rows
        ],
    )

    def handler():
        batch = services.propose_joint(joint=joint, period=month, rows=rows, actor=request.user)
        return 201, {"batch": batch.pk, "proposals": len(rows)}

    try:
        _status, body, replayed = idempotency.run_once(
            user=request.user,
            key=form.cleaned_data["key"],
            request_fingerprint=fingerprint,
            handler=handler,
        )
    except ServiceError as exc:
        household = getattr(exc, "household", None)
        if household is not None:
            form.refuse_row(household, str(exc.message))
        else:
            form.add_error(None, str(exc.message))
        return None
    if replayed:
        messages.info(request, _("This appraisal had already been sent; nothing was added."))
    else:
        n = body["proposals"]
        text = ngettext(
            "%(n)d proposal was sent for review.", "%(n)d proposals were sent for review.", n
        )
        messages.success(request, text % {"n": n})
    return body["batch"]


@login_required
@require_GET
def batch(request, pk):
    scope = access.scope_for(request.user)
    proposals = list(
        selectors.proposals(scope)
        .filter(batch_id=pk)
        .select_related("batch__joint", "batch__proposed_by")
        .annotate(n_photos=Count("evidence"), head_name=head_name_subquery("household_id"))
        .order_by("household__number")
    )
    if not proposals:
        raise Http404
    return render(
        request, "points/batch.html", {"batch": proposals[0].batch, "proposals": proposals}
    )
