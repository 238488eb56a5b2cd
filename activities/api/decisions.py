"""Village decisions by 四议两公开: list, start one, record the next step (in order)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status

from places.api import ScopedUnitField, UnitRefSerializer, parse, scope_of

from .. import access, selectors, services
from ..models import Decision, Step
from ._common import IDEMPOTENCY_KEY, WRITE_ERRORS, require, respond_once


class StepSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Step.Kind.choices, read_only=True)
    outcome = serializers.ChoiceField(choices=Step.Outcome.choices, read_only=True)

    class Meta:
        model = Step
        fields = ["kind", "date", "outcome", "summary", "recorded_at"]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=Decision.State.choices, read_only=True)
    village = UnitRefSerializer(read_only=True)
    steps = StepSerializer(many=True, read_only=True)
    next_step = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "village",
            "title",
            "description",
            "state",
            "created_at",
            "steps",
            "next_step",
        ]
        read_only_fields = fields

    def get_next_step(self, decision) -> int | None:
        if decision.state != Decision.State.OPEN:
            return None
        kinds = [step.kind for step in decision.steps.all()]
        return max(kinds, default=0) + 1


class DecisionCreateSerializer(serializers.Serializer):
    village = ScopedUnitField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class StepCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Step.Kind.choices)
    date = serializers.DateField()
    outcome = serializers.ChoiceField(choices=Step.Outcome.choices)
    summary = serializers.CharField(required=False, allow_blank=True, default="")


def _rows(request):
    return (
        selectors.decisions(scope_of(request))
        .prefetch_related("steps")
        .order_by("-created_at", "-id")
    )


class DecisionList(generics.ListAPIView):
    """Decisions of the villages in your scope; POST starts one (CHANGE on the village)."""

    queryset = Decision.objects.none()
    serializer_class = DecisionSerializer

    def get_queryset(self):
        return _rows(self.request)

    @extend_schema(
        request=DecisionCreateSerializer,
        responses={201: DecisionSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        data = parse(DecisionCreateSerializer, request)
        village = data["village"]
        require(
            access.can_decide(scope_of(request), village),
            _("You may not record decisions of %(unit)s.") % {"unit": village.name},
        )

        def handler():
            decision = services.start_decision(actor=request.user, **data)
            return status.HTTP_201_CREATED, DecisionSerializer(
                _rows(request).get(pk=decision.pk)
            ).data

        return respond_once(request, handler)


class DecisionDetail(generics.RetrieveAPIView):
    queryset = Decision.objects.none()
    serializer_class = DecisionSerializer

    def get_queryset(self):
        return _rows(self.request)


class DecisionStep(generics.GenericAPIView):
    """Record the decision's next step. Steps go in order (409 step_out_of_order otherwise);
    a rejected deliberation ends the decision."""

    queryset = Decision.objects.none()
    serializer_class = StepCreateSerializer

    @extend_schema(
        request=StepCreateSerializer,
        responses={201: DecisionSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        decision = get_object_or_404(_rows(request), pk=pk)
        data = parse(StepCreateSerializer, request)
        require(
            access.can_decide(scope_of(request), decision.village),
            _("You may not record decisions of %(unit)s.") % {"unit": decision.village.name},
        )

        def handler():
            services.record_step(actor=request.user, decision=decision, **data)
            return status.HTTP_201_CREATED, DecisionSerializer(_rows(request).get(pk=pk)).data

        return respond_once(request, handler)
