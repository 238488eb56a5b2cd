"""What the record-of-work pages share: the user's scope and visible units."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from people import access
from places import selectors as place_selectors
from places.models import Unit

PAGE_SIZE = 30


def scope_of(request):
    return access.scope_for(request.user)


def visible_unit(scope, pk) -> Unit:
    """The unit with id `pk` if the user sees it, else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(place_selectors.units(scope), pk=pk)
