"""REST API for role assignments and for choosing users (/api/v1/).

Thin views as in places.api: parse, check access through the Scope, call one service or
selector, serialize. Appointing or ending a role needs MANAGE on the role's unit (for a
villager's role: on the household's group).
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api import IdFilter
from core.errors import PermissionDenied
from core.scope import MANAGE, Scope
from places.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorSerializer,
    ScopedHouseholdField,
    ScopedUnitField,
    UnitRefSerializer,
    parse,
    reason_field,
    scope_of,
)
from places.models import Household

from . import security, selectors, services
from .models import Role, RoleAssignment, User


class UserRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "name"]
        read_only_fields = fields


class HouseholdRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "number"]
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer):
    user = UserRefSerializer(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    unit = UnitRefSerializer(read_only=True, allow_null=True)
    household = HouseholdRefSerializer(read_only=True, allow_null=True)
    is_current = serializers.SerializerMethodField(help_text="In force today.")

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "user",
            "role",
            "role_label",
            "township",
            "unit",
            "household",
            "start_date",
            "end_date",
            "is_current",
            "authority",
            "granted_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_is_current(self, assignment) -> bool:
        return assignment.is_active_on(timezone.localdate())


class AssignmentCreateSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    role = serializers.ChoiceField(choices=Role.choices)
    unit = ScopedUnitField(
        required=False, allow_null=True, help_text="For every role but villager."
    )
    household = ScopedHouseholdField(
        required=False, allow_null=True, help_text="For the villager role only."
    )
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    authority = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate(self, attrs):
        needed, unwanted = ("household", "unit")
        if attrs["role"] != Role.VILLAGER:
            needed, unwanted = unwanted, needed
        if not attrs.get(needed):
            raise serializers.ValidationError(
                {needed: _("This role needs a %(field)s.") % {"field": needed}}
            )
        if attrs.get(unwanted):
            raise serializers.ValidationError(
                {unwanted: _("This role takes no %(field)s.") % {"field": unwanted}}
            )
        return attrs


class AssignmentEndSerializer(serializers.Serializer):
    end_date = serializers.DateField(
        required=False, allow_null=True, help_text="Today if left out."
    )
    reason = reason_field(required=True)


class AssignmentFilter(filters.FilterSet):
    user = IdFilter(field_name="user_id")
    unit = IdFilter(field_name="unit_id")
    household = IdFilter(field_name="household_id")
    role = filters.ChoiceFilter(choices=Role.choices)
    current = filters.BooleanFilter(field_name="is_current", label="In force today")

    class Meta:
        model = RoleAssignment
        fields = ["user", "unit", "household", "role", "current"]


def require_manage(scope: Scope, *, role: str, unit, household) -> None:
    """403 unless the scope may manage the role's target (the caller knows it is visible)."""
    if role == Role.VILLAGER:
        allowed = scope.covers(household.group_path, MANAGE)
    else:
        allowed = scope.covers_unit(unit, MANAGE)
    if not allowed:
        target = household.number if role == Role.VILLAGER else unit.name
        raise PermissionDenied(
            _("You may not appoint or remove roles on %(target)s.") % {"target": target}
        )


class AssignmentList(generics.ListAPIView):
    """Roles held on the units and households you can see, past and present."""

    queryset = RoleAssignment.objects.none()
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter

    def get_queryset(self):
        return selectors.assignments(scope_of(self.request)).order_by("-start_date", "id")

    @extend_schema(
        request=AssignmentCreateSerializer, responses={201: AssignmentSerializer, **WRITE_ERRORS}
    )
    def post(self, request):
        data = parse(AssignmentCreateSerializer, request)
        require_manage(
            scope_of(request),
            role=data["role"],
            unit=data.get("unit"),
            household=data.get("household"),
        )
        assignment = services.assign_role(actor=request.user, **data)
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class AssignmentDetail(generics.RetrieveAPIView):
    queryset = RoleAssignment.objects.none()
    serializer_class = AssignmentSerializer

    def get_queryset(self):
        return selectors.assignments(scope_of(self.request))

    @extend_schema(responses={200: AssignmentSerializer, **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AssignmentEnd(generics.GenericAPIView):
    queryset = RoleAssignment.objects.none()
    serializer_class = AssignmentEndSerializer

    def get_queryset(self):
        return selectors.assignments(scope_of(self.request))

    @extend_schema(
        request=AssignmentEndSerializer, responses={200: AssignmentSerializer, **WRITE_ERRORS}
    )
    def post(self, request, pk):
        assignment = self.get_object()
        require_manage(
            scope_of(request),
            role=assignment.role,
            unit=assignment.unit,
            household=assignment.household,
        )
        data = parse(AssignmentEndSerializer, request)
        services.end_assignment(assignment=assignment, actor=request.user, **data)
        return Response(AssignmentSerializer(assignment).data)


class UserFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label="Login or name contains")

    class Meta:
        model = User
        fields = ["q"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(name__contains=value))


class UserViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Users to choose from: yourself and those holding a role in force that you can see."""

    queryset = User.objects.none()
    serializer_class = UserRefSerializer
    filterset_class = UserFilter

    def get_queryset(self):
        holders = (
            selectors.assignments(scope_of(self.request)).filter(is_current=True).values("user_id")
        )
        return User.objects.filter(
            Q(pk=self.request.user.pk) | Q(pk__in=holders), is_active=True
        ).order_by("username")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class ObtainToken(ObtainAuthToken):
    """A token for a username and password; locked accounts and addresses get a 429 as pages do.

    django-axes marks the request it is given as locked out; DRF hands authentication its own
    Request wrapper, so the mark is read from there.
    """

    @extend_schema(
        request=AuthTokenSerializer,
        responses={200: TokenSerializer, 400: ErrorSerializer, 429: ErrorSerializer},
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        valid = serializer.is_valid()
        if getattr(request, "axes_locked_out", False):
            return security.lockout_response(request._request)
        if not valid:
            raise ValidationError(serializer.errors)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
