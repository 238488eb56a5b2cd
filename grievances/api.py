"""Grievances and petitions API under /api/v1/grievances/: list (with the figures' drill-down)
and intake, one grievance, its state transitions, notes, rating; the figures; the duty rota.

Every read is limited by the user's scope (anything else answers 404); the person's identity
is in full, masked or "匿名" as grievances.access decides. POSTs that create records honour an
Idempotency-Key (core.idempotency.run_once)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import IDEMPOTENCY_KEY, respond_once
from people.api import HouseholdRefSerializer, UserRefSerializer
from people.models import User
from places import selectors as place_selectors
from places.api import ErrorSerializer, ScopedField, parse, scope_of
from places.api import UnitRefSerializer as PlaceRefSerializer
from places.models import Resident, Unit

from . import access, selectors, services
from .access import subtree_q
from .display import person_of
from .models import DutyShift, Event, Grievance, Ticket

WRITE_ERRORS = {code: ErrorSerializer for code in (400, 403, 404, 409, 422)}


class ResidentField(ScopedField):
    queryset = Resident.objects.none()
    not_found = gettext_lazy("%(field)s: no resident with id %(id)s was found.")

    def scoped(self, scope):
        return place_selectors.residents(scope)


class UnitField(ScopedField):
    queryset = Unit.objects.none()
    not_found = gettext_lazy("%(field)s: no unit with id %(id)s was found.")

    def scoped(self, scope):
        return place_selectors.units(scope)


class TownshipUnitField(serializers.PrimaryKeyRelatedField):
    """Any unit (the service checks it lies in the grievance's township)."""

    queryset = Unit.objects.all()


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="In full, masked (张*三) or 匿名 for petitions.")
    phone = serializers.CharField()
    id_number = serializers.CharField()
    full = serializers.BooleanField(help_text="Whether you may see the identity in full.")


class GrievanceSerializer(serializers.ModelSerializer):
    person = serializers.SerializerMethodField()
    unit = PlaceRefSerializer(read_only=True)
    household = serializers.SerializerMethodField()
    assigned_unit = PlaceRefSerializer(read_only=True, allow_null=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    recorded_by = UserRefSerializer(read_only=True)
    overdue = serializers.SerializerMethodField()
    ticket = serializers.SerializerMethodField(
        help_text="The highest colour of its open supervision tickets (三色督办), or null; "
        "null for the person who raised it."
    )
    # Declared so the schema keeps "" (not rated yet): DRF drops allow_blank on read-only fields.
    rating = serializers.ChoiceField(
        choices=Grievance.Rating.choices, allow_blank=True, read_only=True
    )
    rating_method = serializers.ChoiceField(
        choices=Grievance.RatingMethod.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Grievance
        fields = [
            "id",
            "is_petition",
            "channel",
            "category",
            "unit",
            "household",
            "person",
            "subject",
            "request",
            "received_on",
            "recorded_by",
            "duty",
            "state",
            "assigned_unit",
            "assignee",
            "deadline",
            "overdue",
            "ticket",
            "reply",
            "replied_on",
            "concluded_on",
            "rating",
            "rating_method",
            "rated_on",
            "reopen_count",
        ]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer)
    def get_person(self, obj) -> dict:
        return person_of(self.context["scope"], obj)

    @extend_schema_field(HouseholdRefSerializer(allow_null=True))
    def get_household(self, obj) -> dict | None:
        if obj.household_id is None or not person_of(self.context["scope"], obj)["full"]:
            return None
        return HouseholdRefSerializer(obj.household).data

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(timezone.localdate())

    @extend_schema_field(serializers.ChoiceField(choices=Ticket.Colour.choices, allow_null=True))
    def get_ticket(self, obj) -> str | None:
        if not access.can_see_tickets(self.context["scope"], obj):
            return None
        return getattr(obj, "ticket_colour", None)


def _context(request) -> dict:
    return {"scope": scope_of(request), "request": request}


class IntakeSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Grievance.Channel.choices)
    category = serializers.CharField(max_length=30)
    subject = serializers.CharField(max_length=100)
    request = serializers.CharField()
    unit = UnitField(required=False, allow_null=True, help_text="Where it arose.")
    resident = ResidentField(required=False, allow_null=True)
    outsider_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    outsider_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    outsider_id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)
    is_petition = serializers.BooleanField(required=False, default=False)
    received_on = serializers.DateField(required=False)
    duty = serializers.PrimaryKeyRelatedField(
        queryset=DutyShift.objects.all(), required=False, allow_null=True
    )


