"""Monthly assessment API under /api/v1/assessment/: the months of the townships you see, one
month with its ranking and lists, its scores, and — for the township's managers — queueing a
close and publishing it.

A month's rows are shown once it is computed; a unit's score is shown to whoever sees the unit
(a grid chief, his grid and below). Anything outside your scope answers 404.
"""

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import IDEMPOTENCY_KEY, IdFilter, respond_once
from places.api import ErrorSerializer, UnitRefSerializer, parse, scope_of

from . import access, close, jobs, publication, selectors
from .models import Close, Score

WRITE_ERRORS = {code: ErrorSerializer for code in (400, 403, 404, 409, 422)}


class CloseSerializer(serializers.ModelSerializer):
    township = UnitRefSerializer(read_only=True)
    month = serializers.SerializerMethodField()

    class Meta:
        model = Close
        fields = [
            "id",
            "township",
            "month",
            "state",
            "progress",
            "step",
            "error",
            "runs",
            "computed_at",
            "published_at",
            "authority",
            "content_hash",
            "prev_hash",
        ]
        read_only_fields = fields

    def get_month(self, obj) -> str:
        return f"{obj.month:%Y-%m}"


class RankingSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    rank = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=9, decimal_places=4)
    on_list = serializers.ChoiceField(choices=["red", "black", ""], allow_blank=True)


class NotesSerializer(serializers.Serializer):
    red_size = serializers.IntegerField()
    black_size = serializers.IntegerField()
    shortened = serializers.BooleanField()
    red_grew = serializers.BooleanField()
    black_grew = serializers.BooleanField()
    tied_across = serializers.IntegerField()


class CloseDetailSerializer(CloseSerializer):
    rankings = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    cases = serializers.SerializerMethodField()
    intact = serializers.SerializerMethodField(
        help_text="For a published month: whether its content still matches its hash."
    )

    class Meta(CloseSerializer.Meta):
        fields = [*CloseSerializer.Meta.fields, "rankings", "notes", "cases", "intact"]
        read_only_fields = fields

    def get_rankings(self, obj) -> list[dict]:
        if obj.state not in selectors.SHOWN:
            return []
        return RankingSerializer(selectors.rankings(obj), many=True).data

    def get_notes(self, obj) -> dict | None:
        return selectors.list_notes(obj) if obj.state in selectors.SHOWN else None

    def get_cases(self, obj) -> dict:
        return selectors.case_counts(obj)

    def get_intact(self, obj) -> bool | None:
        return publication.is_intact(obj) if obj.is_published else None


class ScoreSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)

    class Meta:
        model = Score
        fields = ["unit", "kind", "parent_id", "depth", "score", "own_points", "children"]
        read_only_fields = fields


class CloseFilter(filters.FilterSet):
    township = IdFilter(field_name="township_id")
    state = filters.ChoiceFilter(choices=Close.State.choices)

    class Meta:
        model = Close
        fields = ["township", "state"]


class CloseRequestSerializer(serializers.Serializer):
    township = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", help_text="YYYY-MM")


class PublishSerializer(serializers.Serializer):
    authority = serializers.CharField(max_length=200)


def _visible_close(request, pk) -> Close:
    scope = scope_of(request)
    item = get_object_or_404(Close.objects.select_related("township"), pk=pk)
    if not access.can_view_township(scope, item.township):
        raise NotFound
    return item


class CloseList(generics.ListAPIView):
    """Months of the townships you see, newest first; POST queues a month's close (managers)."""

    serializer_class = CloseSerializer
    queryset = Close.objects.none()
    filterset_class = CloseFilter

    def get_queryset(self):
        townships = access.townships(scope_of(self.request))
        return (
            Close.objects.filter(township__in=townships)
            .select_related("township")
            .order_by("township__path", "-month")
        )

    @extend_schema(
        request=CloseRequestSerializer,
        responses={202: CloseSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        data = parse(CloseRequestSerializer, request)
        scope = scope_of(request)
        township = access.townships(scope).filter(pk=data["township"]).first()
        if township is None:
            raise NotFound
        if not access.can_manage(scope, township):
            raise PermissionDenied

        def handler():
            item = jobs.queue(township, close.month_of(data["month"]), request.user)
            return status.HTTP_202_ACCEPTED, CloseSerializer(item).data

        return respond_once(request, handler)


class CloseDetail(APIView):
    """One month: state and progress; once computed, the ranking, the lists and case counts."""

    @extend_schema(responses={200: CloseDetailSerializer, 404: ErrorSerializer})
    def get(self, request, pk):
        return Response(CloseDetailSerializer(_visible_close(request, pk)).data)


class ScoreFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Score.Kind.choices)
    parent = IdFilter(field_name="parent_id")

    class Meta:
        model = Score
        fields = ["kind", "parent"]


class ScoreList(generics.ListAPIView):
    """The scores of a computed month (grids by tree path; villages), `parent` to drill down."""

    serializer_class = ScoreSerializer
    queryset = Score.objects.none()
    filterset_class = ScoreFilter

    def get_queryset(self):
        item = _visible_close(self.request, self.kwargs["pk"])
        if item.state not in selectors.SHOWN:
            return Score.objects.none()
        return (
            Score.objects.filter(close=item).select_related("unit").order_by("kind", "unit__path")
        )


class ClosePublish(APIView):
    """Publish a computed month (managers): it is frozen from then on."""

    @extend_schema(
        request=PublishSerializer,
        responses={200: CloseSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        item = _visible_close(request, pk)
        if not access.can_manage(scope_of(request), item.township):
            raise PermissionDenied
        data = parse(PublishSerializer, request)

        def handler():
            done = publication.publish(item, user=request.user, authority=data["authority"])
            return status.HTTP_200_OK, CloseSerializer(done).data

        return respond_once(request, handler)
