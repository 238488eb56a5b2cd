"""Work endpoints: tasks and their reports, problems and their transitions, tickets.

POST endpoints that create records honour an Idempotency-Key (core.idempotency): a phone
that re-sends a report or a transition creates it once.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from core.api import IDEMPOTENCY_KEY, respond_once
from people.api import UserRefSerializer
from places.api import UnitRefSerializer, parse
from places.models import ResponsibilityArea, Unit
from points.api._common import WRITE_ERRORS

from . import access, selectors, services
from .models import Photo, Problem, ProblemEvent, Task, TaskReport, Ticket, WorkList

PARSERS = [JSONParser, MultiPartParser, FormParser]


def _powers(request):
    return access.powers_for(request.user)


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, photo) -> str:
        from django.urls import reverse

        return reverse("work:photo", args=[photo.pk])


class TaskReportSerializer(serializers.ModelSerializer):
    by = UserRefSerializer(read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = TaskReport
        fields = ["id", "task", "kind", "note", "by", "at", "photos"]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    grid = UnitRefSerializer(read_only=True, allow_null=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "work_list",
            "title",
            "done_when",
            "due_on",
            "grid",
            "area",
            "assignee",
            "state",
            "confirmed_by",
            "confirmed_at",
        ]
        read_only_fields = fields


class TaskCreateSerializer(serializers.Serializer):
    work_list = serializers.PrimaryKeyRelatedField(queryset=WorkList.objects.all())
    title = serializers.CharField(max_length=200)
    done_when = serializers.CharField(max_length=300)
    due_on = serializers.DateField()
    grid = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(kind="grid"), required=False, allow_null=True
    )
    area = serializers.PrimaryKeyRelatedField(
        queryset=ResponsibilityArea.objects.all(), required=False, allow_null=True
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=UserRefSerializer.Meta.model.objects.all(), required=False, allow_null=True
    )


def _require(allowed: bool, message: str = "") -> None:
    from core.errors import PermissionDenied

    if not allowed:
        raise PermissionDenied(message or None)


class TaskList(generics.ListAPIView):
    """Tasks the user sees (their grids' and villages', and their own)."""

    serializer_class = TaskSerializer

    def get_queryset(self):
        qs = selectors.tasks(_powers(self.request)).select_related("grid", "assignee")
        if self.request.query_params.get("state"):
            qs = qs.filter(state=self.request.query_params["state"])
        return qs.order_by("due_on", "id")

    @extend_schema(
        request=TaskCreateSerializer,
        responses={201: TaskSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        """Add a task to a list the user issues (township or village managers)."""
        powers = _powers(request)
        data = parse(TaskCreateSerializer, request)
        work_list = get_object_or_404(selectors.lists(powers), pk=data.pop("work_list").pk)
        _require(access.may_issue_list(powers, work_list.unit))

        def handler():
            task = services.add_task(work_list=work_list, actor=request.user, **data)
            return status.HTTP_201_CREATED, TaskSerializer(task).data

        return respond_once(request, handler)


class TaskDetail(generics.RetrieveAPIView):
    serializer_class = TaskSerializer

    def get_queryset(self):
        return selectors.tasks(_powers(self.request)).select_related("grid", "assignee")


class ReportCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[TaskReport.Kind.PROGRESS, TaskReport.Kind.DONE, TaskReport.Kind.SUPERVISION]
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.ImageField(), required=False, default=list)


class TaskReportList(generics.ListAPIView):
    """A task's reports; POST reports progress or completion (photos as multipart)."""

    serializer_class = TaskReportSerializer
    parser_classes = PARSERS

    def _task(self):
        return get_object_or_404(selectors.tasks(_powers(self.request)), pk=self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TaskReport.objects.none()
        return self._task().reports.select_related("by").prefetch_related("photos")

    @extend_schema(
        request=ReportCreateSerializer,
        responses={201: TaskReportSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        task = self._task()
        photos = request.FILES.getlist("photos") if hasattr(request, "FILES") else []
        data = parse(ReportCreateSerializer, request)

        def handler():
            report = services.report_task(
                task=task, kind=data["kind"], note=data["note"], photos=photos, actor=request.user
            )
            return status.HTTP_201_CREATED, TaskReportSerializer(report).data

        return respond_once(request, handler)


class ProblemSerializer(serializers.ModelSerializer):
    village = UnitRefSerializer(read_only=True)
    group = UnitRefSerializer(read_only=True, allow_null=True)
    grid = UnitRefSerializer(read_only=True)
    responsible = UserRefSerializer(read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "village",
            "group",
            "grid",
            "area",
            "place",
            "latitude",
            "longitude",
            "source",
            "category",
            "description",
            "requirement",
            "responsible",
            "deadline",
            "state",
            "raised_on",
            "closed_on",
            "withdrawn_on",
        ]
        read_only_fields = fields


class ProblemCreateSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=Problem.Source.choices)
    category = serializers.ChoiceField(choices=Problem.Category.choices)
    grid = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(kind="grid"), required=False, allow_null=True
    )
    area = serializers.PrimaryKeyRelatedField(
        queryset=ResponsibilityArea.objects.all(), required=False, allow_null=True
    )
    group = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(kind="group"), required=False, allow_null=True
    )
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    description = serializers.CharField(max_length=500)
    requirement = serializers.CharField(max_length=500)
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=UserRefSerializer.Meta.model.objects.all(), required=False, allow_null=True
    )
    deadline = serializers.DateField()
    photos = serializers.ListField(child=serializers.ImageField(), required=False, default=list)


