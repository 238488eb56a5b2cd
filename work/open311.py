"""Open311 GeoReport v2 onto the problem ledger, so existing Open311 clients file and follow.

- `GET services.json`: one service per problem category.
- `POST requests.json`: files a problem. `api_key` is the filer's API token (/api/v1/auth/token/).
  The place is `address_id` (a responsibility area's id) or else the filer's own grid: the grid
  they serve, or for a villager the grid of their household. `lat`/`long` are kept with it.
- `GET requests.json`: the problems the key's holder may see (filters as the spec has them).
- `GET requests/{id}.json`: one request. Its id is signed (`<number>-<signature>`), so whoever
  filed it can follow it without a key and nobody can walk through the others' numbers.

JSON only (the spec's XML format is not offered); errors are `[{"code", "description"}]` with
the same HTTP status. Datetimes are ISO 8601 with the offset (Asia/Shanghai).
"""

import datetime

from django.core import signing
from django.db.models import OuterRef, Subquery
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.authtoken.models import Token

from core.errors import ServiceError
from people import access as people_access
from places.models import Household, ResponsibilityArea, Unit

from . import access, selectors, services
from .models import Problem, ProblemEvent

SIGNER = signing.Signer(salt="xiangzhi.open311")
DEFAULT_DAYS = 7  # a filed problem's rectification deadline when the client gives none
MAX_RESULTS = 200
S = Problem.State


def _error(status: int, description: str) -> JsonResponse:
    return JsonResponse(
        [{"code": status, "description": str(description)}], status=status, safe=False
    )


def public_id(problem: Problem) -> str:
    return SIGNER.sign(str(problem.pk)).replace(":", "-")


def _problem_for(public: str) -> Problem | None:
    try:
        pk = SIGNER.unsign(public.replace("-", ":", 1))
    except signing.BadSignature:
        return None
    return Problem.objects.select_related("grid").filter(pk=pk).first()


def _user_for(request):
    key = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    token = Token.objects.select_related("user").filter(key=key).first() if key else None
    if token is None or not token.user.is_active:
        return None
    return token.user


def _iso(moment) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime.date) and not isinstance(moment, datetime.datetime):
        moment = datetime.datetime.combine(moment, datetime.time(18, 0))
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _as_request(problem: Problem) -> dict:
    open_states = (S.OPEN, S.RECTIFYING, S.SUBMITTED)
    return {
        "service_request_id": public_id(problem),
        "status": "open" if problem.state in open_states else "closed",
        "status_notes": problem.last_note or problem.get_state_display(),
        "service_name": problem.get_category_display(),
        "service_code": problem.category,
        "description": problem.description,
        "agency_responsible": problem.grid.name,
        "service_notice": _("To be rectified by %(date)s.") % {"date": problem.deadline},
        "requested_datetime": _iso(problem.created_at),
        "updated_datetime": _iso(problem.last_at or problem.created_at),
        "expected_datetime": _iso(problem.deadline),
        "address": problem.place,
        "address_id": problem.area_id,
        "lat": float(problem.latitude) if problem.latitude is not None else None,
        "long": float(problem.longitude) if problem.longitude is not None else None,
        "media_url": None,
    }


def _rows(problems) -> list[dict]:
    """The requests as the spec writes them; each problem's latest event in the same query."""
    latest = ProblemEvent.objects.filter(problem=OuterRef("pk")).order_by("-at", "-pk")
    problems = problems.select_related("grid").annotate(
        last_note=Subquery(latest.values("note")[:1]), last_at=Subquery(latest.values("at")[:1])
    )
    return [_as_request(problem) for problem in problems]


@require_GET
def services_list(request):
    services_json = [
        {
            "service_code": code,
            "service_name": str(label),
            "description": str(label),
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": _("Problem ledger"),
        }
        for code, label in Problem.Category.choices
    ]
    return JsonResponse(services_json, safe=False)


