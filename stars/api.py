"""Star endpoints under /api/v1/stars/: star sets, self-evaluations and their steps (head's
confirmation, group evaluation, vote, objections), withdrawals, visits and ratings.

Objects outside the user's sight answer 404; an action the user may not take on a visible
object answers 403. POSTs that create records honour the Idempotency-Key header.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api import IDEMPOTENCY_KEY, respond_once
from core.errors import ServiceError
from people.api import HouseholdRefSerializer, UserRefSerializer
from places.api import READ_ERRORS, parse, scope_of
from places.models import Household, Unit
from points.api._common import WRITE_ERRORS, require

from . import access, selectors, services
from .models import Claim, ClaimStar, Confirmation, Objection, Star, Visit, VisitPhoto, Vote


class StarSerializer(serializers.ModelSerializer):
    class Meta:
        model = Star
        fields = ["id", "position", "name", "criteria", "required"]
        read_only_fields = fields


class ClaimStarSerializer(serializers.ModelSerializer):
    star = StarSerializer(read_only=True)

    class Meta:
        model = ClaimStar
        fields = ["star", "note", "granted", "reason"]
        read_only_fields = fields


class VoteSerializer(serializers.ModelSerializer):
    recorded_by = UserRefSerializer(read_only=True)

    class Meta:
        model = Vote
        fields = [
            "members",
            "votes_for",
            "votes_against",
            "abstentions",
            "passed",
            "held_on",
            "note",
            "recorded_by",
        ]
        read_only_fields = fields


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = [
            "id",
            "claim",
            "raised_by",
            "text",
            "received_on",
            "state",
            "resolution",
            "resolved_at",
        ]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    household = HouseholdRefSerializer(read_only=True)
    filled_by = UserRefSerializer(read_only=True)
    confirmed_by = UserRefSerializer(read_only=True, allow_null=True)
    stars = ClaimStarSerializer(many=True, read_only=True)
    vote = serializers.SerializerMethodField()
    objections = ObjectionSerializer(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "campaign",
            "village",
            "household",
            "state",
            "filled_by",
            "filled_at",
            "confirmation",
            "confirmation_note",
            "confirmed_by",
            "confirmed_at",
            "posted_on",
            "objection_until",
            "effective_on",
            "refused_reason",
            "stars",
            "vote",
            "objections",
        ]
        read_only_fields = fields

    def get_vote(self, claim) -> dict | None:
        vote = getattr(claim, "vote", None) if hasattr(claim, "vote") else None
        return VoteSerializer(vote).data if vote else None


def _claims(request):
    return selectors.claim_detail(scope_of(request)).select_related("confirmed_by")


def claim_data(request, claim: Claim) -> dict:
    return ClaimSerializer(_claims(request).get(pk=claim.pk)).data


def _visible_household(request, pk) -> Household:
    household = Household.objects.select_related("group__village", "township").filter(pk=pk).first()
    if household is None or not access.can_see(request.user, scope_of(request), household):
        raise NotFound(_("No household with id %(id)s was found.") % {"id": pk})
    return household


class StarSetList(generics.ListAPIView):
    """The star sets of the townships you belong to ("3+N": `required` marks the 3)."""

    queryset = Star.objects.none()
    serializer_class = StarSerializer

    def get_queryset(self):
        scope = scope_of(self.request)
        for township in Unit.objects.filter(pk__in=scope.township_ids):
            services.star_set(township)
        rows = Star.objects.filter(is_active=True).order_by("township_id", "position")
        return rows if scope.is_superuser else rows.filter(township_id__in=scope.township_ids)


class StarChoiceSerializer(serializers.Serializer):
    star = serializers.IntegerField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ClaimCreateSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    stars = StarChoiceSerializer(many=True)
    confirmation = serializers.ChoiceField(choices=Confirmation.choices, default="login")
    confirmation_note = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class ClaimList(generics.ListAPIView):
    """Self-evaluations of the households you can see; POST files one (自评表)."""

    queryset = Claim.objects.none()
    serializer_class = ClaimSerializer

    def get_queryset(self):
        rows = _claims(self.request)
        state = self.request.query_params.get("state")
        return rows.filter(state=state) if state else rows

    @extend_schema(
        request=ClaimCreateSerializer,
        responses={201: ClaimSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        data = parse(ClaimCreateSerializer, request)
        household = _visible_household(request, data["household"])
        require(
            access.may_fill(scope_of(request), household),
            _("You may not fill a self-evaluation for household %(number)s.")
            % {"number": household.number},
        )
        stars = {s.pk: s for s in services.star_set(household.township)}
        chosen = []
        for row in data["stars"]:
            if row["star"] not in stars:
                raise ServiceError(
                    _("Star %(id)s is not in the household's star set.") % {"id": row["star"]},
                    code="unknown_star",
                )
            chosen.append((stars[row["star"]], row["note"]))
        campaign = selectors.campaign_for(household)
        if campaign is None:
            raise ServiceError(
                _("The household's village takes part in no open evaluation round."),
                code="no_round",
            )

        def handler():
            claim = services.claim_stars(
                household=household,
                campaign=campaign,
                stars=chosen,
                actor=request.user,
                confirmation=data["confirmation"],
                confirmation_note=data["confirmation_note"],
            )
            return status.HTTP_201_CREATED, claim_data(request, claim)

        return respond_once(request, handler)


class ClaimDetail(generics.RetrieveAPIView):
    queryset = Claim.objects.none()
    serializer_class = ClaimSerializer

    def get_queryset(self):
        return _claims(self.request)

    @extend_schema(responses={200: ClaimSerializer, **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class _ClaimStep(generics.GenericAPIView):
    """A step on a visible claim: 404 outside sight, 403 when the user may not take it."""

    queryset = Claim.objects.none()
    serializer_class = serializers.Serializer

    def get_queryset(self):
        return _claims(self.request)

    def claim(self) -> Claim:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


class ClaimConfirm(_ClaimStep):
    """The household head confirms, in their own login, a self-evaluation filled with a cadre."""

    @extend_schema(request=None, responses={200: ClaimSerializer, **WRITE_ERRORS})
    def post(self, request, pk):
        claim = self.claim()
        require(
            services.is_head_of(request.user, claim.household),
            _("Only the household head confirms the household's self-evaluation."),
        )
        services.confirm_claim(claim=claim, actor=request.user)
        return Response(claim_data(request, claim))


class DecisionSerializer(serializers.Serializer):
    star = serializers.IntegerField()
    granted = serializers.BooleanField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EvaluationSerializer(serializers.Serializer):
    decisions = DecisionSerializer(many=True)


class ClaimEvaluation(_ClaimStep):
    """The group's evaluation (小组评星): grant or deny each claimed star."""

    serializer_class = EvaluationSerializer

    @extend_schema(request=EvaluationSerializer, responses={200: ClaimSerializer, **WRITE_ERRORS})
    def post(self, request, pk):
        claim = self.claim()
        require(
            access.may_evaluate(scope_of(request), claim),
            _("You may not evaluate stars for household %(number)s.")
            % {"number": claim.household.number},
        )
        data = parse(EvaluationSerializer, request)
        decisions = {row["star"]: (row["granted"], row["reason"]) for row in data["decisions"]}
        services.evaluate(claim=claim, decisions=decisions, actor=request.user)
        return Response(claim_data(request, claim))


