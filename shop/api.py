"""Points supermarket endpoints under /api/v1/shop/ (scoped like the pages: 404 out of scope,
403 in sight but not allowed)."""

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import PermissionDenied
from core.scope import VIEW
from places.api import READ_ERRORS, ErrorSerializer, parse, scope_of
from places.models import Unit

from . import access, selectors, services
from .counter import redeem_once
from .models import Goods, Receipt, ReceiptVoid, StockEntry, Supermarket

WRITE_ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "A unique key per redemption, kept across retries: a retry with the same key and body "
        "answers the first receipt (header Idempotent-Replayed: true) and redeems nothing; the "
        "same key with another body answers 422 idempotency_key_reused."
    ),
)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


class SupermarketSerializer(serializers.ModelSerializer):
    villages = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Supermarket
        fields = [
            "id",
            "township",
            "unit",
            "code",
            "name",
            "opening_hours",
            "address",
            "villages",
            "active",
        ]
        read_only_fields = fields


class SupermarketCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text="The township or village that runs it.")
    code = serializers.CharField(max_length=8)
    name = serializers.CharField(max_length=100)
    opening_hours = serializers.CharField(max_length=100, required=False, default="")
    address = serializers.CharField(max_length=200, required=False, default="")
    villages = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Villages served; by default the supermarket's own village.",
    )


class GoodsSerializer(serializers.ModelSerializer):
    stock = serializers.IntegerField(read_only=True)

    class Meta:
        model = Goods
        fields = ["id", "supermarket", "name", "unit", "price", "photo", "active", "stock"]
        read_only_fields = ["id", "supermarket", "photo", "active", "stock"]


class StockEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = StockEntry
        fields = [
            "id",
            "goods",
            "kind",
            "quantity",
            "cost_yuan",
            "fund",
            "reason",
            "receipt",
            "day",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class StockWriteSerializer(serializers.Serializer):
    goods = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["restock", "write_off"])
    quantity = serializers.IntegerField(min_value=1, max_value=100000)
    cost_yuan = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False
    )
    fund = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class LineSerializer(serializers.Serializer):
    goods = serializers.IntegerField()
    quantity = serializers.IntegerField(min_value=1, max_value=services.MAX_QUANTITY)


class RedemptionCreateSerializer(serializers.Serializer):
    supermarket = serializers.IntegerField()
    household = serializers.IntegerField()
    lines = LineSerializer(many=True)


class ReceiptLineSerializer(serializers.Serializer):
    goods = serializers.IntegerField(source="goods_id")
    name = serializers.CharField(source="goods.name")
    quantity = serializers.IntegerField()
    price = serializers.IntegerField()
    points = serializers.IntegerField()


class ReceiptSerializer(serializers.ModelSerializer):
    lines = ReceiptLineSerializer(many=True, read_only=True)
    voided = serializers.SerializerMethodField()

    class Meta:
        model = Receipt
        fields = [
            "id",
            "number",
            "supermarket",
            "household",
            "village",
            "day",
            "points",
            "balance_after",
            "entry",
            "created_by",
            "created_at",
            "lines",
            "voided",
        ]
        read_only_fields = fields

    def get_voided(self, receipt) -> bool:
        return hasattr(receipt, "void")


class RedemptionAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    points = serializers.IntegerField()
    balance_after = serializers.IntegerField()
    household = serializers.IntegerField()
    supermarket = serializers.IntegerField()


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class VoidAnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReceiptVoid
        fields = ["id", "receipt", "reason", "authority", "reversal", "voided_by", "voided_at"]
        read_only_fields = fields


def _market(request, pk) -> Supermarket:
    return get_object_or_404(selectors.supermarkets(scope_of(request)), pk=pk)


