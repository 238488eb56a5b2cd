"""What the points API views share: the write errors, the Idempotency-Key header and the
once-per-key response, months as fields and filters, the 403 check, and the item serializer."""

import datetime

from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.errors import PermissionDenied
from places.api import ErrorSerializer

from ..models import Item

WRITE_ERRORS = {
    400: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    422: ErrorSerializer,
}


def parse_month(value) -> datetime.date | None:
    """'2026-10' or any date of the month → the month's first day; None if neither."""
    text = str(value).strip()
    try:
        if len(text) == 7:
            return datetime.datetime.strptime(text, "%Y-%m").date()
        return datetime.date.fromisoformat(text).replace(day=1)
    except ValueError:
        return None


@extend_schema_field({"type": "string", "example": "2026-10", "pattern": r"^\d{4}-\d{2}"})
class MonthField(serializers.Field):
    """A month: YYYY-MM, or any date (YYYY-MM-DD) in it; shown as YYYY-MM."""

    default_error_messages = {
        "invalid": gettext_lazy("Give a month as YYYY-MM or a date as YYYY-MM-DD.")
    }

    def to_internal_value(self, data):
        month = parse_month(data)
        if month is None:
            self.fail("invalid")
        return month

    def to_representation(self, value):
        return f"{value:%Y-%m}"


class MonthFilter(filters.CharFilter):
    def filter(self, qs, value):
        if not value:
            return qs
        month = parse_month(value)
        if month is None:
            raise serializers.ValidationError(
                {self.field_name: [MonthField.default_error_messages["invalid"]]}
            )
        return qs.filter(**{self.field_name: month})


def require(allowed: bool, message: str) -> None:
    """403 for an object in sight that the user may not act on."""
    if not allowed:
        raise PermissionDenied(message)


class PointsItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "code", "category", "name", "value", "monthly_cap", "evidence_required"]
        read_only_fields = fields
