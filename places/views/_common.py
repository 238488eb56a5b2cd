"""What the page views of places share: fetching within the user's scope, Excel downloads of a
unit's lists, the history panel, and the form of a new responsibility area."""

from django.shortcuts import get_object_or_404

from core import audit
from core.excel import export_rows, xlsx_response
from core.views import history_rows
from people import access

from .. import selectors
from ..forms import AreaForm

HISTORY_LIMIT = 100


def scoped_or_404(request, queryset_of, pk):
    """The user's scope and object `pk` among `queryset_of(scope)`: out of scope is a 404."""
    scope = access.scope_for(request.user)
    return scope, get_object_or_404(queryset_of(scope), pk=pk)


def unit_or_404(request, pk):
    # The township's configuration comes in the same query (a township page shows it).
    return scoped_or_404(request, lambda scope: selectors.units(scope).select_related("config"), pk)


def history(obj) -> list[tuple]:
    """The latest audit entries of `obj`, as the history panel shows them."""
    return history_rows(audit.history(obj)[:HISTORY_LIMIT])


def unit_sheet(unit, title: str, headers: list, rows):
    """One of the unit page's lists as an Excel download named after the unit and the list."""
    content = export_rows(title=title, headers=headers, rows=rows)
    return xlsx_response(content, f"{unit.name}-{title}")


def owner_households(scope, township_id):
    """The households that may keep a responsibility area of the township."""
    return selectors.households(scope).filter(township_id=township_id)


def area_form_for(scope, unit, data=None):
    return AreaForm(data, households=owner_households(scope, unit.township_id))
