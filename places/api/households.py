"""Households: list (with the head's masked name and member count), register, edit, move, and
the households under a unit."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from core import tree
from core.api import IdFilter
from core.errors import PermissionDenied
from core.masking import mask_name
from core.scope import CHANGE

from .. import selectors, services
from ..models import Household, Resident
from ._common import (
    READ_ERRORS,
    WRITE_ERRORS,
    ScopedUnitField,
    UnitRefSerializer,
    parse,
    reason_field,
    require_household,
    require_places,
    scope_of,
    unit_by_id,
)


def with_summary(households):
    """Annotate the head's name and the member count: two subqueries, no query per row."""
    heads = Resident.objects.filter(household=OuterRef("pk"), relation=Resident.Relation.HEAD)
    members = (
        Resident.objects.filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return households.annotate(
        head_name=Subquery(heads.values("name")[:1]),
        member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0),
    )


class HouseholdSerializer(serializers.ModelSerializer):
    group = UnitRefSerializer(read_only=True)
    grid = UnitRefSerializer(source="joint.parent", read_only=True)
    joint = UnitRefSerializer(read_only=True)
    head_name = serializers.SerializerMethodField(help_text="The head's name, masked (张*三).")
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "number",
            "township",
            "group",
            "grid",
            "joint",
            "address",
            "door_area",
            "head_name",
            "member_count",
        ]
        read_only_fields = fields

    def get_head_name(self, household) -> str:
        return mask_name(household.head_name or "")


class HouseholdCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=30)
    group = ScopedUnitField()
    joint = ScopedUnitField()
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    door_area = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reason = reason_field()


class HouseholdUpdateSerializer(serializers.Serializer):
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    door_area = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reason = reason_field()


class HouseholdMoveSerializer(serializers.Serializer):
    group = ScopedUnitField(required=False, allow_null=True)
    joint = ScopedUnitField(required=False, allow_null=True)
    reason = reason_field(required=True)

    def validate(self, attrs):
        if not attrs.get("group") and not attrs.get("joint"):
            raise serializers.ValidationError(_("Choose a new group or a new 联户."))
        return attrs


class HouseholdFilter(filters.FilterSet):
    unit = IdFilter(method="filter_unit", label="Under this unit (id)")
    number = filters.CharFilter()
    q = filters.CharFilter(method="filter_head", label="Head's name contains")

    class Meta:
        model = Household
        fields = ["unit", "number", "q"]

    def filter_unit(self, queryset, name, value):
        unit = unit_by_id(value)
        if unit is None:
            return queryset.none()
        field = "joint_path" if unit.is_grid_tree else "group_path"
        return queryset.filter(tree.under(field, unit.path))

    def filter_head(self, queryset, name, value):
        return queryset.filter(
            members__relation=Resident.Relation.HEAD, members__name__contains=value
        )


class HouseholdsInScope:  # in sight, with their summary (no docstring: see UnitsInScope)
    queryset = Household.objects.none()

    def get_queryset(self):
        return with_summary(selectors.households(scope_of(self.request)))


def household_data(request, household: Household) -> dict:
    row = with_summary(selectors.households(scope_of(request))).get(pk=household.pk)
    return HouseholdSerializer(row).data


class HouseholdList(HouseholdsInScope, generics.ListAPIView):
    """Households you can see, with the head's masked name and the member count."""

    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter

    @extend_schema(
        request=HouseholdCreateSerializer, responses={201: HouseholdSerializer, **WRITE_ERRORS}
    )
    def post(self, request):
        data = parse(HouseholdCreateSerializer, request)
        scope = scope_of(request)
        if not any(scope.covers_unit(data[name], CHANGE) for name in ("group", "joint")):
            message = _("You may not register households in %(unit)s.")
            raise PermissionDenied(message % {"unit": data["joint"].name})
        household = services.create_household(actor=request.user, **data)
        return Response(household_data(request, household), status=status.HTTP_201_CREATED)


class HouseholdDetail(HouseholdsInScope, generics.GenericAPIView):
    serializer_class = HouseholdSerializer

    @extend_schema(responses={200: HouseholdSerializer, **READ_ERRORS})
    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=HouseholdUpdateSerializer, responses={200: HouseholdSerializer, **WRITE_ERRORS}
    )
    def patch(self, request, pk):
        household = self.get_object()
        require_household(
            scope_of(request), household, _("You may not change household %(number)s.")
        )
        data = parse(HouseholdUpdateSerializer, request)
        services.update_household(household=household, actor=request.user, **data)
        return Response(household_data(request, household))


class HouseholdMove(generics.GenericAPIView):
    queryset = Household.objects.none()
    serializer_class = HouseholdMoveSerializer

    def get_queryset(self):
        return selectors.households(scope_of(self.request))

    @extend_schema(
        request=HouseholdMoveSerializer, responses={200: HouseholdSerializer, **WRITE_ERRORS}
    )
    def post(self, request, pk):
        household = self.get_object()
        scope = scope_of(request)
        require_household(scope, household, _("You may not move household %(number)s."))
        data = parse(HouseholdMoveSerializer, request)
        require_places(scope, [unit for unit in (data.get("group"), data.get("joint")) if unit])
        services.move_household(household=household, actor=request.user, **data)
        return Response(household_data(request, household))


class UnitHouseholds(generics.ListAPIView):
    """Households under a unit: by 联户 path for grids and 联户, by group path otherwise."""

    queryset = Household.objects.none()
    serializer_class = HouseholdSerializer

    def get_queryset(self):
        scope = scope_of(self.request)
        unit = generics.get_object_or_404(selectors.units(scope), pk=self.kwargs["pk"])
        return with_summary(selectors.households_under(scope, unit))
