"""A township's rules (grid levels, 联户 size, thresholds, red/black list sizes, stars)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from core.scope import MANAGE

from .. import selectors, services
from ..models import TownshipConfig, Unit
from ._common import READ_ERRORS, WRITE_ERRORS, parse, reason_field, require_unit, scope_of


class StarSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, max_length=100)
    required = serializers.BooleanField(default=False)


class TownshipConfigSerializer(serializers.ModelSerializer):
    stars = StarSerializer(many=True, read_only=True)

    class Meta:
        model = TownshipConfig
        fields = ["township", *services.CONFIG_FIELDS, "updated_at"]
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
