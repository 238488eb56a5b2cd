"""REST API for household points (/api/v1/points/): lists, proposals and their review, 联户
appraisals, the ledger's entries, balances and appeals.

Each view parses with an explicit serializer, checks access through the user's Scope, calls one
service or selector and serializes. Objects outside the scope answer 404; objects in sight that
the user may not act on answer 403. Every write honours an `Idempotency-Key` header
(core.idempotency): a retried request answers the first response and changes nothing.
"""

import datetime
import hashlib

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from core import idempotency
from core.errors import PermissionDenied, ServiceError
from core.scope import CHANGE, MANAGE, PROPOSE, REVIEW, Scope
from people.api import HouseholdRefSerializer, UserRefSerializer
from places import selectors as places_selectors
from places.api import (
    READ_ERRORS,
    ErrorSerializer,
    ScopedField,
    ScopedHouseholdField,
    ScopedUnitField,
    UnitRefSerializer,
    parse,
    scope_of,
)
from places.models import Unit

from . import selectors, services
from .models import (
    Appeal,
    AppraisalBatch,
    Category,
    Entry,
    Evidence,
    Item,
    PointsList,
    Proposal,
)

WRITE_ERRORS = {
    400: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    422: ErrorSerializer,
}
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique key per action, kept across retries. A retry with the same key and body "
        "answers the first response (header Idempotent-Replayed: true) and changes nothing; "
        "the same key with another body answers 422 idempotency_key_reused."
    ),
)


# --- Plumbing ----------------------------------------------------------------------------------


def parse_month(value) -> datetime.date | None:
    """'2026-10' or any date of the month → the month's first day; None if neither."""
    text = str(value).strip()
    try:
        if len(text) == 7:
            return datetime.datetime.strptime(text, "%Y-%m").date()
        return datetime.date.fromisoformat(text).replace(day=1)
    except ValueError:
        return None


@extend_schema_field({"type": "string", "example": "2026-10", "pattern": r"^\d{4}-\d{2}"})
class MonthField(serializers.Field):
    """A month: YYYY-MM, or any date (YYYY-MM-DD) in it; shown as YYYY-MM."""

    default_error_messages = {
        "invalid": gettext_lazy("Give a month as YYYY-MM or a date as YYYY-MM-DD.")
    }

    def to_internal_value(self, data):
        month = parse_month(data)
        if month is None:
            self.fail("invalid")
        return month

    def to_representation(self, value):
        return f"{value:%Y-%m}"


class MonthFilter(filters.CharFilter):
    def filter(self, qs, value):
        if not value:
            return qs
        month = parse_month(value)
        if month is None:
            raise serializers.ValidationError(
                {self.field_name: [MonthField.default_error_messages["invalid"]]}
            )
        return qs.filter(**{self.field_name: month})


def require(allowed: bool, message: str) -> None:
    """403 for an object in sight that the user may not act on."""
    if not allowed:
        raise PermissionDenied(message)


def respond_once(request, handler) -> Response:
    """Run `handler` (→ status, body) once per Idempotency-Key, or plainly without one."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        code, body = handler()
        return Response(body, status=code)
    code, body, replayed = idempotency.run_once(
        user=request.user,
        key=key,
        request_fingerprint=idempotency.fingerprint(
            request.method, request.path, _canonical(request.data)
        ),
        handler=handler,
    )
    response = Response(body, status=code)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _canonical(data):
    """The request body as plain JSON-ready data; uploaded files by their content's hash."""
    if not hasattr(data, "lists"):
        return data
    return {key: [_file_digest(v) for v in values] for key, values in data.lists()}


def _file_digest(value):
    if not hasattr(value, "chunks"):
        return value
    digest = hashlib.sha256()
    for chunk in value.chunks():
        digest.update(chunk)
    value.seek(0)
    return digest.hexdigest()


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


class EntryField(ScopedField):
    queryset = Entry.objects.none()
    not_found = gettext_lazy("%(field)s: no points entry with id %(id)s was found.")

    def scoped(self, scope):
        return selectors.entries(scope)


