"""The records of work: list (scoped, filtered by unit and period) and create, one resource per
kind. Creating needs CHANGE on the unit (403 otherwise; 404 when the unit is out of sight)."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status

from core.scope import CHANGE
from people.api import UserRefSerializer
from places.api import ScopedField, ScopedUnitField, UnitRefSerializer, parse, scope_of

from .. import access, selectors, services
from ..models import (
    Broadcast,
    Meeting,
    Output,
    Propaganda,
    Training,
    VolunteerEvent,
    VolunteerTeam,
)
from ..selectors import in_unit_q
from ._common import (
    IDEMPOTENCY_KEY,
    PERIOD_PARAMETERS,
    WRITE_ERRORS,
    ScopedResidentField,
    ScopedUserField,
    period_of,
    require,
    respond_once,
    unit_param,
)

BASE_FIELDS = ["id", "unit", "date", "note", "recorded_by", "recorded_at"]


class _RecordSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    recorded_by = UserRefSerializer(read_only=True)


class TrainingSerializer(_RecordSerializer):
    kind = serializers.ChoiceField(choices=Training.Kind.choices, read_only=True)
    attendances = serializers.IntegerField(read_only=True, source="attendance_count")

    class Meta:
        model = Training
        fields = [*BASE_FIELDS, "kind", "topic", "trainer", "hours", "attendances"]
        read_only_fields = fields


class VolunteerEventSerializer(_RecordSerializer):
    class Meta:
        model = VolunteerEvent
        fields = [*BASE_FIELDS, "team", "title", "participants", "hours"]
        read_only_fields = fields


class PropagandaSerializer(_RecordSerializer):
    kind = serializers.ChoiceField(choices=Propaganda.Kind.choices, read_only=True)

    class Meta:
        model = Propaganda
        fields = [*BASE_FIELDS, "kind", "title", "quantity"]
        read_only_fields = fields


class BroadcastSerializer(_RecordSerializer):
    class Meta:
        model = Broadcast
        fields = [*BASE_FIELDS, "time", "content", "minutes"]
        read_only_fields = fields


class MeetingSerializer(_RecordSerializer):
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices, read_only=True)

    class Meta:
        model = Meeting
        fields = [*BASE_FIELDS, "kind", "title", "attendees", "minutes", "decisions"]
        read_only_fields = fields


class OutputSerializer(_RecordSerializer):
    kind = serializers.ChoiceField(choices=Output.Kind.choices, read_only=True)

    class Meta:
        model = Output
        fields = [*BASE_FIELDS, "kind", "quantity", "species"]
        read_only_fields = fields


class _CreateSerializer(serializers.Serializer):
    unit = ScopedUnitField()
    date = serializers.DateField()
    note = serializers.CharField(max_length=500, required=False, default="")


class TrainingCreateSerializer(_CreateSerializer):
    kind = serializers.ChoiceField(choices=Training.Kind.choices, default=Training.Kind.CENTRAL)
    topic = serializers.CharField(max_length=200)
    trainer = serializers.CharField(max_length=100)
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=Decimal("0.1"), default=2
    )
    users = ScopedUserField(many=True, required=False, default=list)
    residents = ScopedResidentField(many=True, required=False, default=list)


class TeamRefField(ScopedField):
    queryset = VolunteerTeam.objects.none()

    def scoped(self, scope):
        return selectors.teams(scope)


class VolunteerEventCreateSerializer(_CreateSerializer):
    team = TeamRefField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    participants = serializers.IntegerField(min_value=1)
    hours = serializers.DecimalField(max_digits=8, decimal_places=1, min_value=0)


class PropagandaCreateSerializer(_CreateSerializer):
    kind = serializers.ChoiceField(choices=Propaganda.Kind.choices)
    title = serializers.CharField(max_length=200)
    quantity = serializers.IntegerField(min_value=0, default=1)


class BroadcastCreateSerializer(_CreateSerializer):
    time = serializers.TimeField()
    content = serializers.CharField(max_length=500)
    minutes = serializers.IntegerField(min_value=1)


class MeetingCreateSerializer(_CreateSerializer):
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    title = serializers.CharField(max_length=200)
    attendees = serializers.IntegerField(min_value=0, default=0)
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
    decisions = serializers.CharField(required=False, allow_blank=True, default="")


class OutputCreateSerializer(_CreateSerializer):
    kind = serializers.ChoiceField(choices=Output.Kind.choices)
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    species = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class _RecordList(generics.ListAPIView):
    """Records of one kind in your scope; ?unit= (its subtree), ?start= and ?end= (dates)."""

    kind = ""
    create_serializer = serializers.Serializer
    service = None

    def get_queryset(self):
        rows = selectors.records(scope_of(self.request), self.kind)
        unit = unit_param(self.request)
        if unit is not None:
            rows = rows.filter(in_unit_q(unit))
        start, end = period_of(self.request)
        if start:
            rows = rows.filter(date__gte=start)
        if end:
            rows = rows.filter(date__lte=end)
        return self.decorate(rows).order_by("-date", "-id")

    def decorate(self, rows):
        return rows

    def create(self, request):
        data = parse(self.create_serializer, request)
        scope = scope_of(request)
        unit = data["unit"]
        require(
            access.can_record(scope, unit),
            _("You may not record work for %(unit)s.") % {"unit": unit.name},
        )
        service = type(self).service

        def handler():
            record = service(actor=request.user, **data)
            row = self.get_queryset().get(pk=record.pk)
            return status.HTTP_201_CREATED, self.get_serializer(row).data

        return respond_once(request, handler)


def _record_views(kind, model_serializer, create_serializer, service, *, decorate=None):
    """The list view of one kind with its documented POST (explicit, one class per kind)."""

    class View(_RecordList):
        serializer_class = model_serializer
        queryset = model_serializer.Meta.model.objects.none()

        @extend_schema(parameters=PERIOD_PARAMETERS)
        def get(self, request, *args, **kwargs):
            return super().get(request, *args, **kwargs)

        @extend_schema(
            request=create_serializer,
            responses={201: model_serializer, **WRITE_ERRORS},
            parameters=[IDEMPOTENCY_KEY],
        )
        def post(self, request):
            return self.create(request)

    View.kind = kind
    View.create_serializer = create_serializer
    View.service = staticmethod(service)
    if decorate is not None:
        View.decorate = lambda self, rows: decorate(rows)
    View.__name__ = View.__qualname__ = f"{model_serializer.Meta.model.__name__}List"
    View.__doc__ = (
        f"{model_serializer.Meta.model._meta.verbose_name_plural} in your scope "
        "(?unit=, ?start=, ?end=); POST records one (CHANGE on its unit)."
    )
    return View


def _with_attendance(rows):
    from django.db.models import Count

    return rows.annotate(attendance_count=Count("attendances"))


TrainingList = _record_views(
    "training",
    TrainingSerializer,
    TrainingCreateSerializer,
    services.record_training,
    decorate=_with_attendance,
)
VolunteerEventList = _record_views(
    "volunteer",
    VolunteerEventSerializer,
    VolunteerEventCreateSerializer,
    services.record_volunteer_event,
)
PropagandaList = _record_views(
    "propaganda", PropagandaSerializer, PropagandaCreateSerializer, services.record_propaganda
)
BroadcastList = _record_views(
    "broadcast", BroadcastSerializer, BroadcastCreateSerializer, services.record_broadcast
)
MeetingList = _record_views(
    "meeting", MeetingSerializer, MeetingCreateSerializer, services.record_meeting
)
OutputList = _record_views(
    "output", OutputSerializer, OutputCreateSerializer, services.record_output
)


class VolunteerTeamSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)

    class Meta:
        model = VolunteerTeam
        fields = ["id", "unit", "name", "leader", "members"]
        read_only_fields = fields


class VolunteerTeamCreateSerializer(serializers.Serializer):
    unit = ScopedUnitField()
    name = serializers.CharField(max_length=100)
    leader = serializers.CharField(max_length=50, required=False, default="")
    members = serializers.IntegerField(min_value=0, default=0)


class VolunteerTeamList(generics.ListAPIView):
    """Volunteer teams in your scope; POST creates one (CHANGE on its unit)."""

    queryset = VolunteerTeam.objects.none()
    serializer_class = VolunteerTeamSerializer

    def get_queryset(self):
        return selectors.teams(scope_of(self.request)).order_by("name", "id")

    @extend_schema(
        request=VolunteerTeamCreateSerializer,
        responses={201: VolunteerTeamSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        data = parse(VolunteerTeamCreateSerializer, request)
        scope = scope_of(request)
        require(
            scope.covers_unit(data["unit"], CHANGE),
            _("You may not record work for %(unit)s.") % {"unit": data["unit"].name},
        )

        def handler():
            team = services.create_team(actor=request.user, **data)
            return status.HTTP_201_CREATED, VolunteerTeamSerializer(team).data

        return respond_once(request, handler)
