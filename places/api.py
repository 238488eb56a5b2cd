"""REST API for units, households, residents, responsibility areas and township rules (/api/v1/).

Each view parses with an explicit serializer, checks access through the user's Scope
(people.access), calls one service or selector and serializes. Objects outside the scope answer
404; objects in sight that the user may not change answer 403. ID and phone numbers are always
masked here; the identity endpoint alone shows them in full, and logs each view.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core import tree
from core.errors import PermissionDenied
from core.masking import mask_name
from core.scope import CHANGE, MANAGE, Scope
from people import access

from . import selectors, services
from .models import Household, Resident, ResponsibilityArea, TownshipConfig, Unit

# --- Shared plumbing (people.api uses it too) --------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The body of every error: a stable code, a message, and the field errors if any."""

    def get_fields(self):
        # "fields" clashes with Serializer.fields as a declared attribute, so build it here.
        return {
            "code": serializers.CharField(),
            "detail": serializers.CharField(),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()), required=False
            ),
        }


READ_ERRORS = {404: ErrorSerializer}
WRITE_ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def scope_of(request) -> Scope:
    return access.scope_for(request.user)


def parse(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ScopedField(serializers.PrimaryKeyRelatedField):
    """An id among the objects the user can see; any other id answers 404, revealing nothing."""

    not_found = gettext_lazy("%(field)s: nothing with id %(id)s was found.")

    def scoped(self, scope: Scope):
        raise NotImplementedError

    def get_queryset(self):
        return self.scoped(scope_of(self.context["request"]))

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            return self.get_queryset().get(pk=data)
        except ObjectDoesNotExist:
            raise NotFound(self.not_found % {"field": self.field_name, "id": data}) from None
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)


class ScopedUnitField(ScopedField):
    queryset = Unit.objects.none()  # the type for the schema; get_queryset gives the rows
    not_found = gettext_lazy("%(field)s: no unit with id %(id)s was found.")

    def scoped(self, scope):
        return selectors.units(scope)


class ScopedHouseholdField(ScopedField):
    queryset = Household.objects.none()
    not_found = gettext_lazy("%(field)s: no household with id %(id)s was found.")

    def scoped(self, scope):
        return selectors.households(scope)


def reason_field(required: bool = False):
    return serializers.CharField(max_length=300, required=required, allow_blank=not required)


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "kind", "name"]


# --- Units ---------------------------------------------------------------------------------------


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
    parent = filters.NumberFilter(field_name="parent_id")
    township = filters.NumberFilter(field_name="township_id")
    grid_level = filters.NumberFilter()
    q = filters.CharFilter(field_name="name", lookup_expr="contains", label="Name contains")

    class Meta:
        model = Unit
        fields = ["kind", "parent", "township", "grid_level", "q"]


def require_unit(scope: Scope, unit: Unit, cap: str, message: str) -> None:
    """403 unless the scope covers `unit` for `cap` (the caller already knows it is visible)."""
    if not scope.covers_unit(unit, cap):
        raise PermissionDenied(message % {"unit": unit.name})


def unit_detail(request, unit: Unit) -> dict:
    unit.household_count = selectors.household_count(scope_of(request), unit)
    return UnitDetailSerializer(unit).data


class UnitList(generics.ListAPIView):
    """Units (townships, villages, groups, grids, 联户) you can see."""

    queryset = Unit.objects.none()
    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    def get_queryset(self):
        return selectors.units(scope_of(self.request))

    @extend_schema(
        request=UnitCreateSerializer, responses={201: UnitDetailSerializer, **WRITE_ERRORS}
    )
    def post(self, request):
        data = parse(UnitCreateSerializer, request)
        message = _("You may not add units under %(unit)s.")
        require_unit(scope_of(request), data["parent"], MANAGE, message)
        unit = services.create_unit(actor=request.user, **data)
        return Response(unit_detail(request, unit), status=status.HTTP_201_CREATED)


class UnitDetail(generics.GenericAPIView):
    queryset = Unit.objects.none()
    serializer_class = UnitDetailSerializer

    def get_queryset(self):
        return selectors.units(scope_of(self.request))

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


class UnitMove(generics.GenericAPIView):
    queryset = Unit.objects.none()
    serializer_class = UnitMoveSerializer

    def get_queryset(self):
        return selectors.units(scope_of(self.request))

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


