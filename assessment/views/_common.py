"""What the assessment pages share: the user's scope and townships."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from people import access as people_access
from places.models import Unit

from .. import access, selectors
from ..models import Close, Score


def scope_of(request):
    return people_access.scope_for(request.user)


def township_or_404(request, township_id) -> Unit:
    """A township the user sees; 404 for any other."""
    return get_object_or_404(
        access.townships(scope_of(request)).select_related("parent"), pk=township_id
    )


def managed_township(request, township_id) -> Unit:
    """A township the user manages: 404 outside their view, 403 if they only see it."""
    township = township_or_404(request, township_id)
    if not access.can_manage(scope_of(request), township):
        raise PermissionDenied
    return township


def first_township(request) -> Unit:
    """The user's first township (the pages without one in their address go there)."""
    township = access.townships(scope_of(request)).first()
    if township is None:
        raise Http404
    return township


def scored_unit_or_404(request, close_id, unit_id):
    """(close, unit, score) of a computed or published month, for a unit the user sees that
    lies in the close's township and has a score in it; 404 otherwise."""
    close = get_object_or_404(
        Close.objects.filter(state__in=selectors.SHOWN).select_related("township__parent"),
        pk=close_id,
    )
    unit = get_object_or_404(Unit.objects.select_related("village", "parent"), pk=unit_id)
    if unit.pk != close.township_id and unit.township_id != close.township_id:
        raise Http404
    if not access.can_view_unit(scope_of(request), unit):
        raise Http404
    kind = Score.Kind.VILLAGE if unit.kind in Unit.ADMIN_KINDS else Score.Kind.GRID
    score = selectors.score(close, unit, kind)
    if score is None:
        raise Http404
    return close, unit, score
