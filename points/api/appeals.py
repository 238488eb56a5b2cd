"""Appeals: a household (or an official for it) appeals a ledger entry; an official upholds it
(the entry is reversed) or dismisses it."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status

from core.api import IDEMPOTENCY_KEY, IdFilter, respond_once
from core.errors import ServiceError
from core.scope import CHANGE, MANAGE, REVIEW, Scope
from people.api import HouseholdRefSerializer, UserRefSerializer
from places.api import ScopedField, parse, scope_of

from .. import selectors, services
from ..models import Appeal, Entry
from ._common import WRITE_ERRORS, MonthField, require


class EntryField(ScopedField):
    queryset = Entry.objects.none()
    not_found = gettext_lazy("%(field)s: no points entry with id %(id)s was found.")

    def scoped(self, scope):
        return selectors.entries(scope)


class AppealEntrySerializer(serializers.ModelSerializer):
    period = MonthField(read_only=True)

    class Meta:
        model = Entry
        fields = ["id", "seq", "kind", "amount", "period", "note"]
        read_only_fields = fields


class PointsAppealSerializer(serializers.ModelSerializer):
    entry = AppealEntrySerializer(read_only=True)
    household = HouseholdRefSerializer(read_only=True)
    filed_by = UserRefSerializer(read_only=True)
    decided_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "entry",
            "household",
            "reason",
            "state",
            "filed_by",
            "filed_at",
            "decided_by",
            "decided_at",
            "decision",
            "reversal",
        ]
        read_only_fields = fields


class AppealCreateSerializer(serializers.Serializer):
    entry = EntryField()
    reason = serializers.CharField(max_length=500)


class DecideSerializer(serializers.Serializer):
    uphold = serializers.BooleanField(help_text="Upheld: the entry is reversed.")
    decision = serializers.CharField(max_length=500)


class AppealFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=Appeal.State.choices)
    household = IdFilter(field_name="household_id")

    class Meta:
        model = Appeal
        fields = ["state", "household"]


def appeal_rows(scope: Scope):
    return (
        selectors.appeals(scope)
        .select_related("filed_by", "decided_by")
        .order_by("-filed_at", "-id")
    )


def appeal_data(request, appeal: Appeal) -> dict:
    return PointsAppealSerializer(appeal_rows(scope_of(request)).get(pk=appeal.pk)).data


class AppealList(generics.ListAPIView):
    """Appeals of entries of the households you can see."""

    queryset = Appeal.objects.none()
    serializer_class = PointsAppealSerializer
    filterset_class = AppealFilter

    def get_queryset(self):
        return appeal_rows(scope_of(self.request))

    @extend_schema(
        request=AppealCreateSerializer,
        responses={201: PointsAppealSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        data = parse(AppealCreateSerializer, request)
        scope = scope_of(request)
        household = data["entry"].household
        require(
            household.pk in scope.household_ids
            or scope.covers_household(household.group_path, household.joint_path, CHANGE),
            _("You may not appeal the points of household %(number)s.")
            % {"number": household.number},
        )

        def handler():
            appeal = services.file_appeal(actor=request.user, **data)
            return status.HTTP_201_CREATED, appeal_data(request, appeal)

        return respond_once(request, handler)


class AppealDecide(generics.GenericAPIView):
    """Uphold (the entry is reversed) or dismiss an appeal. A retry of the same decision by
    the same official answers the appeal as it stands."""

    queryset = Appeal.objects.none()
    serializer_class = DecideSerializer

    def get_queryset(self):
        return selectors.appeals(scope_of(self.request))

    @extend_schema(
        request=DecideSerializer,
        responses={200: PointsAppealSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        appeal = self.get_object()
        data = parse(DecideSerializer, request)
        scope, household = scope_of(request), appeal.household
        paths = (household.group_path, household.joint_path)
        require(
            scope.covers_household(*paths, REVIEW) or scope.covers_household(*paths, MANAGE),
            _("You may not decide appeals of household %(number)s.") % {"number": household.number},
        )

        def handler():
            try:
                services.decide_appeal(appeal=appeal, actor=request.user, **data)
            except ServiceError as exc:
                if exc.code != "already_decided" or not _same_decision(appeal, request, data):
                    raise
            return status.HTTP_200_OK, appeal_data(request, appeal)

        return respond_once(request, handler)


def _same_decision(appeal: Appeal, request, data) -> bool:
    state = Appeal.State.UPHELD if data["uphold"] else Appeal.State.DISMISSED
    return Appeal.objects.filter(pk=appeal.pk, state=state, decided_by=request.user).exists()
