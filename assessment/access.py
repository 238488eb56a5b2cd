"""Who may see and do what in the monthly assessment, built on people.access.

- Closing, publishing, commendations/deductions, threshold cases, items and key-work marks:
  MANAGE on the township (its party secretary and head, the county administrator).
- A month's results and the dashboard: VIEW on the township (also township leaders and the
  supervision team).
- A unit's own score and its lines: VIEW on the unit (a grid chief sees his grid and below, a
  village committee its village's grids).
- Published months are public anyway (the public board, no login).
"""

from core.scope import MANAGE, VIEW, Scope
from places import selectors as place_selectors
from places.models import Unit


def can_manage(scope: Scope, township: Unit) -> bool:
    return scope.covers(township.path, MANAGE)


def can_view_township(scope: Scope, township: Unit) -> bool:
    return scope.covers(township.path, VIEW)


def can_view_unit(scope: Scope, unit: Unit) -> bool:
    return scope.covers_unit(unit, VIEW)


def townships(scope: Scope):
    """The townships whose month results the user may see."""
    return place_selectors.township_of(scope).order_by("path")
