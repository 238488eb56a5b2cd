"""Funding: budgets per township and year, spending entries (insert-only), reversals."""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status

from places import selectors as place_selectors
from places.api import ScopedField, UnitRefSerializer, parse, scope_of

from .. import access, selectors, services
from ..models import Budget, Spending
from ._common import IDEMPOTENCY_KEY, WRITE_ERRORS, require, respond_once


class BudgetSerializer(serializers.ModelSerializer):
    township = UnitRefSerializer(read_only=True)
    spent = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    remaining = serializers.SerializerMethodField()

    class Meta:
        model = Budget
        fields = [
            "id",
            "township",
            "year",
            "residents",
            "rate",
            "months",
            "amount",
            "spent",
            "remaining",
        ]
        read_only_fields = fields

    def get_remaining(self, budget) -> str:
        return str(budget.amount - budget.spent)


class TownshipField(ScopedField):
    queryset = Budget.objects.none()

    def scoped(self, scope):
        return place_selectors.township_of(scope)


class BudgetCreateSerializer(serializers.Serializer):
    township = TownshipField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    months = serializers.IntegerField(min_value=1, max_value=12, default=12)


class BudgetList(generics.ListAPIView):
    """Budgets of the townships in your scope, with net spending and what remains;
    POST sets a year's budget (MANAGE on the township): residents today × rate × months."""

    queryset = Budget.objects.none()
    serializer_class = BudgetSerializer

    def get_queryset(self):
        return selectors.budget_rows(scope_of(self.request)).order_by("-year", "township_id")

    @extend_schema(
        request=BudgetCreateSerializer,
        responses={201: BudgetSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        data = parse(BudgetCreateSerializer, request)
        require(
            access.can_set_budget(scope_of(request), data["township"]),
            _("You may not set the budget of %(unit)s.") % {"unit": data["township"].name},
        )

        def handler():
            budget = services.set_budget(actor=request.user, **data)
            return status.HTTP_201_CREATED, BudgetSerializer(
                self.get_queryset().get(pk=budget.pk)
            ).data

        return respond_once(request, handler)


class BudgetDetail(generics.RetrieveAPIView):
    queryset = Budget.objects.none()
    serializer_class = BudgetSerializer

    def get_queryset(self):
        return selectors.budget_rows(scope_of(self.request))


class SpendingSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=Spending.Category.choices, read_only=True)

    class Meta:
        model = Spending
        fields = [
            "id",
            "budget",
            "date",
            "category",
            "description",
            "quantity",
            "amount",
            "reverses",
            "recorded_at",
        ]
        read_only_fields = fields


class BudgetField(ScopedField):
    queryset = Budget.objects.none()

    def scoped(self, scope):
        return selectors.budgets(scope)


class SpendingCreateSerializer(serializers.Serializer):
    budget = BudgetField()
    date = serializers.DateField()
    category = serializers.ChoiceField(choices=Spending.Category.choices)
    description = serializers.CharField(max_length=200)
    quantity = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))


class ReverseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=150)


class SpendingList(generics.ListAPIView):
    """Spending entries of the townships in your scope (?budget=); POST records one
    (CHANGE on the township). Entries are never changed: see /reverse/."""

    queryset = Spending.objects.none()
    serializer_class = SpendingSerializer

    def get_queryset(self):
        rows = selectors.spending(scope_of(self.request)).order_by("-date", "-id")
        budget = self.request.query_params.get("budget")
        if budget and budget.isdigit():
            rows = rows.filter(budget_id=int(budget))
        return rows

    @extend_schema(
        request=SpendingCreateSerializer,
        responses={201: SpendingSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        data = parse(SpendingCreateSerializer, request)
        township = data["budget"].township
        require(
            access.can_spend(scope_of(request), township),
            _("You may not record spending of %(unit)s.") % {"unit": township.name},
        )

        def handler():
            entry = services.spend(actor=request.user, **data)
            return status.HTTP_201_CREATED, SpendingSerializer(entry).data

        return respond_once(request, handler)


class SpendingReverse(generics.GenericAPIView):
    """Correct an entry: a new entry of the opposite amount, linked to it (once)."""

    queryset = Spending.objects.none()
    serializer_class = ReverseSerializer

    @extend_schema(
        request=ReverseSerializer,
        responses={201: SpendingSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        entry = get_object_or_404(selectors.spending(scope_of(request)), pk=pk)
        data = parse(ReverseSerializer, request)
        require(
            access.can_spend(scope_of(request), entry.township),
            _("You may not record spending of %(unit)s.") % {"unit": entry.township.name},
        )

        def handler():
            reversal = services.reverse_spending(actor=request.user, entry=entry, **data)
            return status.HTTP_201_CREATED, SpendingSerializer(reversal).data

        return respond_once(request, handler)