class ListFilterSerializer(serializers.Serializer):
    unit = serializers.IntegerField(required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    figure = serializers.ChoiceField(choices=selectors.FIGURES, required=False)
    kind = serializers.ChoiceField(choices=["grievance", "petition"], required=False)
    state = serializers.ChoiceField(choices=Grievance.State.choices, required=False)


def _visible_unit(scope, pk) -> Unit:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None or not scope.covers_unit(unit, "view"):
        raise NotFound(_("No unit with id %(id)s was found.") % {"id": pk})
    return unit


LIST_PARAMETERS = [
    OpenApiParameter("unit", int, description="Grievances that arose at or under this unit."),
    OpenApiParameter("start", datetime.date, description="From this date (YYYY-MM-DD)."),
    OpenApiParameter("end", datetime.date, description="Until this date, included."),
    OpenApiParameter(
        "figure",
        str,
        enum=list(selectors.FIGURES),
        description="Exactly the records of one figure (needs unit, start and end).",
    ),
    OpenApiParameter("kind", str, enum=["grievance", "petition"]),
    OpenApiParameter("state", str, enum=list(Grievance.State.values)),
]


class GrievanceList(generics.ListAPIView):
    """Grievances you may see (filters; `figure` lists one figure's records); POST registers one."""

    serializer_class = GrievanceSerializer
    queryset = Grievance.objects.none()
    filter_backends: list = []

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "scope": scope_of(self.request)}

    def get_queryset(self):
        scope = scope_of(self.request)
        f = ListFilterSerializer(data=self.request.query_params)
        f.is_valid(raise_exception=True)
        data = f.validated_data
        petition = {"grievance": False, "petition": True}.get(data.get("kind"))
        unit = _visible_unit(scope, data["unit"]) if "unit" in data else None
        if data.get("figure"):
            if unit is None or "start" not in data or "end" not in data:
                raise ValidationError({"figure": [_("A figure needs a unit, a start and an end.")]})
            return selectors.records(
                scope=scope,
                unit=unit,
                start=data["start"],
                end=data["end"],
                figure=data["figure"],
                petition=petition,
            ).select_related("recorded_by", "household")
        qs = selectors.listing(scope).select_related("recorded_by", "household")
        if unit is not None:
            qs = qs.filter(subtree_q(unit))
        if petition is not None:
            qs = qs.filter(is_petition=petition)
        if "start" in data:
            qs = qs.filter(received_on__gte=data["start"])
        if "end" in data:
            qs = qs.filter(received_on__lte=data["end"])
        if "state" in data:
            qs = qs.filter(state=data["state"])
        return qs

    @extend_schema(parameters=LIST_PARAMETERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=IntakeSerializer,
        responses={201: GrievanceSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        data = parse(IntakeSerializer, request)

        def handler():
            grievance = services.intake(actor=request.user, **data)
            body = GrievanceSerializer(
                selectors.detail(scope_of(request)).get(pk=grievance.pk), context=_context(request)
            ).data
            return status.HTTP_201_CREATED, body

        return respond_once(request, handler)


class GrievanceDetail(generics.RetrieveAPIView):
    """One grievance (404 outside your scope)."""

    serializer_class = GrievanceSerializer
    queryset = Grievance.objects.none()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "scope": scope_of(self.request)}

    def get_queryset(self):
        return selectors.detail(scope_of(self.request))


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=[c for c in Grievance.State.choices if c[0] != Grievance.State.REGISTERED],
        help_text="handling: assign (or reopen a concluded one, with a note); replied: reply; "
        "concluded: conclude.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    on = serializers.DateField(required=False, allow_null=True, default=None)
    assigned_unit = TownshipUnitField(required=False, allow_null=True, default=None)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, default=None
    )
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    reply = serializers.CharField(required=False, allow_blank=True, default="")


class _OnGrievance(generics.GenericAPIView):
    queryset = Grievance.objects.none()

    def get_queryset(self):
        return selectors.detail(scope_of(self.request))

    def answer(self, request, grievance, code=status.HTTP_200_OK) -> tuple[int, dict]:
        fresh = selectors.detail(scope_of(request)).get(pk=grievance.pk)
        return code, GrievanceSerializer(fresh, context=_context(request)).data


