"""Points lists: the versions of the villages in sight and the township templates, publishing a
list, and a village adopting a template."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status

from core.api import IDEMPOTENCY_KEY, IdFilter, respond_once
from core.scope import MANAGE
from places.api import ScopedField, UnitRefSerializer, parse, scope_of
from places.models import Unit

from .. import selectors, services
from ..models import Category, PointsList
from ._common import WRITE_ERRORS, PointsItemSerializer, require


class VillageField(ScopedField):
    queryset = Unit.objects.none()
    not_found = gettext_lazy("%(field)s: no village with id %(id)s was found.")

    def scoped(self, scope):
        return selectors.villages(scope)


class TownshipField(ScopedField):
    queryset = Unit.objects.none()
    not_found = gettext_lazy("%(field)s: no township with id %(id)s was found.")

    def scoped(self, scope):
        return selectors.townships(scope)


class PointsListSerializer(serializers.ModelSerializer):
    village = UnitRefSerializer(read_only=True, allow_null=True)
    is_template = serializers.BooleanField(read_only=True)
    items = PointsItemSerializer(many=True, read_only=True)

    class Meta:
        model = PointsList
        fields = [
            "id",
            "township",
            "village",
            "is_template",
            "version",
            "effective_from",
            "title",
            "basis",
            "adopted_from",
            "items",
            "created_at",
        ]
        read_only_fields = fields


class PointsItemInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=10)
    category = serializers.ChoiceField(choices=Category.choices)
    name = serializers.CharField(max_length=200)
    value = serializers.IntegerField(help_text="Points added (positive) or deducted (negative).")
    monthly_cap = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    evidence_required = serializers.BooleanField(default=False)


class PointsListCreateSerializer(serializers.Serializer):
    village = VillageField(
        required=False, allow_null=True, help_text="Leave out for a township template."
    )
    township = TownshipField(
        required=False, allow_null=True, help_text="For a template: the township it is for."
    )
    title = serializers.CharField(max_length=100)
    effective_from = serializers.DateField()
    basis = serializers.CharField(max_length=300, required=False, allow_blank=True)
    items = PointsItemInputSerializer(many=True, allow_empty=False)

    def validate(self, attrs):
        village, township = attrs.get("village"), attrs.get("township")
        if not village and not township:
            raise serializers.ValidationError(
                {"township": _("Give a village, or a township for a template.")}
            )
        if village and township and village.township_id != township.pk:
            raise serializers.ValidationError(
                {"township": _("%(village)s is not in this township.") % {"village": village.name}}
            )
        return attrs


class AdoptSerializer(serializers.Serializer):
    village = VillageField()
    effective_from = serializers.DateField()
    basis = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ListFilter(filters.FilterSet):
    village = IdFilter(field_name="village_id")
    township = IdFilter(field_name="township_id")
    template = filters.BooleanFilter(field_name="village", lookup_expr="isnull")

    class Meta:
        model = PointsList
        fields = ["village", "township", "template"]


def list_data(points_list: PointsList) -> dict:
    row = (
        PointsList.objects.select_related("village")
        .prefetch_related("items")
        .get(pk=points_list.pk)
    )
    return PointsListSerializer(row).data


class PointsListList(generics.ListAPIView):
    """Points list versions (with their items) of the villages you can see, and templates."""

    queryset = PointsList.objects.none()
    serializer_class = PointsListSerializer
    filterset_class = ListFilter

    def get_queryset(self):
        return selectors.lists(scope_of(self.request))

    @extend_schema(
        request=PointsListCreateSerializer,
        responses={201: PointsListSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        data = parse(PointsListCreateSerializer, request)
        scope = scope_of(request)
        village, township = data.pop("village", None), data.pop("township", None)
        if village is not None:
            require(
                scope.covers_unit(village, MANAGE),
                _("You may not change the points list of %(unit)s.") % {"unit": village.name},
            )
            township = village.township
        else:
            require(
                scope.covers(township.path, MANAGE),
                _("You may not publish a template for %(unit)s.") % {"unit": township.name},
            )
        data["items"] = [dict(item) for item in data["items"]]

        def handler():
            points_list = services.publish_list(
                township=township, village=village, actor=request.user, **data
            )
            return status.HTTP_201_CREATED, list_data(points_list)

        return respond_once(request, handler)


class PointsListAdopt(generics.GenericAPIView):
    """A village adopts a township template as its own new list version."""

    queryset = PointsList.objects.none()
    serializer_class = AdoptSerializer

    def get_queryset(self):
        return selectors.lists(scope_of(self.request))

    @extend_schema(
        request=AdoptSerializer,
        responses={201: PointsListSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        template = self.get_object()
        data = parse(AdoptSerializer, request)
        village = data["village"]
        require(
            scope_of(request).covers_unit(village, MANAGE),
            _("You may not change the points list of %(unit)s.") % {"unit": village.name},
        )

        def handler():
            points_list = services.adopt_template(template=template, actor=request.user, **data)
            return status.HTTP_201_CREATED, list_data(points_list)

        return respond_once(request, handler)