class VoteCreateSerializer(serializers.Serializer):
    members = serializers.IntegerField(min_value=1)
    votes_for = serializers.IntegerField(min_value=0)
    votes_against = serializers.IntegerField(min_value=0)
    abstentions = serializers.IntegerField(min_value=0)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


def _require_manage(request, claim: Claim) -> None:
    require(
        access.may_manage_village(scope_of(request), claim.village),
        _("Only the two committees of %(village)s and the township may do this.")
        % {"village": claim.village.name},
    )


class ClaimVote(_ClaimStep):
    """The two committees' vote (两委定星): passed, the rating is posted for objections."""

    serializer_class = VoteCreateSerializer

    @extend_schema(
        request=VoteCreateSerializer,
        responses={201: ClaimSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        claim = self.claim()
        _require_manage(request, claim)
        data = parse(VoteCreateSerializer, request)

        def handler():
            services.record_vote(claim=claim, actor=request.user, **data)
            return status.HTTP_201_CREATED, claim_data(request, claim)

        return respond_once(request, handler)


class ObjectionCreateSerializer(serializers.Serializer):
    raised_by = serializers.CharField(max_length=50)
    text = serializers.CharField(max_length=500)


class ClaimObjections(_ClaimStep):
    """Record an objection to a posted rating, within its objection period."""

    serializer_class = ObjectionCreateSerializer

    @extend_schema(
        request=ObjectionCreateSerializer,
        responses={201: ObjectionSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        claim = self.claim()
        _require_manage(request, claim)
        data = parse(ObjectionCreateSerializer, request)

        def handler():
            objection = services.raise_objection(claim=claim, actor=request.user, **data)
            return status.HTTP_201_CREATED, ObjectionSerializer(objection).data

        return respond_once(request, handler)


class ResolveSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    resolution = serializers.CharField(max_length=300)


class ObjectionResolve(generics.GenericAPIView):
    """Uphold (not rated) or dismiss an objection; the last one resolved after the period
    puts the rating into effect."""

    queryset = Objection.objects.none()
    serializer_class = ResolveSerializer

    @extend_schema(request=ResolveSerializer, responses={200: ObjectionSerializer, **WRITE_ERRORS})
    def post(self, request, pk):
        objection = get_object_or_404(
            Objection.objects.filter(claim__in=_claims(request)).select_related("claim__village"),
            pk=pk,
        )
        _require_manage(request, objection.claim)
        data = parse(ResolveSerializer, request)
        services.resolve_objection(objection=objection, actor=request.user, **data)
        objection.refresh_from_db()
        return Response(ObjectionSerializer(objection).data)


class WithdrawalSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    star = serializers.IntegerField()
    reason = serializers.CharField(max_length=300)
    authority = serializers.CharField(max_length=200)


class RatingSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    count = serializers.IntegerField(help_text="Stars held; 0 without every required star.")
    stars = StarSerializer(many=True)
    missing_required = StarSerializer(many=True)


def rating_data(household) -> dict:
    rating = selectors.rating_of(household)
    return {
        "household": household.pk,
        "count": rating.count,
        "stars": StarSerializer(rating.stars, many=True).data,
        "missing_required": StarSerializer(rating.missing_required, many=True).data,
    }


class WithdrawalCreate(generics.GenericAPIView):
    """Withdraw a held star after a finding; the household is told (a notice on its page)."""

    queryset = Star.objects.none()
    serializer_class = WithdrawalSerializer

    @extend_schema(
        request=WithdrawalSerializer,
        responses={201: RatingSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        data = parse(WithdrawalSerializer, request)
        household = _visible_household(request, data.pop("household"))
        require(
            access.may_manage_village(scope_of(request), household.group.village),
            _("Only the two committees of %(village)s and the township may do this.")
            % {"village": household.group.village.name},
        )
        star = Star.objects.filter(pk=data.pop("star"), township_id=household.township_id).first()
        if star is None:
            raise ServiceError(_("No such star in the household's set."), code="unknown_star")

        def handler():
            services.withdraw_star(household=household, star=star, actor=request.user, **data)
            return status.HTTP_201_CREATED, rating_data(household)

        return respond_once(request, handler)


class RatingDetail(generics.GenericAPIView):
    """A household's current stars (the latest grant or withdrawal per star)."""

    queryset = Household.objects.none()
    serializer_class = RatingSerializer

    @extend_schema(responses={200: RatingSerializer, **READ_ERRORS})
    def get(self, request, household_id):
        return Response(rating_data(_visible_household(request, household_id)))


class VisitPhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitPhoto
        fields = ["id", "image", "thumbnail", "content_type", "size"]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    household = HouseholdRefSerializer(read_only=True)
    visitor = UserRefSerializer(read_only=True)
    photos = VisitPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = ["id", "household", "visitor", "kind", "visited_on", "notes", "photos"]
        read_only_fields = fields


class VisitCreateSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Visit.Kind.choices)
    visited_on = serializers.DateField(required=False)
    notes = serializers.CharField()
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class VisitList(generics.ListAPIView):
    """Revisits and inspections of the households you can see; POST records one (multipart
    for photos, stored without EXIF)."""

    queryset = Visit.objects.none()
    serializer_class = VisitSerializer

    def get_queryset(self):
        rows = selectors.visits(scope_of(self.request)).prefetch_related("photos")
        household = self.request.query_params.get("household")
        return rows.filter(household_id=household) if household else rows

    @extend_schema(
        request=VisitCreateSerializer,
        responses={201: VisitSerializer, **WRITE_ERRORS},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        data = parse(VisitCreateSerializer, request)
        if "photos" in request.FILES:
            data["photos"] = request.FILES.getlist("photos")
        household = _visible_household(request, data.pop("household"))
        require(
            access.may_visit(request.user, scope_of(request), household, data["kind"]),
            _("You may not record this visit for household %(number)s.")
            % {"number": household.number},
        )

        def handler():
            visit = services.record_visit(household=household, actor=request.user, **data)
            return status.HTTP_201_CREATED, VisitSerializer(
                visit, context={"request": request}
            ).data

        return respond_once(request, handler)
