"""Units of both trees (townships, villages, groups, grids, 联户): list, create, rename, move."""

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from core.api import IdFilter, IntegerFilter
from core.scope import MANAGE

from .. import selectors, services
from ..models import Unit
from ._common import (
    READ_ERRORS,
    WRITE_ERRORS,
    ScopedUnitField,
    parse,
    reason_field,
    require_unit,
    scope_of,
)


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = [
            "id",
            "kind",
            "name",
            "code",
            "parent",
            "path",
            "township",
            "village",
            "grid_level",
            "work_group",
            "is_active",
        ]
        read_only_fields = fields


class UnitDetailSerializer(UnitSerializer):
    household_count = serializers.IntegerField(
        read_only=True, help_text="Households under this unit that you may see."
    )

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "household_count"]
        read_only_fields = fields


class UnitCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Unit.Kind.choices)
    name = serializers.CharField(max_length=100)
    parent = ScopedUnitField()
    code = serializers.CharField(max_length=30, required=False, allow_blank=True)
    village = ScopedUnitField(
        required=False, allow_null=True, help_text="For a level-2 grid: the village it covers."
    )
    work_group = serializers.CharField(max_length=100, required=False, allow_blank=True)
    reason = reason_field()

    def validate_village(self, village):
        if village is not None and village.kind not in (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY):
            raise serializers.ValidationError(_("Choose a village or community."))
        return village


class UnitUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    work_group = serializers.CharField(max_length=100, required=False, allow_blank=True)
    reason = reason_field()


class UnitMoveSerializer(serializers.Serializer):
    parent = ScopedUnitField()
    reason = reason_field(required=True)


class UnitFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Unit.Kind.choices)
    parent = IdFilter(field_name="parent_id")
    township = IdFilter(field_name="township_id")
    grid_level = IntegerFilter(min_value=1, max_value=9)
    q = filters.CharFilter(field_name="name", lookup_expr="contains", label="Name contains")

    class Meta:
        model = Unit
        fields = ["kind", "parent", "township", "grid_level", "q"]


# A comment, not a docstring: drf-spectacular would show a docstring as the views' description.
class UnitsInScope:  # the units in sight; any other id answers 404
    queryset = Unit.objects.none()  # the type for the schema; get_queryset gives the rows

    def get_queryset(self):
        return selectors.units(scope_of(self.request))


def unit_detail(request, unit: Unit) -> dict:
    unit.household_count = selectors.household_count(scope_of(request), unit)
    return UnitDetailSerializer(unit).data


class UnitList(UnitsInScope, generics.ListAPIView):
    """Units (townships, villages, groups, grids, 联户) you can see."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    @extend_schema(
        request=UnitCreateSerializer, responses={201: UnitDetailSerializer, **WRITE_ERRORS}
    )
    def post(self, request):
        data = parse(UnitCreateSerializer, request)
        message = _("You may not add units under %(unit)s.")
        require_unit(scope_of(request), data["parent"], MANAGE, message)
        unit = services.create_unit(actor=request.user, **data)
        return Response(unit_detail(request, unit), status=status.HTTP_201_CREATED)


class UnitDetail(UnitsInScope, generics.GenericAPIView):
    serializer_class = UnitDetailSerializer

    @extend_schema(responses={200: UnitDetailSerializer, **READ_ERRORS})
    def get(self, request, pk):
        return Response(unit_detail(request, self.get_object()))

    @extend_schema(
        request=UnitUpdateSerializer, responses={200: UnitDetailSerializer, **WRITE_ERRORS}
    )
    def patch(self, request, pk):
        unit = self.get_object()
        require_unit(scope_of(request), unit, MANAGE, _("You may not change %(unit)s."))
        data = parse(UnitUpdateSerializer, request)
        services.rename_unit(
            unit=unit,
            name=data.get("name", unit.name),
            work_group=data.get("work_group"),
            reason=data.get("reason", ""),
            actor=request.user,
        )
        return Response(unit_detail(request, unit))


class UnitMove(UnitsInScope, generics.GenericAPIView):
    serializer_class = UnitMoveSerializer

    @extend_schema(
        request=UnitMoveSerializer, responses={200: UnitDetailSerializer, **WRITE_ERRORS}
    )
    def post(self, request, pk):
        unit = self.get_object()
        scope = scope_of(request)
        require_unit(scope, unit, MANAGE, _("You may not move %(unit)s."))
        data = parse(UnitMoveSerializer, request)
        require_unit(scope, data["parent"], MANAGE, _("You may not add units under %(unit)s."))
        unit = services.move_unit(
            unit=unit, new_parent=data["parent"], reason=data["reason"], actor=request.user
        )
        return Response(unit_detail(request, unit))
