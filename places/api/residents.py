"""Residents of the households in sight: list, add, edit (ID and phone masked), and the logged
look at the full ID and phone numbers."""

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api import IdFilter
from people import access

from .. import selectors, services
from ..models import Resident
from ._common import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorSerializer,
    ScopedHouseholdField,
    parse,
    reason_field,
    require_household,
    scope_of,
)


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
    household = IdFilter(field_name="household_id")
    q = filters.CharFilter(field_name="name", lookup_expr="contains", label="Name contains")

    class Meta:
        model = Resident
        fields = ["household", "q"]


class ResidentsInScope:  # of the households in sight (no docstring: see UnitsInScope)
    queryset = Resident.objects.none()

    def get_queryset(self):
        return selectors.residents(scope_of(self.request))


class ResidentList(ResidentsInScope, generics.ListAPIView):
    """Residents of the households you can see; ID and phone numbers masked."""

    serializer_class = ResidentSerializer
    filterset_class = ResidentFilter

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


class ResidentDetail(ResidentsInScope, generics.GenericAPIView):
    serializer_class = ResidentSerializer

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


class ResidentIdentity(ResidentsInScope, generics.GenericAPIView):
    """The full ID and phone numbers, for the resident themself or an official who may change
    the household; anyone else gets 404. Every answer is logged (view_sensitive)."""

    serializer_class = IdentitySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "reason",
                str,
                description="Why the full numbers are needed (recorded); officials must give it.",
            )
        ],
        responses={200: IdentitySerializer, 400: ErrorSerializer, **READ_ERRORS},
    )
    def get(self, request, pk):
        resident = self.get_object()
        if not access.can_view_identity(request.user, resident):
            raise NotFound()
        services.record_identity_view(
            resident=resident,
            actor=request.user,
            reason=request.query_params.get("reason", ""),
            own=resident.household_id in scope_of(request).household_ids,
        )
        response = Response(IdentitySerializer(resident).data)
        response["Cache-Control"] = "no-store"
        return response
