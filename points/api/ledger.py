"""The ledger: entries of the households in sight, and a household's balance and rank."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from core.api import IdFilter
from people.api import HouseholdRefSerializer, UserRefSerializer
from places import selectors as places_selectors
from places.api import READ_ERRORS, ErrorSerializer, scope_of

from .. import selectors, services
from ..models import Entry
from ._common import MonthField, MonthFilter, PointsItemSerializer


class PointsEntrySerializer(serializers.ModelSerializer):
    household = HouseholdRefSerializer(read_only=True)
    item = PointsItemSerializer(read_only=True, allow_null=True)
    period = MonthField(read_only=True)
    proposed_by = UserRefSerializer(read_only=True, allow_null=True)
    approved_by = UserRefSerializer(read_only=True, allow_null=True)
    reversed_by = serializers.SerializerMethodField(help_text="The correction of this entry.")

    class Meta:
        model = Entry
        fields = [
            "id",
            "village",
            "household",
            "seq",
            "kind",
            "amount",
            "item",
            "period",
            "note",
            "proposal",
            "reverses",
            "reversed_by",
            "proposed_by",
            "approved_by",
            "created_at",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields

    def get_reversed_by(self, entry) -> int | None:
        reversal = getattr(entry, "reversed_by", None)
        return reversal.pk if reversal else None


class EntryFilter(filters.FilterSet):
    household = IdFilter(field_name="household_id")
    village = IdFilter(field_name="village_id")
    period = MonthFilter(label="Month (YYYY-MM)")
    kind = filters.ChoiceFilter(choices=Entry.Kind.choices)

    class Meta:
        model = Entry
        fields = ["household", "village", "period", "kind"]


class EntryList(generics.ListAPIView):
    """Ledger entries of the households you can see (a villager: his own household's)."""

    queryset = Entry.objects.none()
    serializer_class = PointsEntrySerializer
    filterset_class = EntryFilter

    def get_queryset(self):
        return (
            selectors.entries(scope_of(self.request))
            .select_related("proposed_by", "approved_by", "reversed_by")
            .order_by("-created_at", "-id")
        )


class PointsBalanceSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    month = serializers.CharField(help_text="The month ranked (YYYY-MM).")
    quarter = serializers.CharField(help_text="The quarter ranked (2026-Q4).")
    balance = serializers.IntegerField()
    rank_month = serializers.IntegerField(
        allow_null=True, help_text="Rank in the village by the month's points; null if none."
    )
    rank_quarter = serializers.IntegerField(allow_null=True)
    ranked_households = serializers.IntegerField(help_text="Households ranked in the month.")
    ranked_households_quarter = serializers.IntegerField()


class BalanceQuerySerializer(serializers.Serializer):
    month = MonthField(required=False, help_text="The month to rank (this month if left out).")


class BalanceDetail(generics.GenericAPIView):
    """A household's balance and its rank in its village this month and this quarter."""

    serializer_class = PointsBalanceSerializer

    @extend_schema(
        parameters=[BalanceQuerySerializer],
        responses={200: PointsBalanceSerializer, 400: ErrorSerializer, **READ_ERRORS},
    )
    def get(self, request, household_id):
        household = get_object_or_404(
            places_selectors.households(scope_of(request)), pk=household_id
        )
        query = BalanceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data.get("month") or services.month_start(timezone.localdate())
        quarter = selectors.quarter_of(month)
        rank_month, ranked = selectors.rank_of(household, month, month)
        rank_quarter, ranked_quarter = selectors.rank_of(
            household, *selectors.quarter_bounds(quarter)
        )
        body = {
            "household": household.pk,
            "month": f"{month:%Y-%m}",
            "quarter": quarter,
            "balance": selectors.balance(household),
            "rank_month": rank_month,
            "rank_quarter": rank_quarter,
            "ranked_households": ranked,
            "ranked_households_quarter": ranked_quarter,
        }
        return Response(PointsBalanceSerializer(body).data)
