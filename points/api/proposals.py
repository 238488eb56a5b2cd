"""Proposals: proposing an award or deduction (with evidence photos), listing, reading and
reviewing them, and the monthly 联户 appraisal that proposes for every household of a joint."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status

from core.api import IDEMPOTENCY_KEY, IdFilter, respond_once
from core.errors import ServiceError
from core.scope import PROPOSE, REVIEW, Scope
from people.api import HouseholdRefSerializer, UserRefSerializer
from places.api import (
    READ_ERRORS,
    ScopedHouseholdField,
    ScopedUnitField,
    UnitRefSerializer,
    parse,
    scope_of,
)

from .. import selectors, services
from ..models import AppraisalBatch, Evidence, Item, Proposal
from ._common import WRITE_ERRORS, MonthField, MonthFilter, PointsItemSerializer, require


class ItemField(serializers.PrimaryKeyRelatedField):
    """An item of any list: the service refuses one not in force for the household's village."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Item.objects.select_related("points_list"), **kwargs)


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
    village = IdFilter(field_name="village_id")
    household = IdFilter(field_name="household_id")
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
