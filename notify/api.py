"""API of notify: work-group robots (list, create, detail, disable, test) and their deliveries.

Robots are seen by those who manage their unit. The key and secret are write-only: answers
carry `key_hint` (the last four characters) and `signed`.
"""

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import PermissionDenied
from places.api._common import (
    READ_ERRORS,
    WRITE_ERRORS,
    ScopedUnitField,
    UnitRefSerializer,
    parse,
    reason_field,
    scope_of,
)

from . import selectors, services
from .access import can_manage_robots
from .models import Delivery, Robot


class RobotSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    key_hint = serializers.CharField(
        read_only=True, help_text="The key's last four characters; the key is never shown."
    )
    signed = serializers.SerializerMethodField(help_text="Whether a signing secret is set.")

    class Meta:
        model = Robot
        fields = [
            "id",
            "township",
            "unit",
            "name",
            "vendor",
            "message_format",
            "key_hint",
            "signed",
            "is_active",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_signed(self, robot) -> bool:
        return bool(robot.secret)


class RobotCreateSerializer(serializers.Serializer):
    unit = ScopedUnitField(help_text="The grid, village, community or township of the group.")
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    vendor = serializers.ChoiceField(choices=Robot.Vendor.choices)
    message_format = serializers.ChoiceField(
        choices=Robot.Format.choices, default=Robot.Format.MARKDOWN
    )
    key = serializers.CharField(
        max_length=500,
        write_only=True,
        help_text="WeCom `key` / DingTalk `access_token` (or the whole webhook address).",
    )
    secret = serializers.CharField(
        max_length=200,
        write_only=True,
        required=False,
        allow_blank=True,
        default="",
        help_text="DingTalk signing secret (SEC…), if the robot signs.",
    )


class ReasonSerializer(serializers.Serializer):
    reason = reason_field()


class DeliverySerializer(serializers.ModelSerializer):
    body = serializers.JSONField(read_only=True, help_text="The JSON body exactly as posted.")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "township",
            "robot",
            "event",
            "title",
            "body",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "sent_at",
            "created_at",
        ]
        read_only_fields = fields


class RobotFilter(filters.FilterSet):
    unit = filters.NumberFilter(field_name="unit_id")
    vendor = filters.ChoiceFilter(choices=Robot.Vendor.choices)
    is_active = filters.BooleanFilter()

    class Meta:
        model = Robot
        fields = ["unit", "vendor", "is_active"]


class DeliveryFilter(filters.FilterSet):
    robot = filters.NumberFilter(field_name="robot_id")
    unit = filters.NumberFilter(field_name="robot__unit_id")
    status = filters.ChoiceFilter(choices=Delivery.Status.choices)
    event = filters.CharFilter()

    class Meta:
        model = Delivery
        fields = ["robot", "unit", "status", "event"]


def _require_manage(request, unit):
    if not can_manage_robots(scope_of(request), unit):
        raise PermissionDenied(_("You may not manage the robots of %(unit)s.") % {"unit": unit})


def _managed_robot(request, pk) -> Robot:
    """Robot `pk`: 404 unless its unit is in sight, 403 unless the user manages it."""
    robot = selectors.visible_robots(scope_of(request)).filter(pk=pk).first()
    if robot is None:
        raise NotFound()
    _require_manage(request, robot.unit)
    return robot


# Comments, not docstrings, on helper classes: drf-spectacular shows docstrings as descriptions.
class RobotList(generics.ListAPIView):
    """Work-group robots of the units you manage."""

    serializer_class = RobotSerializer
    filterset_class = RobotFilter
    queryset = Robot.objects.none()  # the type for the schema; get_queryset gives the rows

    def get_queryset(self):
        return selectors.robots(scope_of(self.request)).order_by("unit__path", "pk")

    @extend_schema(request=RobotCreateSerializer, responses={201: RobotSerializer, **WRITE_ERRORS})
    def post(self, request):
        data = parse(RobotCreateSerializer, request)
        _require_manage(request, data["unit"])
        robot = services.create_robot(actor=request.user, **data)
        return Response(RobotSerializer(robot).data, status=status.HTTP_201_CREATED)


class RobotDetail(APIView):
    serializer_class = RobotSerializer

    @extend_schema(responses={200: RobotSerializer, 403: WRITE_ERRORS[403], **READ_ERRORS})
    def get(self, request, pk):
        """One robot of a unit you manage."""
        return Response(RobotSerializer(_managed_robot(request, pk)).data)


class RobotDisable(APIView):
    serializer_class = RobotSerializer

    @extend_schema(request=ReasonSerializer, responses={200: RobotSerializer, **WRITE_ERRORS})
    def post(self, request, pk):
        """Stop posting to the robot; its queued messages are given up."""
        robot = _managed_robot(request, pk)
        data = parse(ReasonSerializer, request)
        robot = services.disable_robot(robot=robot, actor=request.user, **data)
        return Response(RobotSerializer(robot).data)


class RobotTest(APIView):
    serializer_class = DeliverySerializer

    @extend_schema(
        request=None,
        responses={201: DeliverySerializer, 409: WRITE_ERRORS[403], **WRITE_ERRORS},
    )
    def post(self, request, pk):
        """Queue a test message to the robot."""
        delivery = services.queue_test(robot=_managed_robot(request, pk), actor=request.user)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_201_CREATED)


class DeliveryList(generics.ListAPIView):
    """Messages queued for the robots of the units you manage, newest first."""

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    queryset = Delivery.objects.none()

    def get_queryset(self):
        return selectors.deliveries(scope_of(self.request)).order_by("-created_at", "-pk")
