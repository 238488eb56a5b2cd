"""What the record-of-work API views share: the period and unit filters, scoped id fields."""

import datetime

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from core.api import IDEMPOTENCY_KEY, respond_once
from people import selectors as people_selectors
from places import selectors as place_selectors
from places.api import ScopedField, scope_of
from places.models import Resident
from points.api import WRITE_ERRORS, require

from ..views._common import visible_unit

__all__ = [
    "IDEMPOTENCY_KEY",
    "PERIOD_PARAMETERS",
    "WRITE_ERRORS",
    "ScopedResidentField",
    "ScopedUserField",
    "period_of",
    "require",
    "respond_once",
    "unit_param",
]

PERIOD_PARAMETERS = [
    OpenApiParameter("unit", int, description="Rows in this unit's subtree (its id)."),
    OpenApiParameter("start", datetime.date, description="From this date (inclusive)."),
    OpenApiParameter("end", datetime.date, description="Up to this date (inclusive)."),
]


def _date(request, name) -> datetime.date | None:
    text = request.query_params.get(name)
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise serializers.ValidationError({name: [_("Give a date as YYYY-MM-DD.")]}) from None


def period_of(request, *, default_year: bool = False):
    """(start, end) from ?start=&end= (either may be None unless default_year)."""
    start, end = _date(request, "start"), _date(request, "end")
    if default_year:
        from django.utils import timezone

        today = timezone.localdate()
        start = start or today.replace(month=1, day=1)
        end = end or max(today, start)
    if start and end and end < start:
        raise serializers.ValidationError({"end": [_("The end is before the start.")]})
    return start, end


def unit_param(request):
    """The ?unit= the request names (404 unless the user sees it), or None."""
    pk = request.query_params.get("unit")
    return visible_unit(scope_of(request), pk) if pk else None


class ScopedUserField(ScopedField):
    queryset = get_user_model().objects.none()

    def scoped(self, scope):
        holders = people_selectors.assignments(scope).values("user_id")
        return get_user_model().objects.filter(pk__in=holders)


class ScopedResidentField(ScopedField):
    queryset = Resident.objects.none()

    def scoped(self, scope):
        return place_selectors.residents(scope)
