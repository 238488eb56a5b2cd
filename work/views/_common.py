"""What the work pages share: choices limited by the user's powers, refusals, photos."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect

from core.errors import PermissionDenied as ServicePermissionDenied
from core.errors import ServiceError
from core.scope import CHANGE, VIEW
from people.models import Role, User
from places import selectors as place_selectors
from places.models import Unit

from ..access import Powers

ISSUER_KINDS = (Unit.Kind.TOWNSHIP, Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY)
VILLAGE_KINDS = (Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY)
WORK_ROLES = (Role.GRID_CHIEF, Role.GRID_MEMBER, Role.VILLAGE_COMMITTEE, Role.TOWNSHIP_LEADER)


def grids(powers: Powers, cap: str = VIEW):
    return (
        place_selectors.units(powers.scope, cap)
        .filter(kind=Unit.Kind.GRID, village__isnull=False)
        .order_by("path")
    )


def lowest_grids(powers: Powers, cap: str = CHANGE):
    """The grids with no child grid: where problems and tasks lie."""
    return grids(powers, cap).exclude(children__kind=Unit.Kind.GRID)


def areas(powers: Powers, cap: str = CHANGE):
    return place_selectors.areas(powers.scope, cap).order_by("number")


def units_of_kinds(powers: Powers, kinds, cap: str = VIEW):
    return place_selectors.units(powers.scope, cap).filter(kind__in=kinds).order_by("path")


def supervised_units(powers: Powers, kinds=ISSUER_KINDS):
    if powers.scope.is_superuser:
        return Unit.objects.filter(kind__in=kinds).order_by("path")
    q = Q(pk__in=[])
    for path in powers.supervise_paths:
        q |= Q(path__startswith=path)
    return Unit.objects.filter(q, kind__in=kinds).order_by("path")


def working_people(powers: Powers):
    """People who may be named responsible or given a task: those holding grid work roles."""
    townships = powers.scope.township_ids
    qs = User.objects.filter(is_active=True, assignments__role__in=WORK_ROLES)
    if not powers.scope.is_superuser:
        qs = qs.filter(assignments__township_id__in=townships, assignments__end_date__isnull=True)
    return qs.distinct().order_by("name", "pk")


def refuse_or_redirect(request, write, fallback):
    """Run `write`; a refusal becomes an error message (403 stays 403) and the page reloads."""
    try:
        write()
    except ServicePermissionDenied as exc:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(str(exc.message)) from exc
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect(fallback)
