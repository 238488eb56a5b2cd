"""Pages of star-rated households (login required, phone first)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import idempotency
from core.errors import ServiceError
from core.views import apply_form
from people import access as people_access
from people.models import RoleAssignment, User
from places.models import Household, Unit

from . import access, selectors, services
from .forms import (
    CampaignForm,
    GroupEvaluationForm,
    ObjectionForm,
    PairForm,
    ResolveForm,
    SelfEvaluationForm,
    VisitForm,
    VoteForm,
    WithdrawForm,
)
from .models import Claim, Objection, Star, Visit

VILLAGE_KINDS = (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY)


def _scope(request):
    return people_access.scope_for(request.user)


def _household(request, pk) -> Household:
    household = get_object_or_404(
        Household.objects.select_related("group__village", "joint", "township"), pk=pk
    )
    if not access.can_see(request.user, _scope(request), household):
        raise Http404
    return household


def _claim(request, pk) -> Claim:
    return get_object_or_404(selectors.claim_detail(_scope(request)), pk=pk)


def _village(request, pk) -> Unit:
    scope = _scope(request)
    village = get_object_or_404(Unit.objects.filter(kind__in=VILLAGE_KINDS), pk=pk)
    if not scope.covers_unit(village):
        raise Http404
    return village


def _refuse(request, exc: ServiceError):
    messages.error(request, str(exc.message))


@login_required
@require_GET
def index(request):
    """My work: paired households due for a revisit, claims waiting for my group or vote."""
    scope = _scope(request)
    context = {
        "pairings": selectors.my_pairings(request.user),
        "to_fill": selectors.to_fill(scope),
        "for_group": list(selectors.waiting_for_group(scope, request.user)[:50]),
        "for_vote": list(selectors.waiting_for_vote(scope)[:50]),
        "campaigns": list(selectors.campaigns(scope)[:10]),
        "may_start": any(
            access.may_run_campaigns(scope, t)
            for t in Unit.objects.filter(pk__in=scope.township_ids)
        ),
    }
    return render(request, "stars/index.html", context)


@login_required
@require_GET
def household(request, pk):
    household = _household(request, pk)
    scope = _scope(request)
    context = {
        "household": household,
        "rating": selectors.rating_of(household),
        "claims": list(
            Claim.objects.filter(household=household)
            .select_related("campaign", "vote")
            .prefetch_related("stars__star")[:10]
        ),
        "notices": list(selectors.notices(household)[:10]),
        "visits": list(
            Visit.objects.filter(household=household)
            .select_related("visitor")
            .prefetch_related("photos")[:10]
        ),
        "campaign": selectors.campaign_for(household),
        "may_fill": access.may_fill(scope, household),
        "may_visit": access.may_visit(request.user, scope, household, Visit.Kind.REVISIT)
        or access.may_visit(request.user, scope, household, Visit.Kind.INSPECTION),
        "may_withdraw": access.may_manage_village(scope, household.group.village),
    }
    return render(request, "stars/household.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def claim_form(request, pk):
    """The self-evaluation (自评表), filled by the head or with the micro-grid chief."""
    household = _household(request, pk)
    scope = _scope(request)
    if not access.may_fill(scope, household):
        raise PermissionDenied
    campaign = selectors.campaign_for(household)
    stars = services.star_set(household.township)
    is_head = services.is_head_of(request.user, household)
    initial = {"key": uuid.uuid4().hex, "confirmation": "login"}
    form = SelfEvaluationForm(request.POST or None, stars=stars, is_head=is_head, initial=initial)
    if request.method == "POST" and campaign is not None and form.is_valid():
        data = form.cleaned_data

        def handler():
            claim = services.claim_stars(
                household=household,
                campaign=campaign,
                stars=form.chosen(),
                actor=request.user,
                confirmation=data.get("confirmation", "login"),
                confirmation_note=data.get("confirmation_note", ""),
            )
            return 201, {"claim": claim.pk}

        fingerprint = idempotency.fingerprint(
            "star-claim", household.pk, sorted(request.POST.lists())
        )
        try:
            _status, body, replayed = idempotency.run_once(
                user=request.user, key=data["key"], request_fingerprint=fingerprint, handler=handler
            )
        except ServiceError as exc:
            form.add_error(None, str(exc.message))
        else:
            if replayed:
                messages.info(request, _("This self-evaluation had already been sent."))
            else:
                messages.success(request, _("The self-evaluation was recorded."))
            return redirect("stars:claim", pk=body["claim"])
    context = {"household": household, "form": form, "campaign": campaign, "is_head": is_head}
    return render(request, "stars/claim_form.html", context)


@login_required
@require_GET
def claim(request, pk):
    claim = _claim(request, pk)
    scope = _scope(request)
    village = claim.village
    manage = access.may_manage_village(scope, village)
    context = {
        "claim": claim,
        "rows": list(claim.stars.all()),
        "objections": list(claim.objections.all()),
        "may_confirm": claim.state == Claim.State.AWAITING_HEAD
        and services.is_head_of(request.user, claim.household),
        "may_evaluate": claim.state == Claim.State.AWAITING_GROUP
        and access.may_evaluate(scope, claim)
        and claim.filled_by_id != request.user.pk,
        "may_vote": claim.state == Claim.State.AWAITING_VOTE and manage,
        "may_object": claim.state == Claim.State.POSTED
        and manage
        and timezone.localdate() <= claim.objection_until,
        "may_resolve": manage,
        "vote_form": VoteForm(),
        "objection_form": ObjectionForm(),
        "resolve_form": ResolveForm(),
        "settings": services.settings_for(claim.township),
    }
    return render(request, "stars/claim.html", context)


@login_required
@require_POST
def confirm(request, pk):
    claim = _claim(request, pk)
    if not services.is_head_of(request.user, claim.household):
        raise PermissionDenied
    try:
        services.confirm_claim(claim=claim, actor=request.user)
        messages.success(request, _("You confirmed the self-evaluation."))
    except ServiceError as exc:
        _refuse(request, exc)
    return redirect("stars:claim", pk=claim.pk)


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request, pk):
    claim = _claim(request, pk)
    if not access.may_evaluate(_scope(request), claim):
        raise PermissionDenied
    form = GroupEvaluationForm(request.POST or None, rows=claim.stars.all())
    if request.method == "POST":
        done = apply_form(
            form,
            lambda: services.evaluate(claim=claim, decisions=form.decisions(), actor=request.user),
        )
        if done is not None:
            messages.success(request, _("The group's evaluation was recorded."))
            return redirect("stars:claim", pk=claim.pk)
    return render(request, "stars/evaluate.html", {"claim": claim, "form": form})


def _manage_claim(request, pk) -> Claim:
    claim = _claim(request, pk)
    if not access.may_manage_village(_scope(request), claim.village):
        raise PermissionDenied
    return claim


@login_required
@require_POST
def vote(request, pk):
    claim = _manage_claim(request, pk)
    form = VoteForm(request.POST)
    result = apply_form(
        form, lambda: services.record_vote(claim=claim, actor=request.user, **form.cleaned_data)
    )
    if result is None:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    elif result.passed:
        messages.success(request, _("The vote passed; the rating is posted for objections."))
    else:
        messages.info(request, _("The vote did not pass; the household is not rated."))
    return redirect("stars:claim", pk=claim.pk)


@login_required
@require_POST
def object_to(request, pk):
    claim = _manage_claim(request, pk)
    form = ObjectionForm(request.POST)
    if apply_form(
        form,
        lambda: services.raise_objection(claim=claim, actor=request.user, **form.cleaned_data),
    ):
        messages.success(request, _("The objection was recorded."))
    else:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    return redirect("stars:claim", pk=claim.pk)


@login_required
@require_POST
def resolve(request, pk):
    objection = get_object_or_404(Objection.objects.select_related("claim"), pk=pk)
    claim = _manage_claim(request, objection.claim_id)
    form = ResolveForm(request.POST)
    if apply_form(
        form,
        lambda: services.resolve_objection(
            objection=objection, actor=request.user, **form.cleaned_data
        ),
    ):
        messages.success(request, _("The objection was resolved."))
    else:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    return redirect("stars:claim", pk=claim.pk)


@login_required
@require_http_methods(["GET", "POST"])
def visit(request, pk):
    household = _household(request, pk)
    scope = _scope(request)
    kinds = [kind for kind in Visit.Kind if access.may_visit(request.user, scope, household, kind)]
    if not kinds:
        raise PermissionDenied
    form = VisitForm(
        request.POST or None,
        request.FILES or None,
        initial={"visited_on": timezone.localdate(), "kind": kinds[0]},
    )
    form.fields["kind"].choices = [(k.value, k.label) for k in kinds]
    if request.method == "POST":
        sent = idempotency.form_once(
            request,
            form,
            lambda: services.record_visit(
                household=household, actor=request.user, **form.cleaned_data
            ),
            url=reverse("stars:household", args=[household.pk]),
            message=_("The visit was recorded."),
        )
        if sent is not None:
            return sent
    return render(request, "stars/visit.html", {"household": household, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk):
    household = _household(request, pk)
    if not access.may_manage_village(_scope(request), household.group.village):
        raise PermissionDenied
    held = selectors.held_stars([household.pk]).get(household.pk, [])
    form = WithdrawForm(request.POST or None, stars=Star.objects.filter(pk__in=held))
    if request.method == "POST":
        done = apply_form(
            form,
            lambda: services.withdraw_star(
                household=household, actor=request.user, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, _("The star was withdrawn and the household told."))
            return redirect("stars:household", pk=household.pk)
    return render(request, "stars/withdraw.html", {"household": household, "form": form})


@login_required
@require_GET
def village(request, pk):
    village = _village(request, pk)
    scope = _scope(request)
    rows = list(selectors.campaign_village_rows(village).select_related("campaign"))
    progress = [
        row
        for cv in rows
        for row in selectors.village_progress(cv.campaign)
        if row["village"].pk == village.pk
    ]
    manage = access.may_manage_village(scope, village)
    context = {
        "village": village,
        "progress": progress,
        "board": selectors.public_board(village),
        "pairings": selectors.village_pairings(village),
        "inspections_due": selectors.inspections_due(village),
        "rerating_due": selectors.rerating_due(village),
        "claims": list(
            selectors.claims(scope)
            .filter(village=village)
            .exclude(state__in=[Claim.State.EFFECTIVE, Claim.State.REFUSED])
            .order_by("household__number")[:100]
        ),
        "may_manage": manage,
        "pair_form": PairForm(members=_pairable(village)) if manage else None,
    }
    return render(request, "stars/village.html", context)


def _pairable(village: Unit):
    """Party members and cadres holding a role in the village's township today."""
    today = timezone.localdate()
    ids = (
        RoleAssignment.objects.filter(township_id=village.township_id, start_date__lte=today)
        .exclude(end_date__lt=today)
        .exclude(role="villager")
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids).order_by("name")