class ItemField(serializers.PrimaryKeyRelatedField):
    """An item of any list: the service refuses one not in force for the household's village."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Item.objects.select_related("points_list"), **kwargs)


# --- Points lists ------------------------------------------------------------------------------


class PointsItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "code", "category", "name", "value", "monthly_cap", "evidence_required"]
        read_only_fields = fields


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
    village = filters.NumberFilter(field_name="village_id")
    township = filters.NumberFilter(field_name="township_id")
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


# --- Proposals and review ----------------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "image", "thumbnail", "content_type", "size"]
        read_only_fields = fields


class PointsProposalSerializer(serializers.ModelSerializer):
    household = HouseholdRefSerializer(read_only=True)
    item = PointsItemSerializer(read_only=True)
    period = MonthField(read_only=True)
    proposed_by = UserRefSerializer(read_only=True)
    reviewed_by = UserRefSerializer(read_only=True, allow_null=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    entry = serializers.SerializerMethodField(help_text="The ledger entry, once approved.")

    class Meta:
        model = Proposal
        fields = [
            "id",
            "village",
            "household",
            "item",
            "amount",
            "period",
            "note",
            "batch",
            "state",
            "proposed_by",
            "proposed_at",
            "reviewed_by",
            "reviewed_at",
            "review_reason",
            "evidence",
            "entry",
        ]
        read_only_fields = fields

    def get_entry(self, proposal) -> int | None:
        entry = getattr(proposal, "entry", None)
        return entry.pk if entry else None


class ProposalCreateSerializer(serializers.Serializer):
    household = ScopedHouseholdField()
    item = ItemField()
    period = MonthField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="Evidence photos (JPEG, PNG or WebP), sent as multipart/form-data.",
    )


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="Required to reject."
    )


class ProposalFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=Proposal.State.choices)
    village = filters.NumberFilter(field_name="village_id")
    household = filters.NumberFilter(field_name="household_id")
    period = MonthFilter(label="Month (YYYY-MM)")

    class Meta:
        model = Proposal
        fields = ["state", "village", "household", "period"]


def proposal_rows(scope: Scope):
    return selectors.proposals(scope).select_related("entry").prefetch_related("evidence")


def proposal_data(request, proposal: Proposal) -> dict:
    row = proposal_rows(scope_of(request)).get(pk=proposal.pk)
    return PointsProposalSerializer(row, context={"request": request}).data


class ProposalList(generics.ListAPIView):
    """Proposed awards and deductions for the households you can see."""

    queryset = Proposal.objects.none()
    serializer_class = PointsProposalSerializer
    filterset_class = ProposalFilter

    def get_queryset(self):
        return proposal_rows(scope_of(self.request))

    @extend_schema(
        request=ProposalCreateSerializer,
        responses={201: PointsProposalSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        data = parse(ProposalCreateSerializer, request)
        household = data["household"]
        require(
            scope_of(request).covers_household(household.group_path, household.joint_path, PROPOSE),
            _("You may not propose points for household %(number)s.")
            % {"number": household.number},
        )

        def handler():
            proposal = services.propose(actor=request.user, **data)
            return status.HTTP_201_CREATED, proposal_data(request, proposal)

        return respond_once(request, handler)


class ProposalDetail(generics.RetrieveAPIView):
    queryset = Proposal.objects.none()
    serializer_class = PointsProposalSerializer

    def get_queryset(self):
        return proposal_rows(scope_of(self.request))

    @extend_schema(responses={200: PointsProposalSerializer, **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProposalReview(generics.GenericAPIView):
    """Approve (the entry reaches the ledger) or reject a proposal. A retry of the same
    decision by the same reviewer answers the proposal as it stands."""

    queryset = Proposal.objects.none()
    serializer_class = ReviewSerializer

    def get_queryset(self):
        return selectors.proposals(scope_of(self.request))

    @extend_schema(
        request=ReviewSerializer,
        responses={200: PointsProposalSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        proposal = self.get_object()
        data = parse(ReviewSerializer, request)
        require(
            scope_of(request).covers_household(proposal.group_path, proposal.joint_path, REVIEW),
            _("You may not review points for household %(number)s.")
            % {"number": proposal.household.number},
        )

        def handler():
            try:
                services.review(proposal=proposal, actor=request.user, **data)
            except ServiceError as exc:
                if exc.code != "already_reviewed" or not _same_review(proposal, request, data):
                    raise
            return status.HTTP_200_OK, proposal_data(request, proposal)

        return respond_once(request, handler)


def _same_review(proposal: Proposal, request, data) -> bool:
    state = Proposal.State.APPROVED if data["approve"] else Proposal.State.REJECTED
    return Proposal.objects.filter(pk=proposal.pk, state=state, reviewed_by=request.user).exists()


# --- 联户 appraisals ----------------------------------------------------------------------------


class JointRowSerializer(serializers.Serializer):
    household = ScopedHouseholdField()
    item = ItemField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class JointAppraisalCreateSerializer(serializers.Serializer):
    joint = ScopedUnitField(help_text="The 联户 appraised.")
    period = MonthField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    rows = JointRowSerializer(many=True, allow_empty=False)


class JointAppraisalSerializer(serializers.ModelSerializer):
    joint = UnitRefSerializer(read_only=True)
    period = MonthField(read_only=True)
    proposed_by = UserRefSerializer(read_only=True)
    proposals = PointsProposalSerializer(many=True, read_only=True)

    class Meta:
        model = AppraisalBatch
        fields = ["id", "joint", "period", "note", "proposed_by", "created_at", "proposals"]
        read_only_fields = fields


class JointAppraisalCreate(generics.GenericAPIView):
    """The monthly 联户评: one form with a row per household; all rows or none."""

    serializer_class = JointAppraisalCreateSerializer

    @extend_schema(
        request=JointAppraisalCreateSerializer,
        responses={201: JointAppraisalSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        data = parse(JointAppraisalCreateSerializer, request)
        joint = data["joint"]
        require(
            scope_of(request).covers_unit(joint, PROPOSE),
            _("You may not appraise %(unit)s.") % {"unit": joint.name},
        )
        rows = [dict(row) for row in data.pop("rows")]

        def handler():
            batch = services.propose_joint(actor=request.user, rows=rows, **data)
            return status.HTTP_201_CREATED, batch_data(request, batch)

        return respond_once(request, handler)


def batch_data(request, batch: AppraisalBatch) -> dict:
    proposals = proposal_rows(scope_of(request)).order_by("household__number")
    row = (
        AppraisalBatch.objects.select_related("joint", "proposed_by")
        .prefetch_related(Prefetch("proposals", queryset=proposals))
        .get(pk=batch.pk)
    )
    return JointAppraisalSerializer(row, context={"request": request}).data


# --- The ledger and balances -------------------------------------------------------------------


class PointsEntrySerializer(serializers.ModelSerializer):
    household = HouseholdRefSerializer(read_only=True)
    item = PointsItemSerializer(read_only=True, allow_null=True)
    period = MonthField(read_only=True)
    proposed_by = UserRefSerializer(read_only=True, allow_null=True)
    approved_by = UserRefSerializer(read_only=True, allow_null=True)
    reversed_by = serializers.SerializerMethodField(help_text="The correction of this entry.")

    class Meta:
        model = Entry
        fields = [
            "id",
            "village",
            "household",
            "seq",
            "kind",
            "amount",
            "item",
            "period",
            "note",
            "proposal",
            "reverses",
            "reversed_by",
            "proposed_by",
            "approved_by",
            "created_at",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields

    def get_reversed_by(self, entry) -> int | None:
        reversal = getattr(entry, "reversed_by", None)
        return reversal.pk if reversal else None


class EntryFilter(filters.FilterSet):
    household = filters.NumberFilter(field_name="household_id")
    village = filters.NumberFilter(field_name="village_id")
    period = MonthFilter(label="Month (YYYY-MM)")
    kind = filters.ChoiceFilter(choices=Entry.Kind.choices)

    class Meta:
        model = Entry
        fields = ["household", "village", "period", "kind"]


class EntryList(generics.ListAPIView):
    """Ledger entries of the households you can see (a villager: his own household's)."""

    queryset = Entry.objects.none()
    serializer_class = PointsEntrySerializer
    filterset_class = EntryFilter

    def get_queryset(self):
        return (
            selectors.entries(scope_of(self.request))
            .select_related("proposed_by", "approved_by", "reversed_by")
            .order_by("-created_at", "-id")
        )


class PointsBalanceSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    month = serializers.CharField(help_text="The month ranked (YYYY-MM).")
    quarter = serializers.CharField(help_text="The quarter ranked (2026-Q4).")
    balance = serializers.IntegerField()
    rank_month = serializers.IntegerField(
        allow_null=True, help_text="Rank in the village by the month's points; null if none."
    )
    rank_quarter = serializers.IntegerField(allow_null=True)
    ranked_households = serializers.IntegerField(help_text="Households ranked in the month.")
    ranked_households_quarter = serializers.IntegerField()


class BalanceQuerySerializer(serializers.Serializer):
    month = MonthField(required=False, help_text="The month to rank (this month if left out).")


class BalanceDetail(generics.GenericAPIView):
    """A household's balance and its rank in its village this month and this quarter."""

    serializer_class = PointsBalanceSerializer

    @extend_schema(
        parameters=[BalanceQuerySerializer],
        responses={200: PointsBalanceSerializer, 400: ErrorSerializer, **READ_ERRORS},
    )
    def get(self, request, household_id):
        household = get_object_or_404(
            places_selectors.households(scope_of(request)), pk=household_id
        )
        query = BalanceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data.get("month") or services.month_start(timezone.localdate())
        quarter = selectors.quarter_of(month)
        rank_month, ranked = selectors.rank_of(household, month, month)
        rank_quarter, ranked_quarter = selectors.rank_of(
            household, *selectors.quarter_bounds(quarter)
        )
        body = {
            "household": household.pk,
            "month": f"{month:%Y-%m}",
            "quarter": quarter,
            "balance": selectors.balance(household),
            "rank_month": rank_month,
            "rank_quarter": rank_quarter,
            "ranked_households": ranked,
            "ranked_households_quarter": ranked_quarter,
        }
        return Response(PointsBalanceSerializer(body).data)


# --- Appeals -----------------------------------------------------------------------------------


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
    household = filters.NumberFilter(field_name="household_id")

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
