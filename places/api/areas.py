"""Responsibility areas (责任区域) on grids and 联户: list, add, and give a new owner."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from core.api import IdFilter
from core.scope import MANAGE

from .. import selectors, services
from ..models import Household, ResponsibilityArea, Unit
from ._common import (
    READ_ERRORS,
    WRITE_ERRORS,
    ScopedHouseholdField,
    ScopedUnitField,
    UnitRefSerializer,
    parse,
    reason_field,
    require_unit,
    scope_of,
    unit_by_id,
)


class OwnerSerializer(serializers.Serializer):
    """A user who owns an area (officials are shown by name, as on the pages)."""

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class HouseholdNumberSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "number"]
        read_only_fields = fields


class AreaSerializer(serializers.ModelSerializer):
    grid = UnitRefSerializer(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    owner = OwnerSerializer(read_only=True, allow_null=True)
    owner_household = HouseholdNumberSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ResponsibilityArea
        fields = [
            "id",
            "township",
            "grid",
            "number",
            "name",
            "kind",
            "kind_label",
            "description",
            "owner",
            "owner_household",
        ]
        read_only_fields = fields


def owner_field():
    return serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="The user who answers for the area.",
    )


def owner_household_field():
    return ScopedHouseholdField(
        required=False, allow_null=True, help_text="The household that keeps the area."
    )


class AreaCreateSerializer(serializers.Serializer):
    grid = ScopedUnitField(help_text="A grid or 联户.")
    number = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="The next free one if left out."
    )
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=ResponsibilityArea.Kind.choices)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    owner = owner_field()
    owner_household = owner_household_field()
    reason = reason_field()

    def validate_grid(self, grid):
        if grid.kind not in (Unit.Kind.GRID, Unit.Kind.JOINT):
            raise serializers.ValidationError(_("Choose a grid or a 联户."))
        return grid


class AreaReassignSerializer(serializers.Serializer):
    owner = owner_field()
    owner_household = owner_household_field()
    reason = reason_field(required=True)


class AreaFilter(filters.FilterSet):
    unit = IdFilter(method="filter_unit", label="Under this unit (id)")
    kind = filters.ChoiceFilter(choices=ResponsibilityArea.Kind.choices)
    owner = IdFilter(field_name="owner_id")
    owner_household = IdFilter(field_name="owner_household_id")
    q = filters.CharFilter(field_name="name", lookup_expr="contains", label="Name contains")

    class Meta:
        model = ResponsibilityArea
        fields = ["unit", "kind", "owner", "owner_household", "q"]

    def filter_unit(self, queryset, name, value):
        unit = unit_by_id(value)
        if unit is None:
            return queryset.none()
        return queryset.filter(selectors.areas_of_unit_q(unit))


def scoped_areas(request):
    return selectors.areas(scope_of(request)).select_related("owner_household", "grid__village")


class AreaList(generics.ListAPIView):
    """Responsibility areas (责任区域) on the grids you can see, by number."""

    queryset = ResponsibilityArea.objects.none()
    serializer_class = AreaSerializer
    filterset_class = AreaFilter

    def get_queryset(self):
        return scoped_areas(self.request).order_by("township_id", "number")

    @extend_schema(request=AreaCreateSerializer, responses={201: AreaSerializer, **WRITE_ERRORS})
    def post(self, request):
        data = parse(AreaCreateSerializer, request)
        message = _("You may not add responsibility areas to %(unit)s.")
        require_unit(scope_of(request), data["grid"], MANAGE, message)
        area = services.create_area(actor=request.user, **data)
        return Response(AreaSerializer(area).data, status=status.HTTP_201_CREATED)


class AreaDetail(generics.RetrieveAPIView):
    queryset = ResponsibilityArea.objects.none()
    serializer_class = AreaSerializer

    def get_queryset(self):
        return scoped_areas(self.request)

    @extend_schema(responses={200: AreaSerializer, **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AreaReassign(generics.GenericAPIView):
    """Give the area to another user and/or household; the history keeps the previous owner."""

    queryset = ResponsibilityArea.objects.none()
    serializer_class = AreaReassignSerializer

    def get_queryset(self):
        return scoped_areas(self.request)

    @extend_schema(request=AreaReassignSerializer, responses={200: AreaSerializer, **WRITE_ERRORS})
    def post(self, request, pk):
        area = self.get_object()
        message = _("You may not change who owns the areas of %(unit)s.")
        require_unit(scope_of(request), area.grid, MANAGE, message)
        data = parse(AreaReassignSerializer, request)
        services.reassign_area(area=area, actor=request.user, **data)
        return Response(AreaSerializer(area).data)