# --- Households ----------------------------------------------------------------------------------


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
    unit = filters.NumberFilter(method="filter_unit", label="Under this unit (id)")
    number = filters.CharFilter()
    q = filters.CharFilter(method="filter_head", label="Head's name contains")

    class Meta:
        model = Household
        fields = ["unit", "number", "q"]

    def filter_unit(self, queryset, name, value):
        unit = Unit.objects.filter(pk=value).only("kind", "path").first()
        if unit is None:
            return queryset.none()
        field = "joint_path" if unit.is_grid_tree else "group_path"
        return queryset.filter(tree.under(field, unit.path))

    def filter_head(self, queryset, name, value):
        return queryset.filter(
            members__relation=Resident.Relation.HEAD, members__name__contains=value
        )


def require_household(scope: Scope, household: Household, message: str) -> None:
    if not access.can_change_household(scope, household, CHANGE):
        raise PermissionDenied(message % {"number": household.number})


def require_places(scope: Scope, units) -> None:
    for unit in units:
        require_unit(scope, unit, CHANGE, _("You may not put households into %(unit)s."))


def household_data(request, household: Household) -> dict:
    row = with_summary(selectors.households(scope_of(request))).get(pk=household.pk)
    return HouseholdSerializer(row).data


class HouseholdList(generics.ListAPIView):
    """Households you can see, with the head's masked name and the member count."""

    queryset = Household.objects.none()
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter

    def get_queryset(self):
        return with_summary(selectors.households(scope_of(self.request)))

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


class HouseholdDetail(generics.GenericAPIView):
    queryset = Household.objects.none()
    serializer_class = HouseholdSerializer

    def get_queryset(self):
        return with_summary(selectors.households(scope_of(self.request)))

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


# --- Residents -----------------------------------------------------------------------------------


class ResidentSerializer(serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)
    id_number = serializers.CharField(
        source="masked_id_number", read_only=True, help_text="Masked: 4201**********1236."
    )
    phone = serializers.CharField(
        source="masked_phone", read_only=True, help_text="Masked: 136****8888."
    )

    class Meta:
        model = Resident
        fields = [
            "id",
            "household",
            "household_number",
            "name",
            "sex",
            "birth_date",
            "relation",
            "is_party_member",
            "id_number",
            "phone",
        ]
        read_only_fields = fields


class ResidentUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, required=False)
    sex = serializers.ChoiceField(choices=Resident.Sex.choices, required=False)
    birth_date = serializers.DateField(required=False, allow_null=True)
    id_number = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text="In full; checked (GB 11643)."
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    relation = serializers.ChoiceField(choices=Resident.Relation.choices, required=False)
    is_party_member = serializers.BooleanField(required=False)
    reason = reason_field()


class ResidentCreateSerializer(ResidentUpdateSerializer):
    household = ScopedHouseholdField()
    name = serializers.CharField(max_length=50)
    sex = serializers.ChoiceField(choices=Resident.Sex.choices)


class IdentitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Resident
        fields = ["id", "name", "id_number", "phone"]
        read_only_fields = fields


class ResidentFilter(filters.FilterSet):
    household = filters.NumberFilter(field_name="household_id")
    q = filters.CharFilter(field_name="name", lookup_expr="contains", label="Name contains")

    class Meta:
        model = Resident
        fields = ["household", "q"]


class ResidentList(generics.ListAPIView):
    """Residents of the households you can see; ID and phone numbers masked."""

    queryset = Resident.objects.none()
    serializer_class = ResidentSerializer
    filterset_class = ResidentFilter

    def get_queryset(self):
        return selectors.residents(scope_of(self.request))

    @extend_schema(
        request=ResidentCreateSerializer, responses={201: ResidentSerializer, **WRITE_ERRORS}
    )
    def post(self, request):
        data = parse(ResidentCreateSerializer, request)
        household = data.pop("household")
        message = _("You may not add residents to household %(number)s.")
        require_household(scope_of(request), household, message)
        reason = data.pop("reason", "")
        resident = services.create_resident(
            household=household, actor=request.user, reason=reason, **data
        )
        return Response(ResidentSerializer(resident).data, status=status.HTTP_201_CREATED)