class GrievanceTransition(_OnGrievance):
    """Move a grievance along its states (assign, reply, conclude, reopen)."""

    serializer_class = TransitionSerializer

    @extend_schema(
        request=TransitionSerializer,
        responses={200: GrievanceSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        grievance = self.get_object()
        data = parse(TransitionSerializer, request)

        def handler():
            done = services.transition(grievance=grievance, actor=request.user, **data)
            return self.answer(request, done)

        return respond_once(request, handler)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField()


class EventSerializer(serializers.ModelSerializer):
    actor = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Event
        fields = ["id", "action", "from_state", "to_state", "actor", "note", "data", "at"]
        read_only_fields = fields


class GrievanceEvents(_OnGrievance):
    """The grievance's history (GET) and a handling note (POST)."""

    serializer_class = NoteSerializer
    pagination_class = None  # the whole history, as a list

    @extend_schema(responses={200: EventSerializer(many=True), 404: ErrorSerializer})
    def get(self, request, pk):
        grievance = self.get_object()
        events = grievance.events.select_related("actor").order_by("id")
        return Response(EventSerializer(events, many=True).data)

    @extend_schema(
        request=NoteSerializer,
        responses={201: EventSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        grievance = self.get_object()
        data = parse(NoteSerializer, request)

        def handler():
            event = services.add_note(grievance=grievance, actor=request.user, **data)
            return status.HTTP_201_CREATED, EventSerializer(event).data

        return respond_once(request, handler)


class RatingSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Grievance.Rating.choices)
    rating_method = serializers.ChoiceField(
        choices=Grievance.RatingMethod.choices,
        help_text="own_login when the person rates; otherwise how the handler obtained it.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class GrievanceRating(_OnGrievance):
    """The person's satisfaction with the conclusion."""

    serializer_class = RatingSerializer

    @extend_schema(
        request=RatingSerializer,
        responses={200: GrievanceSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        grievance = self.get_object()
        data = parse(RatingSerializer, request)

        def handler():
            done = services.rate(
                grievance=grievance,
                actor=request.user,
                rating=data["rating"],
                method=data["rating_method"],
                note=data["note"],
            )
            return self.answer(request, done)

        return respond_once(request, handler)


FIGURES_RESPONSE = inline_serializer(
    "GrievanceFigures",
    {
        **{name: serializers.IntegerField() for name in selectors.COUNTS},
        "satisfaction_rate": serializers.DecimalField(
            max_digits=4, decimal_places=1, allow_null=True
        ),
    },
)


class FiguresQuerySerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    kind = serializers.ChoiceField(choices=["grievance", "petition"], required=False)


class GrievanceFigures(APIView):
    """The figures of a unit's subtree over [start, end] (see grievances.selectors)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", int, required=True),
            OpenApiParameter("start", datetime.date, required=True),
            OpenApiParameter("end", datetime.date, required=True),
            OpenApiParameter("kind", str, enum=["grievance", "petition"]),
        ],
        responses={200: FIGURES_RESPONSE, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request):
        q = FiguresQuerySerializer(data=request.query_params)
        q.is_valid(raise_exception=True)
        data = q.validated_data
        scope = scope_of(request)
        unit = _visible_unit(scope, data["unit"])
        result = selectors.figures(
            scope=scope,
            unit=unit,
            start=data["start"],
            end=data["end"],
            petition={"grievance": False, "petition": True}.get(data.get("kind")),
        )
        rate = result["satisfaction_rate"]
        return Response({**result, "satisfaction_rate": None if rate is None else str(rate)})


class DutyShiftSerializer(serializers.ModelSerializer):
    unit = PlaceRefSerializer(read_only=True)
    leader = UserRefSerializer(read_only=True)
    received = serializers.IntegerField(read_only=True)

    class Meta:
        model = DutyShift
        fields = ["id", "unit", "date", "leader", "place", "received"]
        read_only_fields = fields


class DutyCreateSerializer(serializers.Serializer):
    unit = UnitField()
    date = serializers.DateField()
    leader = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    place = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class DutyShiftList(generics.ListAPIView):
    """The reception duty rota between `start` and `end` (default: this month); POST adds one."""

    serializer_class = DutyShiftSerializer
    queryset = DutyShift.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        from .forms import month_bounds

        start, end = month_bounds(timezone.localdate())
        params = self.request.query_params
        try:
            start = datetime.date.fromisoformat(params.get("start") or start.isoformat())
            end = datetime.date.fromisoformat(params.get("end") or end.isoformat())
        except ValueError:
            raise ValidationError({"start": [_("Give dates as YYYY-MM-DD.")]}) from None
        return selectors.duty_shifts(scope_of(self.request), start, end)

    @extend_schema(
        parameters=[
            OpenApiParameter("start", datetime.date),
            OpenApiParameter("end", datetime.date),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=DutyCreateSerializer,
        responses={201: DutyShiftSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        data = parse(DutyCreateSerializer, request)

        def handler():
            shift = services.schedule_duty(actor=request.user, **data)
            shift.received = 0
            return status.HTTP_201_CREATED, DutyShiftSerializer(shift).data

        return respond_once(request, handler)