@csrf_exempt  # a machine endpoint: the api_key authenticates, no browser session is used
@require_http_methods(["GET", "POST"])
def requests_list(request):
    if request.method == "POST":
        return _file(request)
    user = _user_for(request)
    if user is None:
        return _error(401, _("An api_key (your API token) is required."))
    problems = selectors.problems(access.powers_for(user))
    query = request.GET
    if query.get("service_request_id"):
        ids = [_problem_for(part.strip()) for part in query["service_request_id"].split(",")]
        problems = problems.filter(pk__in=[p.pk for p in ids if p is not None])
    if query.get("service_code"):
        problems = problems.filter(category__in=query["service_code"].split(","))
    if query.get("status") in ("open", "closed"):
        closed = (S.CLOSED, S.WITHDRAWN)
        problems = (
            problems.exclude(state__in=closed)
            if query["status"] == "open"
            else problems.filter(state__in=closed)
        )
    for name, lookup in (("start_date", "created_at__gte"), ("end_date", "created_at__lte")):
        if query.get(name):
            moment = parse_datetime(query[name])
            if moment is None:
                return _error(400, _("%(name)s must be an ISO 8601 datetime.") % {"name": name})
            problems = problems.filter(**{lookup: moment})
    return JsonResponse(_rows(problems.order_by("-created_at", "-pk")[:MAX_RESULTS]), safe=False)


@require_GET
def request_detail(request, public):
    problem = _problem_for(public)
    if problem is None:
        return _error(404, _("No service request with this id."))
    return JsonResponse(_rows(Problem.objects.filter(pk=problem.pk)), safe=False)


def _coordinate(value: str, low: float, high: float):
    if not value:
        return None
    number = float(value)
    if not low <= number <= high:
        raise ValueError(value)
    return round(number, 6)


def _place_of(user, area_id: str):
    """The area named by address_id (in the user's sight), else the user's own grid."""
    if area_id:
        area = ResponsibilityArea.objects.select_related("grid").filter(pk=area_id).first()
        scope = people_access.scope_for(user)
        if area is None or not scope.covers(area.grid.path):
            raise ServiceError(_("No responsibility area with this address_id."), status=404)
        return area, None
    grids = [
        assignment.unit
        for assignment in people_access.active_assignments(user)
        if assignment.unit_id and assignment.unit.kind == Unit.Kind.GRID
    ]
    if len(grids) == 1:
        return None, grids[0]
    scope = people_access.scope_for(user)
    household = (
        Household.objects.select_related("joint__parent").filter(pk__in=scope.household_ids).first()
    )
    if not grids and household is not None:
        return None, household.joint.parent
    raise ServiceError(_("Say where: give address_id (a responsibility area's id)."))


def _file(request):
    user = _user_for(request)
    if user is None:
        return _error(401, _("An api_key (your API token) is required."))
    data = request.POST
    code = data.get("service_code", "")
    if code not in Problem.Category.values:
        return _error(400, _("Unknown service_code “%(code)s”.") % {"code": code})
    description = (data.get("description") or "").strip()
    if not description:
        return _error(400, _("Describe the problem (description)."))
    try:
        latitude = _coordinate(data.get("lat", ""), -90, 90)
        longitude = _coordinate(data.get("long", ""), -180, 180)
    except ValueError:
        return _error(400, _("lat and long must be decimal degrees."))
    try:
        area, grid = _place_of(user, data.get("address_id", ""))
        villager = grid is not None and not access.powers_for(user).sees(grid.path)
        problem = services.raise_problem(
            actor=user,
            source=Problem.Source.VILLAGER if villager else Problem.Source.GRID_MEMBER,
            category=code,
            description=description[:500],
            requirement=_("To be set by the grid chief."),
            deadline=timezone.localdate() + datetime.timedelta(days=DEFAULT_DAYS),
            grid=grid,
            area=area,
            place=(data.get("address_string") or "")[:200],
            latitude=latitude,
            longitude=longitude,
        )
    except ServiceError as refusal:
        status = refusal.status if refusal.status in (403, 404) else 400
        return _error(status, refusal.message)
    body = [
        {
            "service_request_id": public_id(problem),
            "service_notice": _("To be rectified by %(date)s.") % {"date": problem.deadline},
            "account_id": None,
        }
    ]
    return JsonResponse(body, status=201, safe=False)