class ResidentDetail(generics.GenericAPIView):
    queryset = Resident.objects.none()
    serializer_class = ResidentSerializer

    def get_queryset(self):
        return selectors.residents(scope_of(self.request))

    @extend_schema(responses={200: ResidentSerializer, **READ_ERRORS})
    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=ResidentUpdateSerializer, responses={200: ResidentSerializer, **WRITE_ERRORS}
    )
    def patch(self, request, pk):
        resident = self.get_object()
        message = _("You may not change the residents of household %(number)s.")
        require_household(scope_of(request), resident.household, message)
        data = parse(ResidentUpdateSerializer, request)
        reason = data.pop("reason", "")
        services.update_resident(resident=resident, actor=request.user, reason=reason, **data)
        return Response(ResidentSerializer(resident).data)


class ResidentIdentity(generics.GenericAPIView):
    """The full ID and phone numbers, for the resident themself or an official who may change
    the household; anyone else gets 404. Every answer is logged (view_sensitive)."""

    queryset = Resident.objects.none()
    serializer_class = IdentitySerializer

    def get_queryset(self):
        return selectors.residents(scope_of(self.request))

    @extend_schema(responses={200: IdentitySerializer, **READ_ERRORS})
    def get(self, request, pk):
        resident = self.get_object()
        if not access.can_view_identity(request.user, resident):
            raise NotFound()
        services.record_identity_view(resident=resident, actor=request.user)
        response = Response(IdentitySerializer(resident).data)
        response["Cache-Control"] = "no-store"
        return response


# --- Responsibility areas ------------------------------------------------------------------------


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
    unit = filters.NumberFilter(method="filter_unit", label="Under this unit (id)")
    kind = filters.ChoiceFilter(choices=ResponsibilityArea.Kind.choices)
    owner = filters.NumberFilter(field_name="owner_id")
    owner_household = filters.NumberFilter(field_name="owner_household_id")
    q = filters.CharFilter(field_name="name", lookup_expr="contains", label="Name contains")

    class Meta:
        model = ResponsibilityArea
        fields = ["unit", "kind", "owner", "owner_household", "q"]

    def filter_unit(self, queryset, name, value):
        unit = Unit.objects.filter(pk=value).only("kind", "path").first()
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


# --- Township configuration ----------------------------------------------------------------------


class StarSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, max_length=100)
    required = serializers.BooleanField(default=False)


class TownshipConfigSerializer(serializers.ModelSerializer):
    stars = StarSerializer(many=True, read_only=True)

    class Meta:
        model = TownshipConfig
        fields = [
            "township",
            "grid_levels",
            "joint_size",
            "warning_below",
            "suspension_below",
            "red_list_size",
            "black_list_size",
            "stars",
            "updated_at",
        ]
        read_only_fields = fields


class TownshipConfigUpdateSerializer(serializers.Serializer):
    grid_levels = serializers.IntegerField(required=False)
    joint_size = serializers.IntegerField(required=False)
    warning_below = serializers.DecimalField(max_digits=5, decimal_places=1, required=False)
    suspension_below = serializers.DecimalField(max_digits=5, decimal_places=1, required=False)
    red_list_size = serializers.IntegerField(required=False)
    black_list_size = serializers.IntegerField(required=False)
    stars = StarSerializer(many=True, required=False, help_text="The whole set, replaced.")
    reason = reason_field()


class TownshipConfigView(generics.GenericAPIView):
    """A township's rules: grid levels, 联户 size, thresholds, red/black list sizes, stars."""

    queryset = Unit.objects.none()
    serializer_class = TownshipConfigSerializer

    def get_queryset(self):
        units = selectors.units(scope_of(self.request))
        return units.filter(kind=Unit.Kind.TOWNSHIP).select_related("config")

    @extend_schema(responses={200: TownshipConfigSerializer, **READ_ERRORS})
    def get(self, request, pk):
        config = selectors.township_config(self.get_object())
        return Response(TownshipConfigSerializer(config).data)

    @extend_schema(
        request=TownshipConfigUpdateSerializer,
        responses={200: TownshipConfigSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, pk):
        township = self.get_object()
        message = _("You may not change the rules of %(unit)s.")
        require_unit(scope_of(request), township, MANAGE, message)
        data = parse(TownshipConfigUpdateSerializer, request)
        if "stars" in data:
            data["stars"] = [dict(star) for star in data["stars"]]
        reason = data.pop("reason", "")
        config = selectors.township_config(township)
        services.update_config(config=config, actor=request.user, reason=reason, **data)
        return Response(TownshipConfigSerializer(config).data)