class SupermarketList(generics.ListAPIView):
    """Supermarkets in your part of the tree (keepers: their own); POST opens one (township
    administrators)."""

    queryset = Supermarket.objects.none()
    serializer_class = SupermarketSerializer

    def get_queryset(self):
        return selectors.supermarkets(scope_of(self.request)).prefetch_related("villages")

    @extend_schema(
        request=SupermarketCreateSerializer,
        responses={201: SupermarketSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        data = parse(SupermarketCreateSerializer, request)
        scope = scope_of(request)
        units = Unit.objects.filter(scope.units_q(VIEW)).select_related("township")
        unit = get_object_or_404(units, pk=data.pop("unit"))
        township = unit if unit.kind == Unit.Kind.TOWNSHIP else unit.township
        require(
            township is not None and access.is_township_admin(request.user, township),
            _("Only township administrators open supermarkets."),
        )
        if "villages" in data:
            wanted = set(data["villages"])
            villages = list(units.filter(pk__in=wanted))
            if len(villages) != len(wanted):
                raise Http404
            data["villages"] = villages
        market = services.create_supermarket(unit=unit, actor=request.user, **data)
        return Response(SupermarketSerializer(market).data, status=status.HTTP_201_CREATED)


class SupermarketDetail(generics.RetrieveAPIView):
    queryset = Supermarket.objects.none()
    serializer_class = SupermarketSerializer

    def get_queryset(self):
        return selectors.supermarkets(scope_of(self.request)).prefetch_related("villages")

    @extend_schema(responses={200: SupermarketSerializer, **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class GoodsList(generics.ListAPIView):
    """The supermarket's goods with their stock on hand; POST adds goods (keepers, officials
    who manage the supermarket's unit)."""

    queryset = Goods.objects.none()
    serializer_class = GoodsSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.goods_with_stock(_market(self.request, self.kwargs["pk"]))

    @extend_schema(request=GoodsSerializer, responses={201: GoodsSerializer, **WRITE_ERRORS})
    def post(self, request, pk):
        market = _market(request, pk)
        require(access.can_stock(request.user, market), _("You may not add goods here."))
        data = parse(GoodsSerializer, request)
        goods = services.create_goods(supermarket=market, actor=request.user, **data)
        goods.stock = 0
        return Response(GoodsSerializer(goods).data, status=status.HTTP_201_CREATED)


class GoodsUpdateSerializer(serializers.Serializer):
    price = serializers.IntegerField(min_value=1, required=False)
    active = serializers.BooleanField(required=False)


class GoodsDetail(APIView):
    """Change a price or take goods off offer; receipts keep the price they were made at."""

    @extend_schema(request=GoodsUpdateSerializer, responses={200: GoodsSerializer, **WRITE_ERRORS})
    def patch(self, request, pk):
        markets = selectors.supermarkets(scope_of(request))
        goods = get_object_or_404(
            Goods.objects.filter(supermarket__in=markets).select_related("supermarket__unit"),
            pk=pk,
        )
        require(
            access.can_stock(request.user, goods.supermarket), _("You may not change goods here.")
        )
        data = parse(GoodsUpdateSerializer, request)
        services.update_goods(goods=goods, actor=request.user, **data)
        goods = selectors.goods_with_stock(goods.supermarket).get(pk=goods.pk)
        return Response(GoodsSerializer(goods).data)


class StockEntryList(generics.ListAPIView):
    """The supermarket's stock entries, newest first; POST records a restock or a write-off."""

    queryset = StockEntry.objects.none()
    serializer_class = StockEntrySerializer

    def get_queryset(self):
        market = _market(self.request, self.kwargs["pk"])
        return StockEntry.objects.filter(supermarket=market).order_by("-id")

    @extend_schema(
        request=StockWriteSerializer, responses={201: StockEntrySerializer, **WRITE_ERRORS}
    )
    def post(self, request, pk):
        market = _market(request, pk)
        require(access.can_stock(request.user, market), _("You may not change this stock."))
        data = parse(StockWriteSerializer, request)
        goods = get_object_or_404(Goods, supermarket=market, pk=data["goods"])
        if data["kind"] == "restock":
            entry = services.restock(
                goods=goods,
                quantity=data["quantity"],
                cost_yuan=data.get("cost_yuan"),
                fund=data["fund"],
                actor=request.user,
            )
        else:
            entry = services.write_off(
                goods=goods, quantity=data["quantity"], reason=data["reason"], actor=request.user
            )
        return Response(StockEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class RedemptionList(generics.ListAPIView):
    """Receipts you can see; POST redeems at the counter (keepers only), once per
    Idempotency-Key."""

    queryset = Receipt.objects.none()
    serializer_class = ReceiptSerializer

    def get_queryset(self):
        return (
            selectors.receipts(scope_of(self.request))
            .prefetch_related("lines__goods")
            .order_by("-id")
        )

    @extend_schema(
        request=RedemptionCreateSerializer,
        responses={201: RedemptionAnswerSerializer, 422: ErrorSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        data = parse(RedemptionCreateSerializer, request)
        market = _market(request, data["supermarket"])
        require(access.can_sell(request.user, market), _("Only its keepers redeem here."))
        household = selectors.served_households(market).filter(pk=data["household"]).first()
        if household is None:
            raise Http404
        lines: dict[int, int] = {}
        for line in data["lines"]:
            lines[line["goods"]] = lines.get(line["goods"], 0) + line["quantity"]
        key = request.headers.get("Idempotency-Key", "")
        code, body, replayed = redeem_once(
            user=request.user, key=key, supermarket=market, household=household, lines=lines
        )
        response = Response(body, status=code)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class RedemptionDetail(generics.RetrieveAPIView):
    queryset = Receipt.objects.none()
    serializer_class = ReceiptSerializer

    def get_queryset(self):
        return selectors.receipts(scope_of(self.request)).prefetch_related("lines__goods")

    @extend_schema(responses={200: ReceiptSerializer, **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RedemptionVoid(APIView):
    """Void a receipt: its keeper within the township's window, a township administrator
    any time with a reason."""

    @extend_schema(request=VoidSerializer, responses={201: VoidAnswerSerializer, **WRITE_ERRORS})
    def post(self, request, pk):
        receipt = get_object_or_404(
            selectors.receipts(scope_of(request)).select_related("supermarket__township"), pk=pk
        )
        data = parse(VoidSerializer, request)
        if access.is_keeper(request.user, receipt.supermarket) and services.keeper_may_void(
            receipt
        ):
            authority = ReceiptVoid.Authority.KEEPER
        elif access.is_township_admin(request.user, receipt.supermarket.township):
            authority = ReceiptVoid.Authority.TOWNSHIP
        else:
            raise PermissionDenied(_("You may not void this receipt."))
        void = services.void_receipt(
            receipt=receipt, actor=request.user, authority=authority, reason=data["reason"]
        )
        return Response(VoidAnswerSerializer(void).data, status=status.HTTP_201_CREATED)


def _date(value, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return default


class ReconciliationRowSerializer(serializers.Serializer):
    goods = serializers.CharField(source="goods.name")
    opening = serializers.IntegerField()
    restocks = serializers.IntegerField()
    redemptions = serializers.IntegerField()
    returns = serializers.IntegerField()
    write_offs = serializers.IntegerField()
    corrections = serializers.IntegerField()
    closing = serializers.IntegerField()
    ok = serializers.BooleanField()


class ReconciliationSerializer(serializers.Serializer):
    day = serializers.DateField()
    ok = serializers.BooleanField()
    points_ok = serializers.BooleanField()
    flags = serializers.ListField(child=serializers.CharField())
    rows = ReconciliationRowSerializer(many=True)
    receipts = serializers.DictField(child=serializers.IntegerField())
    voids = serializers.DictField(child=serializers.IntegerField())


class Reconciliation(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("day", datetime.date, description="YYYY-MM-DD; today")],
        responses={200: ReconciliationSerializer, **READ_ERRORS},
    )
    def get(self, request, pk):
        market = _market(request, pk)
        day = _date(request.query_params.get("day"), timezone.localdate())
        return Response(ReconciliationSerializer(selectors.reconciliation(market, day)).data)


class ReportMarketSerializer(serializers.Serializer):
    supermarket = serializers.CharField(source="supermarket.name")
    points = serializers.IntegerField()
    receipts = serializers.IntegerField()
    households = serializers.IntegerField()
    yuan = serializers.DecimalField(max_digits=12, decimal_places=2)


class ReportGoodsSerializer(serializers.Serializer):
    supermarket = serializers.CharField()
    goods = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.IntegerField()
    points = serializers.IntegerField()
    yuan = serializers.DecimalField(max_digits=12, decimal_places=2)


class ReportSerializer(serializers.Serializer):
    month = serializers.DateField()
    totals = serializers.DictField(child=serializers.DecimalField(max_digits=14, decimal_places=2))
    markets = ReportMarketSerializer(many=True)
    goods = ReportGoodsSerializer(many=True)
    top = serializers.ListField(child=serializers.DictField())


class MonthlyReport(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("month", str, description="YYYY-MM; this month")],
        responses={200: ReportSerializer, **READ_ERRORS},
    )
    def get(self, request, pk):
        township = get_object_or_404(Unit, pk=pk, kind=Unit.Kind.TOWNSHIP)
        if not scope_of(request).covers(township.path, VIEW):
            raise Http404
        month = _date(
            f"{request.query_params.get('month', '')}-01", timezone.localdate().replace(day=1)
        )
        return Response(ReportSerializer(selectors.monthly_report(township, month)).data)