class ProblemList(generics.ListAPIView):
    """The ledger lines the user sees; filters `state`, `village`, `overdue=1`."""

    serializer_class = ProblemSerializer
    parser_classes = PARSERS

    def get_queryset(self):
        qs = selectors.problems(_powers(self.request)).select_related(
            "village", "group", "grid", "responsible"
        )
        params = self.request.query_params
        if params.get("state"):
            qs = qs.filter(state=params["state"])
        if params.get("village", "").isdigit():
            qs = qs.filter(village_id=int(params["village"]))
        if params.get("overdue") == "1":
            from django.utils import timezone

            qs = qs.filter(state__in=Problem.ACTIVE, deadline__lt=timezone.localdate())
        return qs.order_by("-raised_on", "-id")

    @extend_schema(
        request=ProblemCreateSerializer,
        responses={201: ProblemSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        powers = _powers(request)
        photos = request.FILES.getlist("photos") if hasattr(request, "FILES") else []
        data = parse(ProblemCreateSerializer, request)
        data["photos"] = photos
        grid = data.get("area").grid if data.get("area") else data.get("grid")
        if grid is None:
            raise serializers.ValidationError({"grid": ["Give the grid or the area."]})
        # A place the user cannot see answers 404, revealing nothing.
        if not (powers.sees(grid.path, grid.village.path if grid.village_id else "")):
            from django.http import Http404

            raise Http404

        def handler():
            problem = services.raise_problem(actor=request.user, **data)
            return status.HTTP_201_CREATED, ProblemSerializer(problem).data

        return respond_once(request, handler)


class ProblemDetail(generics.RetrieveAPIView):
    serializer_class = ProblemSerializer

    def get_queryset(self):
        return selectors.problems(_powers(self.request)).select_related(
            "village", "group", "grid", "responsible"
        )


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    note = serializers.CharField()
    actor = UserRefSerializer()
    at = serializers.DateTimeField()
    photos = PhotoSerializer(many=True)


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Problem.State.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.ImageField(), required=False, default=list)


class ProblemTransitions(generics.ListAPIView):
    """A problem's history; POST moves it to another state (photos as multipart)."""

    serializer_class = EventSerializer
    parser_classes = PARSERS

    def _problem(self):
        return get_object_or_404(selectors.problems(_powers(self.request)), pk=self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProblemEvent.objects.none()
        return self._problem().events.select_related("actor").prefetch_related("photos")

    @extend_schema(
        request=TransitionSerializer,
        responses={201: EventSerializer, **WRITE_ERRORS, 409: WRITE_ERRORS[400]},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        problem = self._problem()
        photos = request.FILES.getlist("photos") if hasattr(request, "FILES") else []
        data = parse(TransitionSerializer, request)

        def handler():
            event = services.transition(
                problem=problem, to=data["to"], note=data["note"], photos=photos, actor=request.user
            )
            return status.HTTP_201_CREATED, EventSerializer(event).data

        return respond_once(request, handler)


class TicketSerializer(serializers.ModelSerializer):
    responsible = UserRefSerializer(read_only=True)
    chief = UserRefSerializer(read_only=True, allow_null=True)
    grid = UnitRefSerializer(read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "problem",
            "colour",
            "reason",
            "due_on",
            "issued_on",
            "grid",
            "responsible",
            "chief",
            "ended_on",
            "interview_on",
            "interview_note",
            "accountability",
        ]
        read_only_fields = fields


class FollowUpSerializer(serializers.Serializer):
    interview_on = serializers.DateField(required=False, allow_null=True, default=None)
    interview_note = serializers.CharField(required=False, allow_blank=True, default="")
    accountability = serializers.CharField(required=False, allow_blank=True, default="")


class TicketList(generics.ListAPIView):
    """Tickets the user sees; filters `colour`, `open=1`."""

    serializer_class = TicketSerializer

    def get_queryset(self):
        qs = selectors.tickets(_powers(self.request)).select_related("grid", "responsible", "chief")
        params = self.request.query_params
        if params.get("colour"):
            qs = qs.filter(colour=params["colour"])
        if params.get("open") == "1":
            qs = qs.filter(ended_on__isnull=True)
        return qs.order_by("-due_on", "-id")


class TicketFollowUp(generics.GenericAPIView):
    serializer_class = FollowUpSerializer

    @extend_schema(request=FollowUpSerializer, responses={200: TicketSerializer, **WRITE_ERRORS})
    def post(self, request, pk):
        ticket = get_object_or_404(
            selectors.tickets(_powers(request)).select_related("problem"), pk=pk
        )
        data = parse(FollowUpSerializer, request)
        ticket = services.follow_up_ticket(ticket=ticket, actor=request.user, **data)
        from rest_framework.response import Response

        return Response(TicketSerializer(ticket).data)