@login_required
@require_POST
def pair(request, pk):
    village = _village(request, pk)
    if not access.may_manage_village(_scope(request), village):
        raise PermissionDenied
    form = PairForm(request.POST, members=_pairable(village))

    def write():
        numbers = form.cleaned_data["numbers"]
        found = list(
            Household.objects.filter(
                township_id=village.township_id, number__in=numbers, group__village=village
            )
        )
        missing = sorted(set(numbers) - {h.number for h in found})
        if missing:
            raise ServiceError(
                _("Not households of %(village)s: %(numbers)s.")
                % {"village": village.name, "numbers": "、".join(missing)}
            )
        return services.pair(
            member=form.cleaned_data["member"], households=found, actor=request.user
        )

    if apply_form(form, write):
        messages.success(request, _("The pairing was recorded."))
    else:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    return redirect("stars:village", pk=village.pk)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    scope = _scope(request)
    townships = [
        t
        for t in Unit.objects.filter(pk__in=scope.township_ids, kind=Unit.Kind.TOWNSHIP)
        if access.may_run_campaigns(scope, t)
    ]
    if not townships:
        raise PermissionDenied
    township = townships[0]
    villages = Unit.objects.filter(township=township, kind__in=VILLAGE_KINDS).order_by("path")
    form = CampaignForm(
        request.POST or None,
        villages=villages,
        initial={"year": timezone.localdate().year, "pilot": True},
    )
    if request.method == "POST":
        campaign = apply_form(
            form,
            lambda: services.start_campaign(
                township=township,
                name=form.cleaned_data["name"],
                year=form.cleaned_data["year"],
                villages=form.cleaned_data["villages"],
                pilot=form.cleaned_data["pilot"],
                actor=request.user,
            ),
        )
        if campaign is not None:
            return redirect("stars:campaign", pk=campaign.pk)
    return render(request, "stars/campaign_new.html", {"form": form, "township": township})


@login_required
@require_http_methods(["GET", "POST"])
def campaign(request, pk):
    campaign = get_object_or_404(selectors.campaigns(_scope(request)), pk=pk)
    scope = _scope(request)
    may_manage = access.may_run_campaigns(scope, campaign.township)
    taken = campaign.villages.values("village_id")
    rest = Unit.objects.filter(township=campaign.township, kind__in=VILLAGE_KINDS).exclude(
        pk__in=taken
    )
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        chosen = rest.filter(pk__in=request.POST.getlist("villages"))
        try:
            n = services.add_villages(campaign=campaign, villages=chosen, actor=request.user)
            messages.success(request, _("%(n)d villages joined the round.") % {"n": n})
        except ServiceError as exc:
            _refuse(request, exc)
        return redirect("stars:campaign", pk=campaign.pk)
    context = {
        "campaign": campaign,
        "progress": selectors.village_progress(campaign),
        "rest": list(rest.order_by("path")) if may_manage else [],
        "may_manage": may_manage,
    }
    return render(request, "stars/campaign.html", context)
